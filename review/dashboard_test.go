package review

import (
	"context"
	"nightfloat/clinician"
	"testing"
	"time"
)

func TestCellSuppression(t *testing.T) {
	for n, want := range map[Cell]string{0: "0", 1: "<5", 4: "<5", 5: "5", 12: "12"} {
		if got := n.String(); got != want {
			t.Errorf("Cell(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDashboardCounts(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	f.Create(t, "oncall1", clinician.RoleOncall)
	a, b := f.Create(t, "rev-a", clinician.RoleReviewer), f.Create(t, "rev-b", clinician.RoleReviewer)
	now := f.Clock.Now()
	// Six handoffs today claimed after 1..6 minutes, and two emergencies left waiting.
	for i := range 6 {
		c := newConv(t, f.DB.Pool, "resident", now)
		s := c.resident("x")
		c.handoff(s, "urgent", "claimed", "suicidal_ideation")
		if _, err := f.DB.Pool.Exec(ctx, `UPDATE handoffs SET created_at = $2::timestamptz, claimed_at = $2::timestamptz + $3::int * interval '1 minute' WHERE conversation_id = $1`,
			c.id, now.Add(-time.Hour), i+1); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		c := newConv(t, f.DB.Pool, "resident", now)
		c.handoff(c.resident("y"), "emergency", "waiting", "acute_crisis")
		if _, err := f.DB.Pool.Exec(ctx, `UPDATE handoffs SET created_at = $2 WHERE conversation_id = $1`, c.id, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// Two items double-reviewed: one agreeing, one not.
	for i, second := range []string{EscalationNA, EscalationAppropriate} {
		id, _ := f.item(t, "z")
		for _, rv := range []clinician.Clinician{a, b} {
			if _, err := f.q.Claim(ctx, rv, id); err != nil {
				t.Fatal(err)
			}
			r := Rubric{Escalation: EscalationMissed, Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3, Marks: []TurnMark{{Seq: 1, Mark: MarkMissedEscalation}}}
			if rv.ID == b.ID {
				r = Rubric{Escalation: second, Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3}
			}
			if _, err := f.q.Submit(ctx, rv, id, r); err != nil {
				t.Fatalf("item %d: %v", i, err)
			}
		}
	}
	d, err := LoadDashboard(ctx, f.DB.Pool, DashboardOptions{Days: 7, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	today := d.Days[len(d.Days)-1]
	if !today.Day.Equal(now.Truncate(24 * time.Hour)) {
		t.Fatalf("last day %v", today.Day)
	}
	if today.HandoffsUrgent != 6 || today.HandoffsEmergency != 2 || today.Unclaimed != 2 || today.Claimed != 6 {
		t.Errorf("handoffs %+v", today)
	}
	if today.ClaimP50 == nil || *today.ClaimP50 != 210*time.Second || today.ClaimP90 == nil || *today.ClaimP90 != 330*time.Second {
		t.Errorf("claim p50 %v p90 %v, want 3m30s and 5m30s", today.ClaimP50, today.ClaimP90)
	}
	if today.Reviews != 4 || today.Missed != 2 || today.OverEscalated != 0 || today.Disagreements != 2 || today.Reviews.String() != "<5" {
		t.Errorf("reviews %+v", today)
	}
	if today.Conversations != 10 || today.Backlog != 2 || d.BacklogNow != 2 || d.UnclaimedNow != 2 {
		t.Errorf("conversations %d backlog %d/%d unclaimed %d", today.Conversations, today.Backlog, d.BacklogNow, d.UnclaimedNow)
	}
	if d.Agreement.N != 2 || d.AgreementShown() {
		t.Errorf("agreement %+v: two pairs must not be shown", d.Agreement)
	}
	if len(d.Categories) != 2 || d.Categories[0].Category != "acute_crisis" || d.Categories[1].Counts[len(d.Days)-1] != 6 {
		t.Errorf("categories %+v", d.Categories)
	}
}
