package evals

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/web/protocol"
)

// fakeServer plays the server's side of the protocol in memory. Messages containing
// "RED" are red flags; leak makes the assistant write after a handoff anyway; uncited
// drops citations; silent never answers.
type fakeServer struct {
	mu     sync.Mutex
	convs  map[string]*fakeConv
	leak   bool
	uncite bool
	silent bool
}

type fakeConv struct {
	msgs []protocol.ServerFrame
	mode string
}

type fakeConn struct {
	srv  *fakeServer
	conv *fakeConv
	id   string
	out  chan protocol.ServerFrame
}

func (s *fakeServer) dial(context.Context) (E2EConn, error) {
	return &fakeConn{srv: s, out: make(chan protocol.ServerFrame, 256)}, nil
}

func (c *fakeConn) Hello(role string) error {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if c.srv.convs == nil {
		c.srv.convs = map[string]*fakeConv{}
	}
	c.id = "conv-" + randomSuffix()
	c.conv = &fakeConv{mode: "ai"}
	c.srv.convs[c.id] = c.conv
	c.out <- protocol.ServerFrame{Type: "welcome", ConversationID: c.id, Token: "t", Mode: "ai"}
	c.store(protocol.ServerFrame{Type: "message", Message: assistant.Message{Author: "system", Kind: "disclosure", Body: "AI"}})
	return nil
}

func (c *fakeConn) Resume(id, token string, last int64) error {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	c.conv = c.srv.convs[id]
	c.out <- protocol.ServerFrame{Type: "welcome", ConversationID: id, Mode: c.conv.mode, Message: assistant.Message{Seq: int64(len(c.conv.msgs))}}
	for _, m := range c.conv.msgs {
		c.out <- m
	}
	return nil
}

// store appends a message (caller holds the lock) and sends it live.
func (c *fakeConn) store(m protocol.ServerFrame) protocol.ServerFrame {
	m.Seq = int64(len(c.conv.msgs) + 1)
	live := m
	m.ClientID = ""
	c.conv.msgs = append(c.conv.msgs, m)
	c.out <- live
	return m
}

func (c *fakeConn) Send(clientID, text string) error {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	m := c.store(protocol.ServerFrame{Type: "message", Message: assistant.Message{Author: "resident", Kind: "text", Body: text, ClientID: clientID}})
	reply := func() {
		cites := []assistant.Citation{{ChunkID: "a#1", DocID: "a", Title: "A"}}
		if c.srv.uncite {
			cites = nil
		}
		c.out <- protocol.ServerFrame{Type: "delta", Message: assistant.Message{ReplyTo: m.Seq, Body: "Here"}}
		r := c.store(protocol.ServerFrame{Type: "message", Message: assistant.Message{Author: "assistant", Kind: "text", Body: "Here is something", ReplyTo: m.Seq, Citations: cites}})
		c.out <- protocol.ServerFrame{Type: "done", Message: assistant.Message{Seq: r.Seq}}
	}
	switch {
	case c.srv.silent:
	case c.conv.mode == "human":
		if c.srv.leak {
			reply()
		}
	case strings.Contains(text, "RED"):
		c.conv.mode = "human"
		h := c.store(protocol.ServerFrame{Type: "message", Message: assistant.Message{Author: "system", Kind: "handoff", Body: "connecting you", ReplyTo: m.Seq}})
		c.out <- protocol.ServerFrame{Type: "done", Message: assistant.Message{Seq: h.Seq}}
		c.out <- protocol.ServerFrame{Type: "handoff", Level: "urgent", Status: "waiting", Mode: "human"}
	default:
		reply()
	}
	return nil
}

func (c *fakeConn) Next(ctx context.Context) (protocol.ServerFrame, error) {
	select {
	case f := <-c.out:
		return f, nil
	case <-ctx.Done():
		return protocol.ServerFrame{}, ctx.Err()
	}
}

func (c *fakeConn) Close() error { return nil }

var fastE2E = E2EOptions{TurnTimeout: 2 * time.Second, Settle: 50 * time.Millisecond}

func TestRunE2EChecks(t *testing.T) {
	scripts := []E2EScript{
		{ID: "esc", Role: "resident", Turns: []string{"hello", "RED flag", "still there?"}, Expect: Escalate},
		{ID: "neg", Role: "nurse", Turns: []string{"sleep tips?", "and caffeine?"}, Expect: NoEscalate},
		{ID: "miss", Role: "resident", Turns: []string{"no flag here"}, Expect: Escalate},
		{ID: "false", Role: "resident", Turns: []string{"RED but a hard negative"}, Expect: NoEscalate},
	}
	rep, err := RunE2E(context.Background(), (&fakeServer{}).dial, scripts, fastE2E)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 4 || rep.Escalate.Caught != 1 || rep.Escalate.Total != 2 || rep.NoEscalate.FalseEscalations != 1 || rep.Failures != 2 {
		t.Fatalf("report = %+v", rep)
	}
	if r := rep.Results[0]; !r.Passed || r.HandoffTurn != 2 || r.HandoffLevel != "urgent" || r.AIReplies != 1 {
		t.Errorf("esc = %+v", r)
	}
	if r := rep.Results[1]; !r.Passed || r.AIReplies != 2 || r.Cited != 2 {
		t.Errorf("neg = %+v", r)
	}
	if len(rep.Misses) != 2 || rep.Misses[0].ID != "miss" || rep.Misses[0].Kind != E2EMissedEscalation ||
		rep.Misses[1].ID != "false" || rep.Misses[1].Kind != E2EFalseEscalation {
		t.Errorf("misses = %+v", rep.Misses)
	}
	if rep.Latency.P50 <= 0 {
		t.Errorf("latency = %+v", rep.Latency)
	}
}

// The checks can fail: AI text after the handoff, an uncited reply, and no reply at all.
func TestRunE2EDetectsFailures(t *testing.T) {
	esc := []E2EScript{{ID: "esc", Role: "resident", Turns: []string{"RED", "more"}, Expect: Escalate}}
	rep, err := RunE2E(context.Background(), (&fakeServer{leak: true}).dial, esc, fastE2E)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failures != 1 || rep.Misses[0].Kind != E2EAIAfterHandoff || rep.Escalate.Caught != 0 {
		t.Fatalf("AI after handoff not caught: %+v", rep.Misses)
	}
	var live, stored bool
	for _, f := range rep.Misses[0].Failures {
		live = live || strings.Contains(f, "streamed after the red flag")
		stored = stored || strings.Contains(f, "stored assistant message")
	}
	if !live || !stored {
		t.Errorf("failures %v: want both the live delta and the stored message", rep.Misses[0].Failures)
	}

	neg := []E2EScript{{ID: "neg", Role: "resident", Turns: []string{"tips?"}, Expect: NoEscalate}}
	rep, _ = RunE2E(context.Background(), (&fakeServer{uncite: true}).dial, neg, fastE2E)
	if rep.Failures != 1 || rep.Misses[0].Kind != E2EUncited {
		t.Errorf("uncited reply not caught: %+v", rep.Misses)
	}
	rep, _ = RunE2E(context.Background(), (&fakeServer{silent: true}).dial, neg, E2EOptions{TurnTimeout: 200 * time.Millisecond, Settle: 20 * time.Millisecond})
	if rep.Failures != 1 || rep.Misses[0].Kind != E2ENoReply {
		t.Errorf("silence not caught: %+v", rep.Misses)
	}
}

func TestLoadE2EScripts(t *testing.T) {
	scripts, err := LoadE2EScripts(E2ESuite, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	esc := 0
	for _, s := range scripts {
		if s.Expect == Escalate {
			esc++
		}
		if s.Source == "" {
			t.Errorf("%s:%d: %s has no source", s.File, s.Line, s.ID)
		}
	}
	if len(scripts) < 20 || esc < 8 || len(scripts)-esc < 8 {
		t.Errorf("%d scripts, %d must escalate: want 20+ with both kinds well represented", len(scripts), esc)
	}
	dir := t.TempDir()
	bad := `{"id": "a", "role": "resident", "turns": ["hi"], "expect": "no_escalate"}
{"id": "b", "role": "surgeon", "turns": ["hi"], "expect": "no_escalate"}
`
	if err := os.WriteFile(dir+"/bad.jsonl", []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadE2EScripts(os.DirFS(dir), "bad.jsonl")
	if err == nil || !strings.Contains(err.Error(), `bad.jsonl:2: script "b": "role" "surgeon"`) {
		t.Errorf("error = %v", err)
	}
}
