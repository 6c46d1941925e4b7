package insights

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat"
)

// DashboardOptions choose the dashboard's window.
type DashboardOptions struct {
	Days int // UTC days ending today; default 14, at most 92
	Now  func() time.Time
}

// Dashboard is the supervisor's aggregate view. It holds counts only: no conversation ids,
// no text, nothing per resident.
type Dashboard struct {
	From, To   time.Time // UTC midnights; To is exclusive
	Days       []DayStats
	Categories []CategoryRow // handoffs by category, per day
	Agreement  Kappa         // round-1 vs round-2 escalation ratings over the window
	// Now: what waits at this moment.
	BacklogNow   Cell
	UnclaimedNow Cell
}

// DayStats are one UTC day's figures.
type DayStats struct {
	Day               time.Time
	Conversations     Cell // started that day
	HandoffsUrgent    Cell
	HandoffsEmergency Cell
	// Time from handoff to claim, over the day's claimed handoffs; nil when fewer than
	// MinCell handoffs were claimed (percentiles of a handful would single them out).
	ClaimP50, ClaimP90 *time.Duration
	Claimed            Cell
	Unclaimed          Cell // the day's handoffs that no clinician has claimed (yet)
	Backlog            Cell // review items waiting at the end of the day
	Reviews            Cell // reviews submitted that day
	Missed             Cell // of which rated a missed escalation
	OverEscalated      Cell // of which rated an over-escalation
	Disagreements      Cell // second reviews that disagreed with the first
}

// CategoryRow is one handoff category's counts per day (same order as Dashboard.Days).
type CategoryRow struct {
	Category string
	Counts   []Cell
}

// LoadDashboard computes the dashboard from conversations and handoffs (assistant's) and
// review items and reviews (review's). Claims come from the handoff table; handoffs deleted
// by retention no longer count.
func LoadDashboard(ctx context.Context, db DB, o DashboardOptions) (Dashboard, error) {
	if o.Days <= 0 {
		o.Days = 14
	}
	o.Days = min(o.Days, 92)
	if o.Now == nil {
		o.Now = time.Now
	}
	now := o.Now().UTC()
	to := now.Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -o.Days)
	d := Dashboard{From: from, To: to, Days: make([]DayStats, o.Days)}
	for i := range d.Days {
		d.Days[i].Day = from.AddDate(0, 0, i)
	}
	// dayIdx is the day index of a timestamp column relative to $1 (from).
	dayIdx := func(col string) string {
		return `floor(extract(epoch FROM ` + col + ` - $1::timestamptz) / 86400)::int`
	}
	// Each query takes the window as $1 and $2, then its own arguments.
	queries := []struct {
		sql  string
		args []any
		dest func(s *DayStats) []*Cell
	}{
		{`SELECT ` + dayIdx("created_at") + `, count(*) FROM conversations WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`, nil,
			func(s *DayStats) []*Cell { return []*Cell{&s.Conversations} }},
		{`SELECT ` + dayIdx("created_at") + `, count(*) FILTER (WHERE level = $3), count(*) FILTER (WHERE level = $4),
		         count(*) FILTER (WHERE claimed_at IS NOT NULL), count(*) FILTER (WHERE claimed_at IS NULL)
		  FROM handoffs WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`,
			[]any{nightfloat.LevelUrgent.String(), nightfloat.LevelEmergency.String()},
			func(s *DayStats) []*Cell {
				return []*Cell{&s.HandoffsUrgent, &s.HandoffsEmergency, &s.Claimed, &s.Unclaimed}
			}},
		{`SELECT ` + dayIdx("created_at") + `, count(*), count(*) FILTER (WHERE escalation = $3),
		         count(*) FILTER (WHERE escalation = $4)
		  FROM reviews WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`,
			[]any{escalationMissed, escalationOverEscalated},
			func(s *DayStats) []*Cell { return []*Cell{&s.Reviews, &s.Missed, &s.OverEscalated} }},
		{`SELECT ` + dayIdx("r.created_at") + `, count(*) FILTER (WHERE i.disagreement)
		  FROM reviews r JOIN review_items i ON i.id = r.item_id
		  WHERE r.round = 2 AND r.created_at >= $1 AND r.created_at < $2 GROUP BY 1`, nil,
			func(s *DayStats) []*Cell { return []*Cell{&s.Disagreements} }},
		{`SELECT n, count(i.id) FROM generate_series(0, (extract(epoch FROM $2::timestamptz - $1::timestamptz) / 86400)::int - 1) n
		  LEFT JOIN review_items i ON i.created_at < $1::timestamptz + (n + 1) * interval '1 day'
		       AND (i.done_at IS NULL OR i.done_at >= $1::timestamptz + (n + 1) * interval '1 day')
		  GROUP BY n`, nil,
			func(s *DayStats) []*Cell { return []*Cell{&s.Backlog} }},
	}
	for _, q := range queries {
		rows, err := db.Query(ctx, q.sql, append([]any{from, to}, q.args...)...)
		if err != nil {
			return d, fmt.Errorf("insights: dashboard: %w", err)
		}
		_, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (struct{}, error) {
			vals, err := row.Values()
			if err != nil {
				return struct{}{}, err
			}
			day := int(toInt(vals[0]))
			if day < 0 || day >= len(d.Days) {
				return struct{}{}, nil
			}
			for k, c := range q.dest(&d.Days[day]) {
				*c = Cell(toInt(vals[k+1]))
			}
			return struct{}{}, nil
		})
		if err != nil {
			return d, fmt.Errorf("insights: dashboard: %w", err)
		}
	}
	// Time to claim: percentiles per day, only over at least MinCell claimed handoffs.
	rows, err := db.Query(ctx, `SELECT `+dayIdx("created_at")+`, count(*),
		    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM claimed_at - created_at)),
		    percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM claimed_at - created_at))
		FROM handoffs WHERE claimed_at IS NOT NULL AND created_at >= $1 AND created_at < $2 GROUP BY 1`, from, to)
	if err != nil {
		return d, fmt.Errorf("insights: dashboard: %w", err)
	}
	var day, n int
	var p50, p90 float64
	_, err = pgx.ForEachRow(rows, []any{&day, &n, &p50, &p90}, func() error {
		if day >= 0 && day < len(d.Days) && n >= MinCell {
			a, b := time.Duration(p50*float64(time.Second)), time.Duration(p90*float64(time.Second))
			d.Days[day].ClaimP50, d.Days[day].ClaimP90 = &a, &b
		}
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("insights: dashboard: %w", err)
	}
	// Handoffs by category per day.
	rows, err = db.Query(ctx, `SELECT cat, `+dayIdx("created_at")+`, count(*)
		FROM handoffs, unnest(categories) cat WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2 ORDER BY 1`, from, to)
	if err != nil {
		return d, fmt.Errorf("insights: dashboard: %w", err)
	}
	byCat := map[string][]Cell{}
	var cat string
	_, err = pgx.ForEachRow(rows, []any{&cat, &day, &n}, func() error {
		if day < 0 || day >= len(d.Days) {
			return nil
		}
		if byCat[cat] == nil {
			byCat[cat] = make([]Cell, len(d.Days))
		}
		byCat[cat][day] = Cell(n)
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("insights: dashboard: %w", err)
	}
	for c, counts := range byCat {
		d.Categories = append(d.Categories, CategoryRow{Category: c, Counts: counts})
	}
	sort.Slice(d.Categories, func(i, j int) bool { return d.Categories[i].Category < d.Categories[j].Category })
	// Agreement: first and second reviews of the same item, second given in the window.
	rows, err = db.Query(ctx, `SELECT r1.escalation, r2.escalation FROM reviews r1
		JOIN reviews r2 ON r2.item_id = r1.item_id AND r2.round = 2
		WHERE r1.round = 1 AND r2.created_at >= $1 AND r2.created_at < $2`, from, to)
	if err != nil {
		return d, fmt.Errorf("insights: dashboard: %w", err)
	}
	var pairs [][2]string
	var a, b string
	if _, err := pgx.ForEachRow(rows, []any{&a, &b}, func() error { pairs = append(pairs, [2]string{a, b}); return nil }); err != nil {
		return d, fmt.Errorf("insights: dashboard: %w", err)
	}
	d.Agreement = CohenKappa(pairs)
	var backlog, unclaimed int
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM review_items WHERE status <> $1 AND conversation_id IS NOT NULL),
		(SELECT count(*) FROM handoffs WHERE status = $2)`, itemDone, handoffWaiting).Scan(&backlog, &unclaimed); err != nil {
		return d, fmt.Errorf("insights: dashboard: %w", err)
	}
	d.BacklogNow, d.UnclaimedNow = Cell(backlog), Cell(unclaimed)
	return d, nil
}

// AgreementShown reports whether kappa rests on enough pairs to show.
func (d Dashboard) AgreementShown() bool { return d.Agreement.Defined && d.Agreement.N >= MinCell }

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int:
		return int64(x)
	}
	return 0
}
