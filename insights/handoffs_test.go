package insights_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"nightfloat/clinician"
	"nightfloat/insights"
	"nightfloat/review"
)

func TestHandoffGauges(t *testing.T) {
	f := newFixture(t, review.QueueOptions{})
	ctx := context.Background()
	f.Create(t, "oncall1", clinician.RoleOncall)
	opened := time.Now().Add(-time.Hour)
	// One waiting, one claimed after 10s, one resolved after a claim at 100s.
	for _, h := range []struct {
		status string
		claim  int // seconds from opening to claim
	}{{"waiting", 0}, {"claimed", 10}, {"resolved", 100}} {
		c := newConv(t, f.DB.Pool, "resident", opened)
		c.handoff(c.resident("x"), "urgent", h.status, "suicidal_ideation")
		if _, err := f.DB.Pool.Exec(ctx, `UPDATE handoffs SET created_at = $2,
			claimed_at = CASE WHEN claimed_at IS NULL THEN NULL ELSE $2::timestamptz + $3::int * interval '1 second' END
			WHERE conversation_id = $1`, c.id, opened, h.claim); err != nil {
			t.Fatal(err)
		}
	}
	g, err := insights.ReadHandoffGauges(ctx, f.DB.Pool, []float64{5, 15, 30, 60, 120})
	if err != nil {
		t.Fatal(err)
	}
	if g.Open != 2 || g.Waiting != 1 || g.Claimed != 2 || g.ClaimSeconds != 110 {
		t.Errorf("gauges %+v, want 2 open, 1 waiting, 2 claimed in 110s in all", g)
	}
	if want := []int64{0, 1, 1, 1, 2}; !slices.Equal(g.ClaimedWithin, want) {
		t.Errorf("claimed within %v = %v, want %v", []float64{5, 15, 30, 60, 120}, g.ClaimedWithin, want)
	}
}
