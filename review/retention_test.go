package review

import (
	"context"
	"nightfloat/assistant"
	"nightfloat/clinician"
	"slices"
	"testing"
	"time"
)

// retention wires assistant.Retention as the service does: the review queue holds
// conversations under review and clears review text; the accounts prune dead sessions.
func retention(f *queueFixture) assistant.Retention {
	return assistant.Retention{Pool: f.DB.Pool, Audit: f.Audit, Actor: clinician.ActorSystem, Days: 90, Now: f.Clock.Now,
		Holds: []assistant.RetentionHold{f.q}, Cleanups: []assistant.RetentionCleanup{f.q, f.Accounts}}
}

func TestRetentionKeepsExactlyWhatItMust(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	pool := f.DB.Pool
	a := f.Create(t, "rev-a", clinician.RoleReviewer)
	f.Create(t, "oncall1", clinician.RoleOncall)
	now := f.Clock.Now()
	old := now.AddDate(0, 0, -91)

	reviewedID, reviewed := f.item(t, "old and reviewed")
	if _, err := f.q.Claim(ctx, a, reviewedID); err != nil {
		t.Fatal(err)
	}
	rev, err := f.q.Submit(ctx, a, reviewedID, Rubric{Escalation: EscalationNA, Accuracy: 3, Grounding: 4, Empathy: 5, RoleFit: 2,
		Note: "quotes the resident", Marks: []TurnMark{{Seq: 2, Mark: MarkInaccurate, Note: "said X"}}})
	if err != nil {
		t.Fatal(err)
	}
	reviewed.touch(old)
	_, pending := f.item(t, "old, still in the queue")
	pending.touch(old)
	openHandoff := newConv(t, pool, "resident", old)
	s := openHandoff.resident("help")
	openHandoff.handoff(s, "urgent", "claimed")
	closedHandoff := newConv(t, pool, "resident", old)
	s = closedHandoff.resident("help")
	closedHandoff.handoff(s, "urgent", "resolved")
	plainOld := newConv(t, pool, "resident", old)
	plainOld.resident("old chat")
	plainOld.reply("old reply")
	edge := newConv(t, pool, "resident", now.AddDate(0, 0, -89)) // inside retention
	edge.resident("recent enough")

	res, err := retention(f).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	rows, _ := pool.Query(ctx, `SELECT id::text FROM conversations ORDER BY id`)
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		left = append(left, id)
	}
	want := []string{pending.id, openHandoff.id, edge.id}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("conversations left %v, want the queued, the open handoff and the recent one %v", left, want)
	}
	if res.Deleted != 3 || res.KeptHeld != 1 || res.KeptOpenHandoff != 1 || res.Cleaned["review_notes_cleared"] != 1 || res.Cleaned["mark_notes_cleared"] != 1 {
		t.Errorf("result %+v", res)
	}
	var msgs int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE conversation_id::text = ANY($1)`, []string{reviewed.id, plainOld.id, closedHandoff.id}).Scan(&msgs)
	if msgs != 0 {
		t.Errorf("%d messages of deleted conversations remain", msgs)
	}
	// The review keeps its ratings and marks (seq only); its text is gone.
	var esc string
	var acc, ground, emp, fit int
	if err := pool.QueryRow(ctx, `SELECT escalation, accuracy, grounding, empathy, role_fit FROM reviews WHERE id = $1`, rev.ID).
		Scan(&esc, &acc, &ground, &emp, &fit); err != nil {
		t.Fatalf("review lost: %v", err)
	}
	if esc != EscalationNA || acc != 3 || ground != 4 || emp != 5 || fit != 2 {
		t.Errorf("ratings changed: %s %d %d %d %d", esc, acc, ground, emp, fit)
	}
	var notes, markNotes, marks int
	_ = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM review_notes WHERE review_id = $1),
		(SELECT count(note) FROM review_marks WHERE review_id = $1), (SELECT count(*) FROM review_marks WHERE review_id = $1 AND seq = 2)`, rev.ID).
		Scan(&notes, &markNotes, &marks)
	if notes != 0 || markNotes != 0 || marks != 1 {
		t.Errorf("after retention: %d notes, %d mark notes, %d marks; want 0, 0, 1", notes, markNotes, marks)
	}
	// The reviewer can still open their review; the transcript is gone.
	v, err := f.q.Item(ctx, a, reviewedID)
	if err != nil || !v.TranscriptDeleted || len(v.Turns) != 0 || len(v.Reviews) != 1 || v.Reviews[0].Accuracy != 3 {
		t.Errorf("reviewed item after retention: %+v (%v)", v, err)
	}
	entries, _ := f.Audit.List(ctx, time.Time{}, 1000)
	if !slices.ContainsFunc(entries, func(e clinician.AuditEntry) bool {
		return e.Action == "retention.run" && e.Detail["deleted"] == float64(3)
	}) {
		t.Error("retention run not audited with its counts")
	}
	// Idempotent.
	if res, err := retention(f).Run(ctx); err != nil || res.Deleted != 0 {
		t.Errorf("second run: %+v (%v)", res, err)
	}
}

// TestRetentionPrunesDeadSessions: console sessions that expired or were revoked more
// than a day ago are deleted; live ones, and ones that died within the day, stay.
func TestRetentionPrunesDeadSessions(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	pool := f.DB.Pool
	a := f.Create(t, "rev-a", clinician.RoleReviewer)
	now := f.Clock.Now().UTC()
	sessions := []struct {
		name             string
		expires, revoked time.Time
		keep             bool
	}{
		{"live", now.Add(8 * time.Hour), time.Time{}, true},
		{"expired an hour ago", now.Add(-time.Hour), time.Time{}, true},
		{"expired two days ago", now.Add(-48 * time.Hour), time.Time{}, false},
		{"revoked two days ago, not yet expired", now.Add(8 * time.Hour), now.Add(-48 * time.Hour), false},
		{"revoked an hour ago", now.Add(8 * time.Hour), now.Add(-time.Hour), true},
	}
	for i, s := range sessions {
		id := make([]byte, 32)
		id[0] = byte(i + 1)
		var revoked *time.Time
		if !s.revoked.IsZero() {
			revoked = &s.revoked
		}
		if _, err := pool.Exec(ctx, `INSERT INTO clinician_sessions (id, clinician_id, csrf_token, created_at, last_seen_at, expires_at, revoked_at)
			VALUES ($1, $2, 'csrf', $3, $3, $4, $5)`, id, a.ID, now.Add(-72*time.Hour), s.expires, revoked); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	res, err := retention(f).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cleaned["sessions_pruned"] != 2 {
		t.Errorf("pruned %d sessions, want 2", res.Cleaned["sessions_pruned"])
	}
	for i, s := range sessions {
		id := make([]byte, 32)
		id[0] = byte(i + 1)
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM clinician_sessions WHERE id = $1`, id).Scan(&n)
		if got := n == 1; got != s.keep {
			t.Errorf("%s: kept %v, want %v", s.name, got, s.keep)
		}
	}
}
