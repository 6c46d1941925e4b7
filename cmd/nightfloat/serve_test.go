package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/config"
	"nightfloat/retrieval/retrievaltest"
)

// startServe runs the real serve on db, with adjust applied to its configuration, until the
// returned stop is called; stop returns serve's error.
func startServe(t *testing.T, dbURL string, adjust ...func(*config.Config)) (addr string, stop func() error) {
	t.Helper()
	cfg := config.Default()
	cfg.DatabaseURL = dbURL
	cfg.Addr = "127.0.0.1:0"
	cfg.ContentDraft = true
	cfg.ShutdownTimeout = 3 * time.Second
	for _, f := range adjust {
		f(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, cfg, slog.New(slog.DiscardHandler), ready) }()
	select {
	case addr = <-ready:
	case err := <-errc:
		cancel()
		t.Fatalf("serve stopped at start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(20 * time.Second):
			return errors.New("serve did not stop")
		}
	}
	t.Cleanup(func() { _ = stop() })
	return addr, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func readUntil(t *testing.T, ws *websocket.Conn, match func(map[string]any) bool) []map[string]any {
	t.Helper()
	var got []map[string]any
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v (after %v)", err, got)
		}
		var f map[string]any
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
		if match(f) {
			return got
		}
	}
}

func TestServeStopsGracefullyAndRestartsWithoutLoss(t *testing.T) {
	db, _ := retrievaltest.ContentDB(t, "../../content")
	addr, stop := startServe(t, db.URL)

	if code, body := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	if code, body := get(t, "http://"+addr+"/readyz"); code != 200 || !strings.Contains(body, "ready") {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	if code, body := get(t, "http://"+addr+"/"); code != 200 || !strings.Contains(body, "988") {
		t.Fatalf("chat page: %d", code)
	}

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.WriteJSON(map[string]any{"type": "hello", "role": "resident"})
	welcome := readUntil(t, ws, func(f map[string]any) bool { return f["type"] == "welcome" })[0]
	_ = ws.WriteJSON(map[string]any{"type": "message", "client_id": "k1", "text": "how do I cope after a patient died on my shift"})
	readUntil(t, ws, func(f map[string]any) bool { return f["type"] == "done" })

	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err = ws.ReadMessage(); err != nil {
			break
		}
	}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("want close 1001 at shutdown, got %v", err)
	}

	addr2, _ := startServe(t, db.URL)
	ws2, _, err := websocket.DefaultDialer.Dial("ws://"+addr2+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	_ = ws2.WriteJSON(map[string]any{"type": "hello", "role": "resident", "conversation_id": welcome["conversation_id"], "token": welcome["token"], "last_seq": 0})
	frames := readUntil(t, ws2, func(f map[string]any) bool { return f["type"] == "done" })
	var resident, reply bool
	for _, f := range frames {
		resident = resident || (f["author"] == "resident" && f["client_id"] == "k1")
		reply = reply || f["author"] == "assistant"
	}
	if !resident || !reply {
		t.Fatalf("after a restart the conversation must be whole: %v", frames)
	}
}

func TestBadConfigurationIsAClearErrorAtStart(t *testing.T) {
	var stderr strings.Builder
	e := newEnv(io.Discard, &stderr, func(k string) string {
		return map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x", "NIGHTFLOAT_RATE_LIMIT_PER_MINUTE": "fast"}[k]
	})
	if code := run(context.Background(), []string{"serve"}, e); code != 2 {
		t.Errorf("want exit 2, got %d", code)
	}
	if !strings.Contains(stderr.String(), "NIGHTFLOAT_RATE_LIMIT_PER_MINUTE") {
		t.Errorf("the error must name the variable: %q", stderr.String())
	}
}

// TestServeWiresTheAbuseLimits: the settings of issue 17 reach the running server: the
// metrics token, the Host allow-list from NIGHTFLOAT_PUBLIC_URL, and the limit on new
// conversations per address.
func TestServeWiresTheAbuseLimits(t *testing.T) {
	db, _ := retrievaltest.ContentDB(t, "../../content")
	const token = "serve-test-metrics-token"
	addr, _ := startServe(t, db.URL, func(c *config.Config) {
		c.MetricsToken, c.PublicURL, c.NewConvPerMinute = token, "https://nightfloat.example.org", 2
	})
	for _, tt := range []struct {
		name, path, host, auth string
		want                   int
	}{
		{"metrics without the token", "/metrics", "", "", http.StatusUnauthorized},
		{"metrics with the token", "/metrics", "", "Bearer " + token, http.StatusOK},
		{"a foreign host", "/", "rebind.attacker.example", "", http.StatusMisdirectedRequest},
		{"the public host", "/", "nightfloat.example.org", "", http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://"+addr+tt.path, nil)
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("got HTTP %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	var got []string
	for i := 0; i < 3; i++ {
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.WriteJSON(map[string]any{"type": "hello", "role": "resident"}); err != nil {
			t.Fatal(err)
		}
		f := readUntil(t, ws, func(map[string]any) bool { return true })[0]
		code, _ := f["code"].(string)
		got = append(got, f["type"].(string)+":"+code)
		ws.Close()
	}
	if strings.Join(got, " ") != "welcome: welcome: error:rate_limited" {
		t.Errorf("three hellos with a limit of 2: %v", got)
	}
}

// TestServeMetricsOnAPrivateAddress: with NIGHTFLOAT_METRICS_ADDR, /metrics is served there
// and not on the public address.
func TestServeMetricsOnAPrivateAddress(t *testing.T) {
	db, _ := retrievaltest.ContentDB(t, "../../content")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	private := ln.Addr().String()
	ln.Close()
	addr, _ := startServe(t, db.URL, func(c *config.Config) { c.MetricsAddr = private })
	if code, _ := get(t, "http://"+addr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics: HTTP %d, want 404", code)
	}
	if code, body := get(t, "http://"+private+"/metrics"); code != http.StatusOK || !strings.Contains(body, "nightfloat_") {
		t.Errorf("private /metrics: HTTP %d", code)
	}
}
