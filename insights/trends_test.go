package insights_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"nightfloat"
	"nightfloat/insights"
	"nightfloat/insights/insightstest"
	"nightfloat/postgres/postgrestest"
)

// The seeded month: four ISO weeks from Monday 2 November 2026, read on Wednesday 2
// December, so that the week of 30 November (still running) is never shown.
var (
	firstMonday = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	readAt      = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
)

// partitions are the tables whose rows split the week's total, so that the total minus
// the shown rows is exactly what the hidden rows hold.
var partitions = map[string]bool{"role": true, "distress": true, "pulse": true, "pulse_topic": true}

func seededMonth(t *testing.T) *postgrestest.DB {
	t.Helper()
	db := postgrestest.New(t)
	if err := insightstest.Seed(context.Background(), db.Pool, firstMonday, insightstest.Month()); err != nil {
		t.Fatal(err)
	}
	// Activity in the running week, which no window may show.
	if err := insightstest.Seed(context.Background(), db.Pool, firstMonday.AddDate(0, 0, 28), insightstest.Month()[:1]); err != nil {
		t.Fatal(err)
	}
	return db
}

// checkSuppressed holds every figure of tr to the rules: a shown count is at least the
// minimum, a hidden one holds nothing, and in a partition the hidden rows of a week with a
// shown total are never one alone and hold none or at least the minimum together.
func checkSuppressed(t *testing.T, tr insights.Trends) {
	t.Helper()
	for _, tab := range tr.Tables {
		for w := range tr.Weeks {
			cells := []insights.TrendCell{tab.Total.Cells[w]}
			for _, r := range tab.Rows {
				cells = append(cells, r.Cells[w])
			}
			for i, c := range cells {
				if c.Shown() && c.Count() < tr.MinCell {
					t.Errorf("%s week %d cell %d shows %d, under the minimum %d", tab.ID, w, i, c.Count(), tr.MinCell)
				}
				if !c.Shown() && (c.Count() != 0 || c.String() != "hidden") {
					t.Errorf("%s week %d cell %d is hidden but carries %d (%q)", tab.ID, w, i, c.Count(), c.String())
				}
			}
			if !partitions[tab.ID] || !tab.Total.Cells[w].Shown() {
				continue
			}
			hidden, rest := 0, tab.Total.Cells[w].Count()
			for _, r := range tab.Rows {
				if r.Cells[w].Shown() {
					rest -= r.Cells[w].Count()
				} else {
					hidden++
				}
			}
			if hidden == 1 {
				t.Errorf("%s week %d: one hidden row alone; the total gives it away", tab.ID, w)
			}
			if rest != 0 && rest < tr.MinCell {
				t.Errorf("%s week %d: the total minus the shown rows is %d, under the minimum", tab.ID, w, rest)
			}
		}
	}
}

// TestTrendsSuppression: no query leadership can make returns a count under the minimum,
// totals included, for every window length and several minimums.
func TestTrendsSuppression(t *testing.T) {
	db := seededMonth(t)
	ctx := context.Background()
	for _, weeks := range insights.TrendWindows {
		for _, minCell := range []int{0, 5, 10, 20} {
			t.Run(fmt.Sprintf("%d weeks, minimum %d", weeks, minCell), func(t *testing.T) {
				tr, err := insights.LoadTrends(ctx, db.Pool, insights.TrendOptions{Weeks: weeks, MinCell: minCell, Now: func() time.Time { return readAt }})
				if err != nil {
					t.Fatal(err)
				}
				if want := max(minCell, 0); want == 0 && tr.MinCell != insights.DefaultTrendMinCell {
					t.Errorf("default minimum %d, want %d", tr.MinCell, insights.DefaultTrendMinCell)
				}
				if len(tr.Weeks) != weeks || !tr.Weeks[weeks-1].Equal(firstMonday.AddDate(0, 0, 21)) {
					t.Fatalf("weeks %v: want %d ending with the last whole week", tr.Weeks, weeks)
				}
				checkSuppressed(t, tr)
			})
		}
	}
	// What the seeded month shows at the default minimum, week one.
	tr, err := insights.LoadTrends(ctx, db.Pool, insights.TrendOptions{Now: func() time.Time { return readAt }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tab := range tr.Tables {
		got[tab.ID+"/"+tab.Total.Label] = tab.Total.Cells[0].String()
		for _, r := range tab.Rows {
			got[tab.ID+"/"+r.Label] = r.Cells[0].String()
		}
	}
	for key, want := range map[string]string{
		"role/resident": "34", "role/fellow": "12", "role/nurse": "15", "role/All conversations": "75",
		"role/student": "hidden", "role/attending": "hidden",
		"role/app":        "hidden", // 10, hidden with them: student and attending together hold 4
		"distress/urgent": "hidden", "distress/emergency": "hidden", "distress/none": "60",
		"distress/concern":  "hidden", // 14, hidden with them: urgent and emergency together hold 1
		"category/distress": "18", "document/Early signs of burnout": "22",
		"pulse/All check-ins": "24",
	} {
		if got[key] != want {
			t.Errorf("%s = %q, want %q", key, got[key], want)
		}
	}
}

// TestTrendsDifferencing: windows are whole, aligned ISO weeks, so overlapping queries
// return the very same cells for the weeks they share and subtracting them recovers
// nothing; an unaligned window is refused.
func TestTrendsDifferencing(t *testing.T) {
	db := seededMonth(t)
	ctx := context.Background()
	load := func(weeks int, until time.Time) insights.Trends {
		t.Helper()
		tr, err := insights.LoadTrends(ctx, db.Pool, insights.TrendOptions{Weeks: weeks, Until: until, Now: func() time.Time { return readAt }})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	end := firstMonday.AddDate(0, 0, 28)
	windows := []insights.Trends{load(4, end), load(4, end.AddDate(0, 0, -7)), load(13, end), load(26, end.AddDate(0, 0, -14)), load(4, time.Time{})}
	cell := map[string]insights.TrendCell{}
	for _, tr := range windows {
		for _, tab := range tr.Tables {
			for _, r := range append(tab.Rows, tab.Total) {
				for w, c := range r.Cells {
					key := tab.ID + "/" + r.Label + "/" + tr.Weeks[w].Format(time.DateOnly)
					if prev, ok := cell[key]; ok && prev != c {
						t.Errorf("%s differs between overlapping windows: %v then %v", key, prev, c)
					}
					cell[key] = c
				}
			}
		}
	}
	// The running week is never a cell, even when asked for a window ending after it.
	if tr := load(4, end.AddDate(0, 0, 7)); !tr.Weeks[3].Equal(end.AddDate(0, 0, -7)) {
		t.Errorf("a window past now ends %v, want the last whole week", tr.Weeks[3])
	}
	for _, tc := range []struct {
		name  string
		weeks int
		until time.Time
	}{
		{"five weeks", 5, end},
		{"one week", 1, end},
		{"ends on a Tuesday", 4, end.AddDate(0, 0, 1)},
		{"ends mid-Monday", 4, end.Add(time.Hour)},
		{"ends a second late", 4, end.Add(time.Second)},
	} {
		_, err := insights.LoadTrends(ctx, db.Pool, insights.TrendOptions{Weeks: tc.weeks, Until: tc.until, Now: func() time.Time { return readAt }})
		var e *nightfloat.Error
		if !errors.As(err, &e) || e.Code != nightfloat.CodeInvalid {
			t.Errorf("%s: %v, want refused as invalid", tc.name, err)
		}
	}
}

// TestComplementarySuppression: the rule on one week's column, table-driven.
func TestComplementarySuppression(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rows  []int
		total int
		shown []bool // rows, then the total
	}{
		{"all large", []int{30, 20, 15}, 65, []bool{true, true, true, true}},
		{"one small: the smallest other hides too", []int{30, 3, 15, 12}, 60, []bool{true, false, true, false, true}},
		{"two small holding under the minimum: one more hides", []int{30, 3, 15, 4}, 52, []bool{true, false, false, false, true}},
		{"two small holding at least the minimum together", []int{30, 6, 25, 5}, 66, []bool{true, false, true, false, true}},
		{"one zero alone hides another", []int{30, 0, 15}, 45, []bool{true, false, false, true}},
		{"small total: everything hides", []int{5, 3}, 8, []bool{false, false, false}},
		{"a lone row", []int{12}, 12, []bool{true, true}},
		{"nothing left to hide with", []int{9, 3}, 12, []bool{false, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := make([][]int, len(tc.rows))
			for i, v := range tc.rows {
				raw[i] = []int{v}
			}
			cells, tot := insights.Suppress(raw, []int{tc.total}, 10)
			for i, c := range cells {
				if c[0].Shown() != tc.shown[i] {
					t.Errorf("row %d (%d) shown %v, want %v", i, tc.rows[i], c[0].Shown(), tc.shown[i])
				}
			}
			if tot[0].Shown() != tc.shown[len(tc.rows)] {
				t.Errorf("total shown %v, want %v", tot[0].Shown(), tc.shown[len(tc.rows)])
			}
		})
	}
}
