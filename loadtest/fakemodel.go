package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// FakeModel is a stand-in model for capacity runs: an HTTP server on loopback that speaks the
// OpenAI chat-completions streaming protocol (SSE chunks, then [DONE]) and answers every
// request with the same safe reply, Pieces chunks Gap apart after FirstToken. Its timing is
// fixed, so the model's share of a turn is known and the rest is the server's own.
type FakeModel struct {
	Addr       string        // loopback host:port to listen on
	FirstToken time.Duration // before the first chunk
	Gap        time.Duration // between chunks
	Pieces     int           // chunks per reply
}

var fakeReply = strings.Fields("It makes sense to feel worn down after a run of nights. A short wind-down routine, " +
	"dark and quiet for sleep, and a fixed anchor time can help your body settle. If it keeps weighing on you, " +
	"talking with someone you trust or the confidential resident support line is a good next step.")

// Serve runs the model until ctx ends.
func (m FakeModel) Serve(ctx context.Context) error {
	if err := CheckLoopback("http://" + m.Addr); err != nil {
		return err
	}
	if m.Pieces <= 0 {
		m.Pieces = len(fakeReply)
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (m FakeModel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Model string `json:"model"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	w.Header().Set("Content-Type", "text/event-stream")
	fl, _ := w.(http.Flusher)
	send := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-load", "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return true
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return false
		case <-t.C:
			return true
		}
	}
	if !wait(m.FirstToken) {
		return
	}
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	for i := 0; i < m.Pieces; i++ {
		if i > 0 && !wait(m.Gap) {
			return
		}
		send(map[string]any{"content": fakeReply[i%len(fakeReply)] + " "}, nil)
	}
	send(map[string]any{}, "stop")
	b, _ := json.Marshal(map[string]any{"id": "chatcmpl-load", "object": "chat.completion.chunk", "model": req.Model, "choices": []any{},
		"usage": map[string]int{"prompt_tokens": 900, "completion_tokens": m.Pieces, "total_tokens": 900 + m.Pieces}})
	fmt.Fprintf(w, "data: %s\n\n", b)
	fmt.Fprint(w, "data: [DONE]\n\n")
	if fl != nil {
		fl.Flush()
	}
}
