package assistant

import (
	"context"
	"errors"
	"testing"
	"time"

	"nightfloat/postgres/postgrestest"
	"nightfloat/safety"
)

// TestResolveAndEscalateDoNotDeadlock: a resident's turn escalates in a conversation at
// the moment its clinician resolves the handoff. Both wait on the same conversation; once
// it is free neither may fail. (They used to take the conversation's and the handoff's
// locks in opposite orders, and PostgreSQL aborted one as a deadlock: the clinician saw
// "Something went wrong saving this conversation" and the resolve was lost.)
func TestResolveAndEscalateDoNotDeadlock(t *testing.T) {
	for _, reenable := range []bool{false, true} {
		t.Run(map[bool]string{false: "closed", true: "handed back to the AI"}[reenable], func(t *testing.T) {
			resolveWhileEscalating(t, reenable)
		})
	}
}

var urgent = safety.Assessment{Level: safety.Urgent, Categories: []safety.Category{safety.SuicidalIdeation}}

// waitingHandoff opens a handoff on a resident's red flag in a new conversation and adds
// an on-call clinician who has not claimed it yet.
func waitingHandoff(t *testing.T, ctx context.Context, db *postgrestest.DB, st *Store) (conv Conversation, handoffID, clinician int64) {
	t.Helper()
	conv, _, err := st.CreateConversation(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	m1, _, err := st.AppendResidentLimited(ctx, conv.ID, "r1", "red flag", time.Now().Add(-time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if handoffID, _, err = st.Escalate(ctx, conv, m1.Seq, urgent); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `INSERT INTO clinicians (username, display_name, password_hash, roles)
		VALUES ('oncall1', 'On Call', 'x', '{oncall}') RETURNING id`).Scan(&clinician); err != nil {
		t.Fatal(err)
	}
	return conv, handoffID, clinician
}

func resolveWhileEscalating(t *testing.T, reenable bool) {
	db := postgrestest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := NewStore(db.Pool)
	conv, hid, clinician := waitingHandoff(t, ctx, db, st)
	if err := st.ClaimHandoff(ctx, hid, Clinician{ID: clinician, Name: "On Call"}); err != nil {
		t.Fatal(err)
	}
	m2, _, err := st.AppendResidentLimited(ctx, conv.ID, "r2", "still here", time.Now().Add(-time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	held, err := st.Conversation(ctx, conv.ID) // what the resident's turn decides on
	if err != nil {
		t.Fatal(err)
	}

	// Hold the conversation so that the escalation, then the resolve, queue behind it.
	blocker, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec(ctx, `SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE`, conv.ID); err != nil {
		t.Fatal(err)
	}
	escalated := make(chan error, 1)
	go func() {
		_, _, err := st.Escalate(ctx, held, m2.Seq, urgent)
		escalated <- err
	}()
	waitForLockWaiters(t, ctx, db, 1)
	resolved := make(chan error, 1)
	go func() { resolved <- st.ResolveHandoff(ctx, hid, clinician, "safety_plan_made", "", reenable) }()
	waitForLockWaiters(t, ctx, db, 2)
	if err := blocker.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	if err := <-resolved; err != nil {
		t.Errorf("resolve failed while a turn escalated: %v", err)
	}
	if err := <-escalated; err != nil && !errors.Is(err, errConversationChanged) {
		t.Errorf("escalation failed while a clinician resolved: %v", err)
	}
	h, err := st.Handoff(ctx, hid)
	if err != nil {
		t.Fatal(err)
	}
	now, err := st.Conversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantMode := map[bool]string{false: ModeClosed, true: ModeAI}[reenable]
	if h.Status != HandoffResolved || now.Mode != wantMode {
		t.Errorf("after both: handoff %s, conversation %s; want resolved and %s", h.Status, now.Mode, wantMode)
	}
}

// waitForLockWaiters waits until n sessions of the test database are waiting on a lock.
func waitForLockWaiters(t *testing.T, ctx context.Context, db *postgrestest.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("want %d sessions waiting on a lock, have %d", n, waiting)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
