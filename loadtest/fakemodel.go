package loadtest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"nightfloat/llm/llmtest"
)

// FakeModel is a stand-in model for capacity runs: an HTTP server on loopback that speaks the
// OpenAI chat-completions streaming protocol (llmtest's fake server) and answers every
// request with the same safe reply, Pieces chunks Gap apart (the finishing chunk too) after
// FirstToken. Its timing is fixed, so the model's share of a turn is known and the rest is
// the server's own.
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
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: m.server(), ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// server is the fake model with the canned reply, keeping no record of requests.
func (m FakeModel) server() *llmtest.Server {
	if m.Pieces <= 0 {
		m.Pieces = len(fakeReply)
	}
	pieces := make([]string, m.Pieces)
	for i := range pieces {
		pieces[i] = fakeReply[i%len(fakeReply)] + " "
	}
	return &llmtest.Server{Forget: true, Steps: []llmtest.Step{{Pieces: pieces, Delay: m.FirstToken, Every: m.Gap,
		Usage: llmtest.Usage{Prompt: 900, Completion: m.Pieces}}}}
}
