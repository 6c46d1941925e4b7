package assistant

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"nightfloat"
	"nightfloat/clinician"
	"nightfloat/postgres/postgrestest"
)

// clock is a test's settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// countingNotifier records which conversations were pushed.
type countingNotifier struct {
	mu    sync.Mutex
	convs []string
}

func (n *countingNotifier) Notify(_ context.Context, convID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.convs = append(n.convs, convID)
	return nil
}

func (n *countingNotifier) pushed() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.convs...)
}

// checkinWorld is a claimed handoff in a fresh database, with a service on a test clock.
type checkinWorld struct {
	t     *testing.T
	ctx   context.Context
	db    *postgrestest.DB
	st    *Store
	svc   *Service
	clock *clock
	push  *countingNotifier
	conv  Conversation
	id    int64
	by    Clinician
	grace time.Duration
}

func newCheckinWorld(t *testing.T) *checkinWorld {
	t.Helper()
	db := postgrestest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	st := NewStore(db.Pool)
	conv, id, clinicianID := waitingHandoff(t, ctx, db, st)
	w := &checkinWorld{t: t, ctx: ctx, db: db, st: st, conv: conv, id: id, clock: &clock{t: time.Now()}, push: &countingNotifier{},
		by: Clinician{ID: clinicianID, Name: "On Call", Actor: clinician.ActorClinician(clinicianID)}, grace: 6 * time.Hour}
	w.svc = NewService(Deps{Store: st, Hub: NewHub(), Audit: clinician.NewAudit(db.Pool), Notifier: w.push, Crisis: CrisisResources{Institution: "Test"}},
		Options{Now: w.clock.now, CheckinGrace: w.grace})
	t.Cleanup(func() { _ = w.svc.Shutdown(context.Background()) })
	if err := w.svc.Claim(ctx, w.by, id); err != nil {
		t.Fatal(err)
	}
	return w
}

// resolveWithCheckin resolves the handoff with a check-in in 3 days and returns its time.
func (w *checkinWorld) resolveWithCheckin() time.Time {
	w.t.Helper()
	at := w.clock.now().Add(72 * time.Hour)
	if err := w.svc.ResolveWith(w.ctx, w.by, w.id, Resolution{Disposition: "safety_plan_made", CheckinAt: at}); err != nil {
		w.t.Fatal(err)
	}
	return at
}

func (w *checkinWorld) messages() []Message {
	w.t.Helper()
	msgs, err := w.st.After(w.ctx, w.conv.ID, 0, 500)
	if err != nil {
		w.t.Fatal(err)
	}
	return msgs
}

func (w *checkinWorld) checkinMessages(action string) []Message {
	var out []Message
	for _, m := range w.messages() {
		if m.Kind == KindCheckin && m.Checkin != nil && m.Checkin.Action == action {
			out = append(out, m)
		}
	}
	return out
}

func (w *checkinWorld) count(q string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(w.ctx, q, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// TestCheckinIsScheduledWithTheResolve: the check-in, the message telling the resident
// and the audit entry that names its time are stored with the resolve; a time that has
// passed or is too far ahead is refused and nothing is resolved.
func TestCheckinIsScheduledWithTheResolve(t *testing.T) {
	w := newCheckinWorld(t)
	now := w.clock.now()
	for _, at := range []time.Time{now.Add(-time.Minute), now.Add(MaxCheckinAhead + time.Hour)} {
		err := w.svc.ResolveWith(w.ctx, w.by, w.id, Resolution{Disposition: "referred", CheckinAt: at})
		if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
			t.Errorf("check-in at %v: %v, want invalid", at.Sub(now), err)
		}
	}
	if h, _ := w.st.Handoff(w.ctx, w.id); h.Status != HandoffClaimed {
		t.Fatalf("a refused resolve changed the handoff: %s", h.Status)
	}
	at := w.resolveWithCheckin()
	sched := w.checkinMessages(CheckinScheduled)
	if len(sched) != 1 || !sched[0].Checkin.DueAt.Equal(at.UTC().Truncate(time.Second)) || sched[0].Author != AuthorSystem {
		t.Fatalf("want one scheduled check-in message at %v, got %+v", at, sched)
	}
	if n := w.count(`SELECT count(*) FROM checkins WHERE handoff_id = $1 AND scheduled_by = $2 AND scheduled_by_name = 'On Call'`, w.id, w.by.ID); n != 1 {
		t.Errorf("%d check-in rows", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'handoff.resolve' AND detail ? 'checkin_at'`); n != 1 {
		t.Errorf("the resolve's audit entry does not record the check-in (%d)", n)
	}
}

// TestCheckinIsDeliveredWhenDueAndPushedOnce: nothing is shown before its time; at its
// time the watch stores the message and pushes the conversation's devices once; a
// check-in found by the resident coming back is delivered without a push.
func TestCheckinIsDeliveredWhenDueAndPushedOnce(t *testing.T) {
	w := newCheckinWorld(t)
	at := w.resolveWithCheckin()
	if err := w.svc.DeliverCheckins(w.ctx, w.conv.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.deliverAndPush(w.ctx); err != nil {
		t.Fatal(err)
	}
	if due := w.checkinMessages(CheckinDue); len(due) != 0 || len(w.push.pushed()) != 0 {
		t.Fatalf("delivered before its time: %+v, pushed %v", due, w.push.pushed())
	}
	w.clock.set(at.Add(time.Minute))
	for range 2 {
		if err := w.svc.deliverAndPush(w.ctx); err != nil {
			t.Fatal(err)
		}
	}
	due := w.checkinMessages(CheckinDue)
	if len(due) != 1 || !strings.Contains(due[0].Body, "How are you doing?") {
		t.Fatalf("want one check-in message, got %+v", due)
	}
	if got := w.push.pushed(); len(got) != 1 || got[0] != w.conv.ID {
		t.Errorf("pushed %v, want the conversation once", got)
	}

	// A second conversation's check-in, found when the resident comes back.
	w2 := newCheckinWorld(t)
	at2 := w2.resolveWithCheckin()
	w2.clock.set(at2.Add(time.Hour))
	if err := w2.svc.DeliverCheckins(w2.ctx, w2.conv.ID); err != nil {
		t.Fatal(err)
	}
	if err := w2.svc.deliverAndPush(w2.ctx); err != nil {
		t.Fatal(err)
	}
	if len(w2.checkinMessages(CheckinDue)) != 1 || len(w2.push.pushed()) != 0 {
		t.Errorf("on a visit: %d messages, pushed %v (want one message, no push)", len(w2.checkinMessages(CheckinDue)), w2.push.pushed())
	}
}

// TestCheckinAnswers: "I'm OK" is stored once as a reply to the check-in; "I'd like to
// talk" opens a handoff like a red flag, with crisis resources; an unknown or undelivered
// check-in cannot be answered.
func TestCheckinAnswers(t *testing.T) {
	for _, answer := range []string{CheckinOK, CheckinTalk} {
		t.Run(answer, func(t *testing.T) {
			w := newCheckinWorld(t)
			at := w.resolveWithCheckin()
			var kid int64
			if err := w.db.Pool.QueryRow(w.ctx, `SELECT id FROM checkins`).Scan(&kid); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.AnswerCheckin(w.ctx, w.conv, "a0", kid, answer); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
				t.Errorf("answering before it is shown: %v, want not_found", err)
			}
			w.clock.set(at.Add(time.Minute))
			if err := w.svc.DeliverCheckins(w.ctx, w.conv.ID); err != nil {
				t.Fatal(err)
			}
			due := w.checkinMessages(CheckinDue)[0]
			if _, err := w.svc.AnswerCheckin(w.ctx, w.conv, "a1", kid, "maybe"); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
				t.Errorf("a made-up answer: %v", err)
			}
			msg, err := w.svc.AnswerCheckin(w.ctx, w.conv, "a2", kid, answer)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Author != AuthorResident || msg.ReplyTo != due.Seq || msg.Checkin == nil || msg.Checkin.Answer != answer {
				t.Errorf("answer message %+v", msg)
			}
			if again, err := w.svc.AnswerCheckin(w.ctx, w.conv, "a2", kid, answer); err != nil || again.Seq != msg.Seq {
				t.Errorf("resend: %+v, %v", again, err)
			}
			if _, err := w.svc.AnswerCheckin(w.ctx, w.conv, "a3", kid, CheckinOK); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
				t.Errorf("a second answer: %v, want conflict", err)
			}
			c, err := w.st.Conversation(w.ctx, w.conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			open := w.count(`SELECT count(*) FROM handoffs WHERE conversation_id = $1 AND status <> 'resolved'`, w.conv.ID)
			if answer == CheckinOK {
				if c.Mode != ModeClosed || open != 0 {
					t.Errorf("after I'm OK: mode %s, %d open handoffs", c.Mode, open)
				}
				return
			}
			if c.Mode != ModeHuman || open != 1 {
				t.Errorf("after I'd like to talk: mode %s, %d open handoffs", c.Mode, open)
			}
			last := w.messages()
			notice := last[len(last)-1]
			if notice.Kind != KindHandoff || !strings.Contains(notice.Body, "988") || notice.ReplyTo != msg.Seq {
				t.Errorf("want the handoff notice with crisis resources, got %+v", notice)
			}
			if n := w.count(`SELECT count(*) FROM assessments WHERE conversation_id = $1 AND seq = $2 AND 'request_for_human' = ANY(categories)`,
				w.conv.ID, msg.Seq); n != 1 {
				t.Errorf("the answer is not recorded as a request for a person (%d)", n)
			}
		})
	}
}

// TestUnansweredCheckinsShowOnTheConsoleAfterTheGrace: a check-in is listed only once its
// time plus the grace has passed without an answer, until a clinician closes it (audited).
func TestUnansweredCheckinsShowOnTheConsoleAfterTheGrace(t *testing.T) {
	w := newCheckinWorld(t)
	at := w.resolveWithCheckin()
	list := func() []Checkin {
		t.Helper()
		ks, err := w.svc.UnansweredCheckins(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	w.clock.set(at.Add(w.grace - time.Minute))
	if err := w.svc.deliverAndPush(w.ctx); err != nil {
		t.Fatal(err)
	}
	if ks := list(); len(ks) != 0 {
		t.Fatalf("listed within the grace: %+v", ks)
	}
	w.clock.set(at.Add(w.grace + time.Minute))
	ks := list()
	if len(ks) != 1 || ks[0].Pseudonym != w.conv.Pseudonym || ks[0].HandoffID != w.id || ks[0].ScheduledByName != "On Call" {
		t.Fatalf("want the check-in listed with its pseudonym, got %+v", ks)
	}
	if err := w.svc.CloseCheckin(w.ctx, w.by, ks[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.CloseCheckin(w.ctx, w.by, ks[0].ID); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
		t.Errorf("closing twice: %v", err)
	}
	if ks := list(); len(ks) != 0 {
		t.Errorf("a closed check-in is still listed: %+v", ks)
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'checkin.close'`); n != 1 {
		t.Errorf("%d audit entries for the close", n)
	}

	// An answered check-in is never listed.
	w2 := newCheckinWorld(t)
	at2 := w2.resolveWithCheckin()
	w2.clock.set(at2.Add(time.Minute))
	if err := w2.svc.DeliverCheckins(w2.ctx, w2.conv.ID); err != nil {
		t.Fatal(err)
	}
	var kid int64
	if err := w2.db.Pool.QueryRow(w2.ctx, `SELECT id FROM checkins`).Scan(&kid); err != nil {
		t.Fatal(err)
	}
	if _, err := w2.svc.AnswerCheckin(w2.ctx, w2.conv, "ok", kid, CheckinOK); err != nil {
		t.Fatal(err)
	}
	w2.clock.set(at2.Add(w2.grace * 2))
	if ks, err := w2.svc.UnansweredCheckins(w2.ctx); err != nil || len(ks) != 0 {
		t.Errorf("an answered check-in is listed: %+v, %v", ks, err)
	}
}

// TestRetentionKeepsAConversationWithACheckinToCome: a conversation quiet past retention
// is kept while its check-in is still to come, and goes once it has been delivered.
func TestRetentionKeepsAConversationWithACheckinToCome(t *testing.T) {
	w := newCheckinWorld(t)
	w.resolveWithCheckin()
	if _, err := w.db.Pool.Exec(w.ctx, `UPDATE conversations SET last_active_at = now() - interval '100 days'`); err != nil {
		t.Fatal(err)
	}
	r := Retention{Pool: w.db.Pool, Audit: clinician.NewAudit(w.db.Pool), Actor: "system", Days: 90}
	res, err := r.Run(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 0 || res.KeptCheckin != 1 {
		t.Fatalf("retention with a check-in to come: %+v", res)
	}
	if _, err := w.db.Pool.Exec(w.ctx, `UPDATE checkins SET delivered_at = now(), message_seq = 1`); err != nil {
		t.Fatal(err)
	}
	if res, err = r.Run(w.ctx); err != nil || res.Deleted != 1 {
		t.Fatalf("once delivered the conversation goes with retention: %+v, %v", res, err)
	}
	if n := w.count(`SELECT count(*) FROM checkins`); n != 0 {
		t.Errorf("%d check-ins outlived their conversation", n)
	}
}
