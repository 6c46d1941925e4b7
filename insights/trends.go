package insights

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat"
)

// The programme's trends for leadership: weekly aggregates by role, distress level, safety
// category, document cited and pulse check-in. Three rules keep any one resident out of
// them:
//
//   - Minimum cell. Every count below TrendOptions.MinCell (default DefaultTrendMinCell) is
//     hidden, zero included; a hidden cell carries no count at all.
//   - Complementary suppression. Each table has a total per week. Where the total is shown,
//     more cells are hidden (smallest first) until the hidden cells of that week are not
//     one alone and together hold none or at least MinCell, so that the total minus the
//     shown cells cannot give a small count back.
//   - Aligned windows. Every cell is one whole ISO week (Monday to Monday, UTC) that has
//     ended, and a window is a fixed number of such weeks (TrendWindows) ending on a Monday.
//     There is no total over a window. So every figure any query returns is the figure of
//     one fixed (table, row, week) cell, the same in every window that holds the week, and
//     no two queries can be subtracted to reveal a part of a week; unaligned windows are
//     refused.

// DefaultTrendMinCell is the smallest count leadership sees when nothing is configured.
const DefaultTrendMinCell = 10

// TrendWindows are the window lengths, in ISO weeks, leadership may ask for.
var TrendWindows = []int{4, 13, 26}

// TrendOptions choose the trends' window.
type TrendOptions struct {
	Weeks   int       // one of TrendWindows; 0 means 4
	Until   time.Time // a Monday 00:00 UTC, exclusive end; zero means the start of this week
	MinCell int       // 0 means DefaultTrendMinCell; at least 2
	Now     func() time.Time
}

// Trends are leadership's weekly tables.
type Trends struct {
	Weeks   []time.Time // the Mondays of the weeks shown, oldest first
	MinCell int
	Tables  []TrendTable
}

// TrendTable is one breakdown: a row per group, a cell per week, and the week's total.
type TrendTable struct {
	ID, Title string
	Unit      string // what a count counts
	Rows      []TrendRow
	Total     TrendRow
}

// TrendRow is one group's weekly cells.
type TrendRow struct {
	Label string
	Cells []TrendCell
}

// TrendCell is a count that is either shown or hidden. A hidden cell holds no count.
type TrendCell struct {
	n     int
	shown bool
}

// Shown reports whether the cell may be seen.
func (c TrendCell) Shown() bool { return c.shown }

// Count is the count when shown, and 0 when hidden.
func (c TrendCell) Count() int { return c.n }

// String is the count, or "hidden".
func (c TrendCell) String() string {
	if !c.shown {
		return "hidden"
	}
	return fmt.Sprint(c.n)
}

// Pulse topics and scores, as insights names them (pulse.Topics plus "none").
var (
	pulseTopics = []string{"workload", "sleep", "supervision", "team", "personal", "other", "none"}
	pulseScores = []string{"1", "2", "3", "4", "5"}
)

// CheckTrendWindow refuses any window but whole, aligned ISO weeks of an allowed length.
func CheckTrendWindow(weeks int, until time.Time) error {
	if !slices.Contains(TrendWindows, weeks) {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "Trends cover %v weeks, not %d.", TrendWindows, weeks)
	}
	if !until.IsZero() && (until.UTC().Weekday() != time.Monday || !until.Equal(until.UTC().Truncate(24*time.Hour))) {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "A window ends at the start of an ISO week (Monday 00:00 UTC).")
	}
	return nil
}

// LoadTrends reads the weekly tables, suppressed. It reads conversations, messages and
// assessments (assistant's) and pulse_checkins (pulse's).
func LoadTrends(ctx context.Context, db DB, o TrendOptions) (Trends, error) {
	if o.Weeks == 0 {
		o.Weeks = 4
	}
	if o.MinCell == 0 {
		o.MinCell = DefaultTrendMinCell
	}
	if o.MinCell < 2 {
		return Trends{}, fmt.Errorf("insights: trends: minimum cell %d: want at least 2", o.MinCell)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := CheckTrendWindow(o.Weeks, o.Until); err != nil {
		return Trends{}, err
	}
	until := o.Until.UTC()
	if until.IsZero() || until.After(o.Now()) {
		until = isoWeek(o.Now()) // only weeks that have ended: a week still running would change under a second look
	}
	from := until.AddDate(0, 0, -7*o.Weeks)
	t := Trends{MinCell: o.MinCell}
	for i := range o.Weeks {
		t.Weeks = append(t.Weeks, from.AddDate(0, 0, 7*i))
	}
	// active: each conversation and ISO week in which its resident wrote.
	const active = `WITH active AS (
		SELECT conversation_id, date_trunc('week', created_at AT TIME ZONE 'UTC') AS week
		FROM messages WHERE author = $3 AND created_at >= $1 AND created_at < $2 GROUP BY 1, 2) `
	levels := make([]string, len(nightfloat.Levels))
	for i, l := range nightfloat.Levels {
		levels[i] = l.String()
	}
	roles := make([]string, len(nightfloat.Roles))
	for i, r := range nightfloat.Roles {
		roles[i] = string(r)
	}
	specs := []struct {
		id, title, unit string
		fixed           []string // rows always listed, in this order; nil: the rows found, by name
		sql             string
		args            []any
	}{
		{"role", "By role", "conversations", roles, active + `
			SELECT c.role, a.week, count(*) FROM active a JOIN conversations c ON c.id = a.conversation_id GROUP BY 1, 2`,
			[]any{authorResident}},
		{"distress", "By highest distress level in the week", "conversations", levels, active + `
			SELECT ($4::text[])[lvl], week, count(*) FROM (
				SELECT a.conversation_id, a.week, coalesce(max(array_position($4::text[], s.level)), 1) AS lvl
				FROM active a LEFT JOIN assessments s ON s.conversation_id = a.conversation_id AND s.subject = $5
				     AND s.created_at >= a.week AT TIME ZONE 'UTC' AND s.created_at < (a.week + interval '7 days') AT TIME ZONE 'UTC'
				GROUP BY 1, 2) x GROUP BY 1, 2`,
			[]any{authorResident, levels, subjectMessage}},
		{"category", "By safety category raised", "conversations", nil, `
			SELECT cat, date_trunc('week', created_at AT TIME ZONE 'UTC'), count(DISTINCT conversation_id)
			FROM assessments, unnest(categories) cat
			WHERE subject = $3 AND created_at >= $1 AND created_at < $2 GROUP BY 1, 2`,
			[]any{subjectMessage}},
		{"document", "By document cited", "conversations", nil, `
			SELECT d->>'title', date_trunc('week', created_at AT TIME ZONE 'UTC'), count(DISTINCT conversation_id)
			FROM messages, jsonb_array_elements(citations) d
			WHERE created_at >= $1 AND created_at < $2 AND d->>'title' IS NOT NULL GROUP BY 1, 2`, nil},
		{"pulse", "Weekly pulse: how are you doing (1 struggling – 5 well)", "check-ins", pulseScores, `
			SELECT score::text, week, count(*) FROM pulse_checkins WHERE week >= $1::date AND week < $2::date GROUP BY 1, 2`, nil},
		{"pulse_topic", "Weekly pulse: topic", "check-ins", pulseTopics, `
			SELECT coalesce(topic, 'none'), week, count(*) FROM pulse_checkins WHERE week >= $1::date AND week < $2::date GROUP BY 1, 2`, nil},
	}
	counts := make([]map[string][]int, len(specs))
	for k, sp := range specs {
		rows, err := db.Query(ctx, sp.sql, append([]any{from, until}, sp.args...)...)
		if err != nil {
			return Trends{}, fmt.Errorf("insights: trends %s: %w", sp.id, err)
		}
		m := map[string][]int{}
		for _, f := range sp.fixed {
			m[f] = make([]int, o.Weeks)
		}
		var label string
		var week time.Time
		var n int
		_, err = pgx.ForEachRow(rows, []any{&label, &week, &n}, func() error {
			i := int(week.Sub(from).Hours() / (24 * 7))
			if i < 0 || i >= o.Weeks {
				return nil
			}
			if m[label] == nil {
				if sp.fixed != nil {
					return nil // a value outside the fixed list is not a row
				}
				m[label] = make([]int, o.Weeks)
			}
			m[label][i] = n
			return nil
		})
		if err != nil {
			return Trends{}, fmt.Errorf("insights: trends %s: %w", sp.id, err)
		}
		counts[k] = m
	}
	// Totals: conversations active per week (a partition by role), check-ins per week.
	activeTotal, pulseTotal := make([]int, o.Weeks), make([]int, o.Weeks)
	for i := range o.Weeks {
		for _, v := range counts[0] {
			activeTotal[i] += v[i]
		}
		for _, v := range counts[4] {
			pulseTotal[i] += v[i]
		}
	}
	for k, sp := range specs {
		labels := sp.fixed
		if labels == nil {
			for l := range counts[k] {
				labels = append(labels, l)
			}
			sort.Strings(labels)
		}
		total := activeTotal
		if sp.unit == "check-ins" {
			total = pulseTotal
		}
		raw := make([][]int, len(labels))
		for i, l := range labels {
			raw[i] = counts[k][l]
		}
		cells, tot := suppress(raw, total, o.MinCell)
		tab := TrendTable{ID: sp.id, Title: sp.title, Unit: sp.unit, Total: TrendRow{Label: "All " + sp.unit, Cells: tot}}
		for i, l := range labels {
			row := TrendRow{Label: l, Cells: cells[i]}
			if sp.fixed == nil && !anyShown(row.Cells) {
				continue // a found row with nothing to show is left out altogether
			}
			tab.Rows = append(tab.Rows, row)
		}
		t.Tables = append(t.Tables, tab)
	}
	return t, nil
}

// suppress hides small cells and their complements, week by week: raw[row][week] against
// total[week]. A hidden cell keeps no count.
func suppress(raw [][]int, total []int, minCell int) ([][]TrendCell, []TrendCell) {
	cells := make([][]TrendCell, len(raw))
	for r := range raw {
		cells[r] = make([]TrendCell, len(total))
	}
	tot := make([]TrendCell, len(total))
	for w := range total {
		shown := make([]bool, len(raw))
		hiddenN, hiddenSum := 0, 0
		for r := range raw {
			shown[r] = raw[r][w] >= minCell
			if !shown[r] {
				hiddenN++
				hiddenSum += raw[r][w]
			}
		}
		totalShown := total[w] >= minCell
		if !totalShown {
			for r := range shown {
				shown[r] = false
			}
		}
		// Complementary suppression: no lone hidden cell, and no hidden group holding
		// fewer than minCell, while the total could be subtracted from.
		for totalShown && hiddenN > 0 && (hiddenN == 1 || hiddenSum < minCell && hiddenSum > 0) {
			next := -1
			for r := range raw {
				if shown[r] && (next < 0 || raw[r][w] < raw[next][w]) {
					next = r
				}
			}
			if next < 0 {
				break
			}
			shown[next] = false
			hiddenN++
			hiddenSum += raw[next][w]
		}
		for r := range raw {
			if shown[r] {
				cells[r][w] = TrendCell{n: raw[r][w], shown: true}
			}
		}
		if totalShown {
			tot[w] = TrendCell{n: total[w], shown: true}
		}
	}
	return cells, tot
}

func anyShown(cells []TrendCell) bool {
	return slices.ContainsFunc(cells, func(c TrendCell) bool { return c.shown })
}

// isoWeek is the Monday (00:00 UTC) of t's ISO week.
func isoWeek(t time.Time) time.Time {
	t = t.UTC().Truncate(24 * time.Hour)
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}
