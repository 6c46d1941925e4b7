package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"nightfloat/assistant"
)

const reportUsage = `Usage: nightfloat report crisis --year YYYY [--format text|json] [--database-url URL]

Prints the counts an annual report on crisis referrals needs (for example under California
SB 243, New York GBL article 47 or Utah HB 452): how often residents were shown crisis
resources, by kind, level and category; handoffs to clinicians; and their dispositions.

It reads only the crisis-referral log, which holds daily counts and nothing that could
identify a conversation. Counts from 1 to 4 are printed as "<5", and where exactly one
count in a breakdown would be hidden, the next smallest is hidden too, so that it cannot be
worked out from the total.
`

// suppressBelow is the smallest count a report shows.
const suppressBelow = 5

func runReport(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "crisis" {
		fmt.Fprint(e.stderr, reportUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return 0
		}
		return 2
	}
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	fs := flag.NewFlagSet("report crisis", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, reportUsage) }
	year := fs.Int("year", 0, "calendar year (UTC days)")
	format := fs.String("format", "text", "text or json")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *year < 2000 || *year > 9999 || (*format != "text" && *format != "json") || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, reportUsage)
		return 2
	}
	pool, code := e.openDB(ctx, cfg, "report")
	if pool == nil {
		return code
	}
	defer pool.Close()
	from := time.Date(*year, 1, 1, 0, 0, 0, 0, time.UTC)
	counts, err := assistant.NewStore(pool).ReferralCounts(ctx, from, from.AddDate(1, 0, -1))
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat report: %v\n", err)
		return 1
	}
	r := buildCrisisReport(*year, counts)
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(e.stderr, "nightfloat report: %v\n", err)
			return 1
		}
		return 0
	}
	r.writeText(e.stdout)
	return 0
}

// cell is a count as published: a number, or "<5".
type cell struct {
	n      int64
	hidden bool
}

func (c cell) String() string {
	if c.hidden {
		return "<" + strconv.Itoa(suppressBelow)
	}
	return strconv.FormatInt(c.n, 10)
}

// MarshalJSON writes a shown count as a number and a hidden one as the string "<5".
func (c cell) MarshalJSON() ([]byte, error) {
	if c.hidden {
		return json.Marshal(c.String())
	}
	return json.Marshal(c.n)
}

type reportRow struct {
	Name  string `json:"name"`
	Count cell   `json:"count"`
}

type breakdown struct {
	Title string      `json:"title"`
	Note  string      `json:"note,omitempty"`
	Total cell        `json:"total"`
	Rows  []reportRow `json:"rows"`
}

type crisisReport struct {
	Year       int         `json:"year"`
	Period     string      `json:"period"`
	Suppressed string      `json:"suppression"`
	Sections   []breakdown `json:"sections"`
}

// kindNames are the report's words for the referral kinds.
var kindNames = map[string]string{
	assistant.ReferralHandoff:    "handoff to a clinician, with crisis resources",
	assistant.ReferralUnattended: "no clinician joined in time; resident given round-the-clock services",
	assistant.ReferralConcern:    "supportive reply to distress, with crisis resources",
	assistant.ReferralWithheld:   "unsafe reply withheld, crisis resources shown",
	assistant.ReferralClosed:     "closed conversation, crisis resources shown",
	assistant.ReferralFailClosed: "service failure, crisis resources shown",
}

func buildCrisisReport(year int, counts []assistant.ReferralCount) crisisReport {
	notified := map[string]int64{} // every referral notification shown, by kind
	byLevel := map[string]int64{}
	byCategory := map[string]int64{}
	handoffs := map[string]int64{}
	dispositions := map[string]int64{}
	var notifiedTotal, handoffTotal, resolvedTotal, categorised int64
	for _, c := range counts {
		if c.Kind == assistant.ReferralResolved {
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
		if c.Kind == assistant.ReferralHandoff {
			handoffs[c.Level] += c.Count
			handoffTotal += c.Count
		}
	}
	kinds := map[string]int64{}
	for k, n := range notified {
		kinds[kindNames[k]] = n
	}
	return crisisReport{
		Year:       year,
		Period:     fmt.Sprintf("%d-01-01 to %d-12-31 (UTC days)", year, year),
		Suppressed: "counts from 1 to 4 are shown as <5; where one count in a breakdown is hidden, the next smallest is hidden too",
		Sections: []breakdown{
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
func section(title, note string, total int64, m map[string]int64) breakdown {
	b := breakdown{Title: title, Note: note, Total: publish(total)}
	for name, n := range m {
		b.Rows = append(b.Rows, reportRow{Name: name, Count: publish(n)})
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
	slices.SortStableFunc(b.Rows, func(x, y reportRow) int {
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

func publish(n int64) cell { return cell{n: n, hidden: n > 0 && n < suppressBelow} }

func (r crisisReport) writeText(w io.Writer) {
	fmt.Fprintf(w, "Nightfloat crisis-referral report, %s\n", r.Period)
	fmt.Fprintf(w, "No identifiers; %s.\n", r.Suppressed)
	for _, s := range r.Sections {
		fmt.Fprintf(w, "\n%s (total %s)\n", s.Title, s.Total)
		if s.Note != "" {
			fmt.Fprintf(w, "  (%s)\n", s.Note)
		}
		if len(s.Rows) == 0 {
			fmt.Fprintln(w, "  none")
		}
		for _, row := range s.Rows {
			fmt.Fprintf(w, "  %-72s %6s\n", row.Name, row.Count)
		}
	}
}
