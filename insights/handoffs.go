package insights

import (
	"context"
	"fmt"
	"strings"
)

// HandoffGauges are the handoff figures over every handoff in the database (assistant's
// handoffs table), which /metrics serves.
type HandoffGauges struct {
	Open    int64 // not resolved (waiting or claimed)
	Waiting int64 // not claimed by a clinician yet
	Claimed int64 // ever claimed
	// ClaimSeconds is the total time from opening to claim over the claimed handoffs.
	ClaimSeconds float64
	// ClaimedWithin counts, per bound of the buckets asked for, the handoffs claimed within
	// that many seconds of opening.
	ClaimedWithin []int64
}

// ReadHandoffGauges reads the handoff gauges in one query, with the time to claim counted
// against buckets (upper bounds, in seconds).
func ReadHandoffGauges(ctx context.Context, db DB, buckets []float64) (HandoffGauges, error) {
	var b strings.Builder
	b.WriteString(`SELECT count(*) FILTER (WHERE status <> $1), count(*) FILTER (WHERE status = $2),
		count(claimed_at), coalesce(sum(extract(epoch FROM claimed_at - created_at)), 0)::float8`)
	for _, le := range buckets {
		fmt.Fprintf(&b, ",\n\t\tcount(*) FILTER (WHERE claimed_at - created_at <= make_interval(secs => %g))", le)
	}
	b.WriteString("\n\tFROM handoffs")
	g := HandoffGauges{ClaimedWithin: make([]int64, len(buckets))}
	dest := []any{&g.Open, &g.Waiting, &g.Claimed, &g.ClaimSeconds}
	for i := range g.ClaimedWithin {
		dest = append(dest, &g.ClaimedWithin[i])
	}
	if err := db.QueryRow(ctx, b.String(), handoffResolved, handoffWaiting).Scan(dest...); err != nil {
		return HandoffGauges{}, fmt.Errorf("insights: handoff gauges: %w", err)
	}
	return g, nil
}
