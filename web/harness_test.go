package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/assistant"
	"nightfloat/assistant/assistanttest"
	"nightfloat/clinician"
	"nightfloat/postgres/postgrestest"
	"nightfloat/push"
	"nightfloat/retrieval/retrievaltest"
)

// harness is one real server for a test: a fresh database with the starter content
// ingested, the real classifier and retrieval, and the vetted responder.
type harness struct {
	tb   testing.TB
	db   *postgrestest.DB
	hub  *assistant.Hub
	svc  *assistant.Service
	site *Server
	http *httptest.Server

	accounts *clinician.Accounts
	audit    *clinician.Audit
	stopOnce sync.Once
}

type harnessOptions struct {
	pager       assistant.Pager
	noRoster    bool // leave out the on-duty roster
	svcOptions  assistant.Options
	origins     []string
	db          *postgrestest.DB
	accountOpts clinician.AccountOptions // ParallelHashes defaults to 2
	// site adjusts the web options before the server is built (metrics, hosts, limits).
	site   func(*Options)
	crisis *assistant.CrisisResources // nil: testCrisis
	push   bool                       // notifications on: a push store on the database and fresh VAPID keys
	// classifier, when set, replaces the real one (fault tests).
	classifier assistant.Classifier
}

var testCrisis = assistanttest.Crisis()

func newHarness(tb testing.TB, o harnessOptions) *harness {
	tb.Helper()
	db := o.db
	if db == nil {
		db, _ = retrievaltest.ContentDB(tb, "../content")
	}
	crisis := testCrisis
	if o.crisis != nil {
		crisis = *o.crisis
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	audit := clinician.NewAudit(db.Pool)
	if o.accountOpts.ParallelHashes == 0 {
		o.accountOpts.ParallelHashes = 2
	}
	accounts := clinician.NewAccounts(db.Pool, audit, o.accountOpts)
	var roster assistant.Roster
	if !o.noRoster {
		roster = assistant.RosterFunc(func(ctx context.Context) (bool, error) {
			on, err := accounts.OnDuty(ctx)
			return len(on) > 0, err
		})
	}
	hub := assistant.NewHub()
	svc := assistanttest.NewService(tb, db, assistanttest.Options{Service: o.svcOptions, Deps: func(d *assistant.Deps) {
		d.Pager, d.Roster, d.Crisis, d.Logger, d.Audit, d.Hub = o.pager, roster, crisis, logger, audit, hub
		if o.classifier != nil {
			d.Classifier = o.classifier
		}
	}})
	// Tests open many conversations from 127.0.0.1; the flood tests set their own limit.
	opts := Options{AllowedOrigins: o.origins, Crisis: crisis, Logger: logger, Accounts: accounts, Audit: audit,
		NewConversationsPerMinute: 10_000}
	if o.push {
		keys, err := push.GenerateKeys()
		if err != nil {
			tb.Fatal(err)
		}
		opts.Push, opts.VAPIDPublicKey = push.NewStore(db.Pool, nil), keys.Public
	}
	if o.site != nil {
		o.site(&opts)
	}
	site, err := NewServer(svc, hub, db.Pool, opts)
	if err != nil {
		tb.Fatalf("NewServer: %v", err)
	}
	h := &harness{tb: tb, db: db, hub: hub, svc: svc, site: site, accounts: accounts, audit: audit}
	h.http = httptest.NewServer(site.Handler())
	stopListener := startListener(tb, db.URL, hub)
	tb.Cleanup(func() {
		h.stop()
		stopListener()
	})
	return h
}

// stop shuts the server down the way serve does; it is safe to call more than once.
func (h *harness) stop() {
	h.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.svc.Shutdown(ctx)
		_ = h.site.CloseSockets(ctx)
		h.http.Close()
	})
}

// startListener relays NOTIFY to the hub, as serve does.
func startListener(tb testing.TB, url string, hub *assistant.Hub) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	l := assistant.NewListener(url, hub, slog.New(slog.DiscardHandler), ready)
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Run(ctx) }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		tb.Fatal("listener did not start")
	}
	return func() { cancel(); <-done }
}

func (h *harness) wsURL() string { return "ws" + strings.TrimPrefix(h.http.URL, "http") + "/ws" }

// wsClient is a test's end of a websocket. One goroutine reads frames into a channel, so
// a test may wait for a frame with a timeout without breaking the connection (gorilla's
// connections are unusable after a read deadline passes).
type wsClient struct {
	tb     testing.TB
	ws     *websocket.Conn
	frames chan frame
	closed chan struct{}
	err    error // why the reader stopped; read after closed is closed
}

type frame map[string]any

func (f frame) str(k string) string { s, _ := f[k].(string); return s }
func (f frame) num(k string) int64  { n, _ := f[k].(float64); return int64(n) }

func newWSClient(tb testing.TB, ws *websocket.Conn) *wsClient {
	c := &wsClient{tb: tb, ws: ws, frames: make(chan frame, 1024), closed: make(chan struct{})}
	go func() {
		defer close(c.closed)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				c.err = err
				return
			}
			var f frame
			if err := json.Unmarshal(data, &f); err != nil {
				c.err = err
				return
			}
			c.frames <- f
		}
	}()
	tb.Cleanup(func() { ws.Close() })
	return c
}

func (h *harness) dial(tb testing.TB, header http.Header) *wsClient {
	tb.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(h.wsURL(), header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	return newWSClient(tb, ws)
}

func (c *wsClient) send(v any) {
	c.tb.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.tb.Fatalf("send: %v", err)
	}
}

func (c *wsClient) sendRaw(b []byte) {
	c.tb.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.tb.Fatalf("send raw: %v", err)
	}
}

// next reads one frame, failing the test after 15 seconds.
func (c *wsClient) next() frame {
	c.tb.Helper()
	f, err := c.read(15 * time.Second)
	if err != nil {
		c.tb.Fatalf("read frame: %v", err)
	}
	return f
}

var errNoFrame = errors.New("no frame within the wait")

// read returns the next frame, errNoFrame after wait, or the error that closed the socket.
func (c *wsClient) read(wait time.Duration) (frame, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case f := <-c.frames:
		return f, nil
	case <-c.closed:
		select {
		case f := <-c.frames:
			return f, nil
		default:
			return nil, c.err
		}
	case <-timer.C:
		return nil, errNoFrame
	}
}

// until reads frames until match accepts one, returning every frame read.
func (c *wsClient) until(match func(frame) bool) []frame {
	c.tb.Helper()
	var got []frame
	for {
		f := c.next()
		got = append(got, f)
		if match(f) {
			return got
		}
	}
}

// closeCode waits for the server to close the socket and returns its close code.
func (c *wsClient) closeCode() int {
	c.tb.Helper()
	for {
		_, err := c.read(15 * time.Second)
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		c.tb.Fatalf("want a close frame, got %v", err)
	}
}

// start opens a new conversation and returns the welcome frame, after the disclosure.
func (c *wsClient) start(role string) frame {
	c.tb.Helper()
	c.send(map[string]any{"type": "hello", "role": role})
	w := c.next()
	if w.str("type") != "welcome" {
		c.tb.Fatalf("want welcome, got %v", w)
	}
	d := c.next()
	if d.str("kind") != "disclosure" {
		c.tb.Fatalf("want the AI disclosure first, got %v", d)
	}
	return w
}

// say sends a message and returns every frame up to the done that ends its reply.
func (c *wsClient) say(clientID, text string) []frame {
	c.tb.Helper()
	c.send(map[string]any{"type": "message", "client_id": clientID, "text": text})
	var ackSeq int64
	return c.until(func(f frame) bool {
		if f.str("type") == "message" && f.str("client_id") == clientID {
			ackSeq = f.num("seq")
		}
		if f.str("type") == "error" {
			c.tb.Fatalf("error frame: %v", f)
		}
		if f.str("type") == "handoff" {
			c.tb.Fatalf("the message was handed to a clinician, so no AI reply will come: %v", f)
		}
		return f.str("type") == "done" && ackSeq > 0
	})
}
