package assistant

import (
	"context"
	"errors"
	"testing"
	"time"

	"nightfloat/postgres"
	"nightfloat/postgres/postgrestest"
)

// TestHandoffChangeAndItsWorkCommitTogether: work passed to a claim, a clinician message
// or a resolve (the console passes the audit entry) runs in the change's transaction.
// When it fails, the change does not happen; when it succeeds, both are stored.
func TestHandoffChangeAndItsWorkCommitTogether(t *testing.T) {
	db := postgrestest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := NewStore(db.Pool)
	conv, hid, clinician := waitingHandoff(t, ctx, db, st)
	failing := func(context.Context, postgres.Querier) error { return errors.New("audit log unavailable") }
	note := func(action string) TxWork {
		return func(ctx context.Context, q postgres.Querier) error {
			_, err := q.Exec(ctx, `INSERT INTO audit_log (actor, action, target, detail) VALUES ('clinician:1', $1, 'handoff', '{}')`, action)
			return err
		}
	}
	messages := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE conversation_id = $1`, conv.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	audited := func(action string) int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	status := func() string {
		h, err := st.Handoff(ctx, hid)
		if err != nil {
			t.Fatal(err)
		}
		return h.Status
	}

	before := messages()
	if err := st.ClaimHandoff(ctx, hid, Clinician{ID: clinician, Name: "On Call"}, failing); err == nil {
		t.Fatal("a claim whose audit entry failed was reported as done")
	}
	if status() != HandoffWaiting || messages() != before {
		t.Fatalf("a claim whose audit entry failed took effect: status %s, %d new messages", status(), messages()-before)
	}
	if err := st.ClaimHandoff(ctx, hid, Clinician{ID: clinician, Name: "On Call"}, note("handoff.claim")); err != nil {
		t.Fatal(err)
	}
	if status() != HandoffClaimed || audited("handoff.claim") != 1 {
		t.Fatalf("claim: status %s, %d audit entries", status(), audited("handoff.claim"))
	}

	before = messages()
	if _, err := st.ClinicianSay(ctx, hid, clinician, "d1", "are you safe?", failing); err == nil || messages() != before {
		t.Fatalf("a message whose audit entry failed was stored (err %v)", err)
	}
	if err := st.ResolveHandoff(ctx, hid, clinician, "safety_plan_made", "", true, failing); err == nil {
		t.Fatal("a resolve whose audit entry failed was reported as done")
	}
	now, err := st.Conversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if status() != HandoffClaimed || now.Mode != ModeHuman || messages() != before {
		t.Fatalf("a resolve whose audit entry failed took effect: status %s, mode %s", status(), now.Mode)
	}
	if err := st.ResolveHandoff(ctx, hid, clinician, "safety_plan_made", "", true, note("handoff.resolve")); err != nil {
		t.Fatal(err)
	}
	if status() != HandoffResolved || audited("handoff.resolve") != 1 {
		t.Fatalf("resolve: status %s, %d audit entries", status(), audited("handoff.resolve"))
	}
}
