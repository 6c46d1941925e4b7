package assistant

import (
	"context"
	"errors"
	"fmt"
	"nightfloat"
	"strconv"
	"testing"
	"time"

	"nightfloat/clinician"
	"nightfloat/postgres"
	"nightfloat/postgres/postgrestest"
)

// failingAuditor is an audit log that cannot be written.
type failingAuditor struct{}

func (failingAuditor) RecordIn(context.Context, postgres.Querier, string, string, string, map[string]any) error {
	return errors.New("audit log unavailable")
}

// lateFailingAuditor writes the entry through the caller's querier, then fails: if the
// querier were not the change's transaction, the entry would outlive the refused change.
type lateFailingAuditor struct{ audit *clinician.Audit }

func (a lateFailingAuditor) RecordIn(ctx context.Context, q postgres.Querier, actor, action, target string, detail map[string]any) error {
	if err := a.audit.RecordIn(ctx, q, actor, action, target, detail); err != nil {
		return err
	}
	return errors.New("audit log failed after writing")
}

// handoffCase is one clinician action on a claimed or waiting handoff.
type handoffCase struct {
	name string
	do   func(ctx context.Context, svc *Service, by Clinician, id int64) error
}

var (
	claimCase = handoffCase{"claim", func(ctx context.Context, svc *Service, by Clinician, id int64) error {
		return svc.Claim(ctx, by, id)
	}}
	sayCase = handoffCase{"say", func(ctx context.Context, svc *Service, by Clinician, id int64) error {
		_, err := svc.Say(ctx, by, id, "c1", "are you safe right now?")
		return err
	}}
	resolveCase = handoffCase{"resolve", func(ctx context.Context, svc *Service, by Clinician, id int64) error {
		return svc.Resolve(ctx, by, id, "safety_plan_made", "", true)
	}}
)

// handoffWorld is a waiting handoff in a fresh database, with a service on it.
type handoffWorld struct {
	t    *testing.T
	ctx  context.Context
	db   *postgrestest.DB
	st   *Store
	conv Conversation
	id   int64
	by   Clinician
}

func newHandoffWorld(t *testing.T) *handoffWorld {
	t.Helper()
	db := postgrestest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	st := NewStore(db.Pool)
	conv, id, clinicianID := waitingHandoff(t, ctx, db, st)
	return &handoffWorld{t: t, ctx: ctx, db: db, st: st, conv: conv, id: id, by: Clinician{ID: clinicianID, Actor: clinician.ActorClinician(clinicianID)}}
}

func (w *handoffWorld) service(audit Auditor) *Service {
	return NewService(Deps{Store: w.st, Hub: NewHub(), Audit: audit}, Options{})
}

// state is what an action may change: the handoff's status, the conversation's mode, how
// many messages it has, and how many audit entries there are.
type handoffState struct {
	Status   string
	Mode     string
	Messages int
	Audited  int
}

func (w *handoffWorld) state() handoffState {
	w.t.Helper()
	var s handoffState
	h, err := w.st.Handoff(w.ctx, w.id)
	if err != nil {
		w.t.Fatal(err)
	}
	c, err := w.st.Conversation(w.ctx, w.conv.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	s.Status, s.Mode = h.Status, c.Mode
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT (SELECT count(*) FROM messages WHERE conversation_id = $1), (SELECT count(*) FROM audit_log)`,
		w.conv.ID).Scan(&s.Messages, &s.Audited); err != nil {
		w.t.Fatal(err)
	}
	return s
}

// TestHandoffActionsAreNotDoneWithoutTheirAuditEntry: a claim, a clinician's message and a
// resolve whose audit entry cannot be written (the log fails, fails after writing, or the
// service has no auditor) are refused as unavailable with the audit message, and change
// nothing: not the handoff, not the messages, not the audit log.
func TestHandoffActionsAreNotDoneWithoutTheirAuditEntry(t *testing.T) {
	for _, audit := range []struct {
		name string
		a    func(*postgrestest.DB) Auditor
	}{
		{"failing audit log", func(*postgrestest.DB) Auditor { return failingAuditor{} }},
		{"audit log failing after writing", func(db *postgrestest.DB) Auditor { return lateFailingAuditor{clinician.NewAudit(db.Pool)} }},
		{"no auditor", func(*postgrestest.DB) Auditor { return nil }},
	} {
		for _, tc := range []handoffCase{claimCase, sayCase, resolveCase} {
			t.Run(audit.name+"/"+tc.name, func(t *testing.T) {
				w := newHandoffWorld(t)
				if tc.name != "claim" {
					// Say and resolve need a claimed handoff; claim it with a working log.
					if err := w.service(clinician.NewAudit(w.db.Pool)).Claim(w.ctx, w.by, w.id); err != nil {
						t.Fatal(err)
					}
				}
				before := w.state()
				err := tc.do(w.ctx, w.service(audit.a(w.db)), w.by, w.id)
				if got := nightfloat.ErrorCode(err); got != nightfloat.CodeUnavailable {
					t.Fatalf("got code %q (err %v), want unavailable", got, err)
				}
				if got, want := nightfloat.ErrorMessage(err), "The action could not be recorded in the audit log."; got != want {
					t.Errorf("got message %q, want %q", got, want)
				}
				if got := w.state(); got != before {
					t.Errorf("an action without its audit entry changed the handoff: before %+v, after %+v", before, got)
				}
			})
		}
	}
}

// TestHandoffActionsAreAuditedInTheirTransaction: done actions leave exactly their entry,
// with the actor, target and detail the audit page shows; refused actions leave none.
func TestHandoffActionsAreAuditedInTheirTransaction(t *testing.T) {
	w := newHandoffWorld(t)
	audit := clinician.NewAudit(w.db.Pool)
	svc := w.service(audit)
	target := "handoff:" + strconv.FormatInt(w.id, 10)

	if _, err := svc.Say(w.ctx, w.by, w.id, "c0", "hello?"); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
		t.Fatalf("say before claim: got %v, want conflict", err)
	}
	if _, err := svc.Say(w.ctx, w.by, w.id, "c0", ""); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
		t.Fatalf("an empty message: got %v, want invalid", err)
	}
	if got := w.state().Audited; got != 0 {
		t.Fatalf("refused actions left %d audit entries", got)
	}
	for _, tc := range []handoffCase{claimCase, sayCase, resolveCase} {
		if err := tc.do(w.ctx, svc, w.by, w.id); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	if err := svc.Claim(w.ctx, w.by, w.id); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
		t.Fatalf("claiming a resolved handoff: got %v, want conflict", err)
	}
	if got := w.state(); got.Status != HandoffResolved || got.Mode != ModeAI {
		t.Fatalf("after resolve: %+v", got)
	}
	entries, err := audit.List(w.ctx, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ Actor, Action, Target, Detail string }
	var got []entry
	for _, e := range entries {
		got = append(got, entry{e.Actor, e.Action, e.Target, fmt.Sprint(e.Detail)}) // fmt sorts map keys
	}
	actor := w.by.Actor
	want := []entry{
		{actor, "handoff.claim", target, "map[]"},
		{actor, "handoff.message", target, "map[]"},
		{actor, "handoff.resolve", target, "map[ai_reenabled:true disposition:safety_plan_made]"},
	}
	if len(got) != len(want) {
		t.Fatalf("audit log: got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
