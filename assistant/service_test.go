package assistant_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/assistant/assistanttest"
	"nightfloat/clinician"
	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
	"nightfloat/retrieval/retrievaltest"
	"nightfloat/safety"
)

type fixture struct {
	db *postgrestest.DB
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	db, _ := retrievaltest.ContentDB(tb, "../content")
	return &fixture{db: db}
}

// service builds a real service; override replaces parts for fault injection.
func (f *fixture) service(tb testing.TB, override func(*assistant.Deps)) *assistant.Service {
	tb.Helper()
	return assistanttest.NewService(tb, f.db, assistanttest.Options{Service: assistant.Options{TurnLease: 3 * time.Second}, Deps: override})
}

// waitFor polls the conversation until cond holds for its messages.
func waitFor(tb testing.TB, svc *assistant.Service, convID string, what string, cond func([]assistant.Message) bool) []assistant.Message {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, err := svc.Store().After(context.Background(), convID, 0, 500)
		if err == nil && cond(msgs) {
			return msgs
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s; have %+v (err %v)", what, msgs, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func hasReplyTo(seq int64, author, kind string) func([]assistant.Message) bool {
	return func(ms []assistant.Message) bool {
		for _, m := range ms {
			if m.ReplyTo == seq && m.Author == author && (kind == "" || m.Kind == kind) {
				return true
			}
		}
		return false
	}
}

func turnState(tb testing.TB, f *fixture, convID string, seq int64) string {
	tb.Helper()
	var s string
	if err := f.db.Pool.QueryRow(context.Background(), `SELECT turn_state FROM messages WHERE conversation_id = $1 AND seq = $2`, convID, seq).Scan(&s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// blockingResponder stands in for a slow model: it answers only when its context ends.
type blockingResponder struct{ started chan struct{} }

func (b blockingResponder) Respond(ctx context.Context, _ assistant.Request, _ func(string) error) (assistant.Reply, error) {
	close(b.started)
	<-ctx.Done()
	return assistant.Reply{}, ctx.Err()
}

func TestStopMidTurnAndRestartLosesNothing(t *testing.T) {
	f := newFixture(t)
	started := make(chan struct{})
	a := f.service(t, func(d *assistant.Deps) { d.Responder = blockingResponder{started: started} })
	ctx := context.Background()
	conv, _, err := a.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	msg, _, err := a.Submit(ctx, conv, "c1", "how do people recover sleep after a run of nights")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the turn never reached the responder")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_ = a.Shutdown(stopCtx) // the server goes away mid-turn

	if got := turnState(t, f, conv.ID, msg.Seq); got != assistant.TurnPending {
		t.Fatalf("an interrupted turn must stay pending for the next server, got %q", got)
	}
	b := f.service(t, nil) // the restarted server
	if err := b.Recover(ctx, 0); err != nil {
		t.Fatal(err)
	}
	msgs := waitFor(t, b, conv.ID, "the recovered reply", hasReplyTo(msg.Seq, assistant.AuthorAssistant, assistant.KindText))
	if msgs[1].Body != "how do people recover sleep after a run of nights" || msgs[1].ClientID != "c1" {
		t.Errorf("the resident's message changed across the restart: %+v", msgs[1])
	}
	if got := turnState(t, f, conv.ID, msg.Seq); got != assistant.TurnDone {
		t.Errorf("turn state after recovery: %q", got)
	}
}

// faultyClassifier wraps the real classifier and fails as told.
type faultyClassifier struct {
	real  assistant.Classifier
	fail  string        // "error" or "panic"
	gate  chan struct{} // when set, Assess waits for it (to take the database down first)
	reply string        // "error" fails CheckReply
}

func (c faultyClassifier) Assess(ctx context.Context, h []safety.Turn, m string) (safety.Assessment, error) {
	if c.gate != nil {
		<-c.gate
	}
	switch c.fail {
	case "error":
		return safety.Assessment{}, errors.New("classifier unavailable")
	case "panic":
		panic("classifier bug")
	}
	return c.real.Assess(ctx, h, m)
}

func (c faultyClassifier) CheckReply(ctx context.Context, r string) (safety.Verdict, error) {
	if c.reply == "error" {
		return safety.Verdict{}, errors.New("output check unavailable")
	}
	return c.real.CheckReply(ctx, r)
}

type failingRetriever struct{}

func (failingRetriever) Search(context.Context, nightfloat.Role, string, int) ([]retrieval.Result, error) {
	return nil, errors.New("search index unavailable")
}

func TestEveryFailureFailsClosed(t *testing.T) {
	f := newFixture(t)
	real, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		override func(*assistant.Deps)
	}{
		{"classifier error", func(d *assistant.Deps) { d.Classifier = faultyClassifier{real: real, fail: "error"} }},
		{"classifier panic", func(d *assistant.Deps) { d.Classifier = faultyClassifier{real: real, fail: "panic"} }},
		{"output check error", func(d *assistant.Deps) { d.Classifier = faultyClassifier{real: real, reply: "error"} }},
		{"retrieval error", func(d *assistant.Deps) { d.Retriever = failingRetriever{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := f.service(t, tt.override)
			ctx := context.Background()
			conv, _, err := svc.Start(ctx, "resident")
			if err != nil {
				t.Fatal(err)
			}
			msg, _, err := svc.Submit(ctx, conv, "x", "I had a rough night on call and can't switch off")
			if err != nil {
				t.Fatal(err)
			}
			msgs := waitFor(t, svc, conv.ID, "the fail-closed notice", hasReplyTo(msg.Seq, assistant.AuthorSystem, assistant.KindError))
			for _, m := range msgs {
				if m.Author == assistant.AuthorAssistant {
					t.Errorf("an AI reply went out despite the failure: %q", m.Body)
				}
			}
			notice := msgs[len(msgs)-1].Body
			if !strings.Contains(notice, "988") || !strings.Contains(notice, "555-0100") {
				t.Errorf("the failure notice lacks crisis resources: %q", notice)
			}
			if got := turnState(t, f, conv.ID, msg.Seq); got != assistant.TurnFailed {
				t.Errorf("turn state: %q", got)
			}
		})
	}
}

func TestDatabaseDownMidTurnTellsTheResidentAndRecovers(t *testing.T) {
	f := newFixture(t)
	real, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	svc := f.service(t, func(d *assistant.Deps) { d.Classifier = faultyClassifier{real: real, gate: gate} })
	ctx := context.Background()
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan assistant.Event, 64)
	svc.Hub().Subscribe(conv.ID, func(ev assistant.Event) bool { events <- ev; return true }, nil)
	msg, _, err := svc.Submit(ctx, conv, "x", "exhausted after a 28 hour call, can't think straight")
	if err != nil {
		t.Fatal(err)
	}

	postgrestest.SetConnections(t, f.db.URL, false) // the database goes away
	close(gate)
	var failure assistant.Event
	deadline := time.After(20 * time.Second)
	for failure.Kind != assistant.EventFailure {
		select {
		case failure = <-events:
		case <-deadline:
			t.Fatal("the resident was not told that the turn failed")
		}
	}
	if !strings.Contains(failure.Text, "988") {
		t.Errorf("the live failure notice lacks crisis resources: %q", failure.Text)
	}

	postgrestest.SetConnections(t, f.db.URL, true) // it comes back; the recovery loop finds the turn once its lease runs out
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go svc.RunRecovery(rctx, 200*time.Millisecond, 0)
	waitFor(t, svc, conv.ID, "the reply after the database returned", hasReplyTo(msg.Seq, assistant.AuthorAssistant, ""))
}

// claimAsNewClinician creates an on-call clinician account and has it claim the
// conversation's open handoff.
func claimAsNewClinician(t *testing.T, f *fixture, svc *assistant.Service, convID string) (assistant.Handoff, int64) {
	t.Helper()
	ctx := context.Background()
	accounts := clinician.NewAccounts(f.db.Pool, clinician.NewAudit(f.db.Pool), clinician.AccountOptions{ParallelHashes: 1})
	c, err := accounts.Create(ctx, "oncall1", "On Call", "a long enough password 1", []string{"oncall"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := svc.Store().CurrentHandoff(ctx, convID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Store().ClaimHandoff(ctx, h.ID, assistant.Clinician{ID: c.ID, Name: c.DisplayName}); err != nil {
		t.Fatal(err)
	}
	return h, c.ID
}
