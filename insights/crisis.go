package insights

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The annual crisis-referral report (for example under California SB 243, New York GBL
// article 47 or Utah HB 452), read from assistant's crisis-referral log, which holds daily
// counts and nothing that could identify a conversation. Counts from 1 to MinCell-1 are
// published as "<5", and where exactly one count in a breakdown would be hidden, the next
// smallest is hidden too, so that it cannot be worked out from the total.

// ReferralCount is one row of the crisis-referral log summed over a period.
type ReferralCount struct {
	Kind        string // assistant.Referral*
	Level       string // "" when not assessed
	Category    string // sorted, comma-separated categories; "" when none
	Disposition string // resolved handoffs only
	Count       int64
}

// ReferralCounts sums the log over the UTC days from..to inclusive.
func ReferralCounts(ctx context.Context, db DB, from, to time.Time) ([]ReferralCount, error) {
	rows, err := db.Query(ctx, `
		SELECT kind, level, category, disposition, sum(count)::bigint
		FROM crisis_referrals WHERE day BETWEEN $1::date AND $2::date
		GROUP BY kind, level, category, disposition
		ORDER BY kind, level, category, disposition`, from.Format(time.DateOnly), to.Format(time.DateOnly))
	out, err := collect(rows, err, func(row pgx.CollectableRow) (ReferralCount, error) {
		var c ReferralCount
		err := row.Scan(&c.Kind, &c.Level, &c.Category, &c.Disposition, &c.Count)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("insights: read crisis referrals: %w", err)
	}
	return out, nil
}

// Published is a count as a report publishes it: a number, or "<5".
type Published struct {
	n      int64
	hidden bool
}

func publish(n int64) Published { return Published{n: n, hidden: n > 0 && n < MinCell} }

// String is the count, or "<5" when it is hidden.
func (c Published) String() string {
	if c.hidden {
		return "<" + strconv.Itoa(MinCell)
	}
	return strconv.FormatInt(c.n, 10)
}

// MarshalJSON writes a shown count as a number and a hidden one as the string "<5".
func (c Published) MarshalJSON() ([]byte, error) {
	if c.hidden {
		return json.Marshal(c.String())
	}
	return json.Marshal(c.n)
}

// ReportRow is one line of a breakdown.
type ReportRow struct {
	Name  string    `json:"name"`
	Count Published `json:"count"`
}

// Breakdown is one table of the report: a total and its rows, largest first, hidden ones last.
type Breakdown struct {
	Title string      `json:"title"`
	Note  string      `json:"note,omitempty"`
	Total Published   `json:"total"`
	Rows  []ReportRow `json:"rows"`
}

// CrisisReport is one calendar year's crisis-referral report.
type CrisisReport struct {
	Year       int         `json:"year"`
	Period     string      `json:"period"`
	Suppressed string      `json:"suppression"`
	Sections   []Breakdown `json:"sections"`
}

// LoadCrisisReport reads the log for the calendar year (UTC days) and builds the report.
func LoadCrisisReport(ctx context.Context, db DB, year int) (CrisisReport, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	counts, err := ReferralCounts(ctx, db, from, from.AddDate(1, 0, -1))
	if err != nil {
		return CrisisReport{}, err
	}
	return buildCrisisReport(year, counts), nil
}

// kindNames are the report's words for the referral kinds (all but resolved, which the
// dispositions count).
var kindNames = map[string]string{
	referralHandoff:    "handoff to a clinician, with crisis resources",
	referralUnattended: "no clinician joined in time; resident given round-the-clock services",
	referralConcern:    "supportive reply to distress, with crisis resources",
	referralWithheld:   "unsafe reply withheld, crisis resources shown",
	referralClosed:     "closed conversation, crisis resources shown",
	referralFailClosed: "service failure, crisis resources shown",
}

func buildCrisisReport(year int, counts []ReferralCount) CrisisReport {
	notified := map[string]int64{} // every referral notification shown, by kind
	byLevel := map[string]int64{}
	byCategory := map[string]int64{}
	handoffs := map[string]int64{}
	dispositions := map[string]int64{}
	var notifiedTotal, handoffTotal, resolvedTotal, categorised int64
	for _, c := range counts {
		if c.Kind == referralResolved {
			dispositions[c.Disposition] += c.Count
			resolvedTotal += c.Count
			continue
		}
		notified[c.Kind] += c.Count
		notifiedTotal += c.Count
		level := c.Level
		if level == "" {
			level = "not assessed"
		}
		byLevel[level] += c.Count
		if c.Category != "" {
			categorised += c.Count
			for _, cat := range strings.Split(c.Category, ",") {
				byCategory[strings.ReplaceAll(cat, "_", " ")] += c.Count
			}
		}
		if c.Kind == referralHandoff {
			handoffs[c.Level] += c.Count
			handoffTotal += c.Count
		}
	}
	kinds := map[string]int64{}
	for k, n := range notified {
		kinds[kindNames[k]] = n
	}
	return CrisisReport{
		Year:       year,
		Period:     fmt.Sprintf("%d-01-01 to %d-12-31 (UTC days)", year, year),
		Suppressed: "counts from 1 to 4 are shown as <5; where one count in a breakdown is hidden, the next smallest is hidden too",
		Sections: []Breakdown{
			section("Crisis-referral notifications, by kind", "", notifiedTotal, kinds),
			section("Crisis-referral notifications, by level", "", notifiedTotal, byLevel),
			section("Crisis-referral notifications, by category", "a notification may fall under more than one category", categorised, byCategory),
			section("Handoffs to a clinician, by level", "", handoffTotal, handoffs),
			section("Handoffs resolved, by disposition", "", resolvedTotal, dispositions),
		},
	}
}

// section builds a breakdown with small counts hidden, and one more when exactly one is,
// so that the hidden one cannot be had by subtraction from the total.
func section(title, note string, total int64, m map[string]int64) Breakdown {
	b := Breakdown{Title: title, Note: note, Total: publish(total)}
	for name, n := range m {
		b.Rows = append(b.Rows, ReportRow{Name: name, Count: publish(n)})
	}
	sort.Slice(b.Rows, func(i, j int) bool {
		if b.Rows[i].Count.n != b.Rows[j].Count.n {
			return b.Rows[i].Count.n > b.Rows[j].Count.n
		}
		return b.Rows[i].Name < b.Rows[j].Name
	})
	hidden := 0
	for _, r := range b.Rows {
		if r.Count.hidden {
			hidden++
		}
	}
	if hidden == 1 && !b.Total.hidden {
		// The smallest shown count goes too.
		idx := -1
		for i, r := range b.Rows {
			if !r.Count.hidden && r.Count.n > 0 && (idx < 0 || r.Count.n <= b.Rows[idx].Count.n) {
				idx = i
			}
		}
		if idx >= 0 {
			b.Rows[idx].Count.hidden = true
		} else {
			b.Total.hidden = true
		}
	}
	// Hidden rows sort last and by name, so their order gives nothing away either.
	slices.SortStableFunc(b.Rows, func(x, y ReportRow) int {
		switch {
		case x.Count.hidden && y.Count.hidden:
			return strings.Compare(x.Name, y.Name)
		case x.Count.hidden == y.Count.hidden:
			return 0
		case x.Count.hidden:
			return 1
		}
		return -1
	})
	return b
}
