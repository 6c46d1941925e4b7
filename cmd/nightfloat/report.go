package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"nightfloat/insights"
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
	r, err := insights.LoadCrisisReport(ctx, pool, *year)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat report: %v\n", err)
		return 1
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(e.stderr, "nightfloat report: %v\n", err)
			return 1
		}
		return 0
	}
	writeCrisisReport(e.stdout, r)
	return 0
}

// writeCrisisReport prints the report as text; the counts are already published
// (insights hid the small ones).
func writeCrisisReport(w io.Writer, r insights.CrisisReport) {
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
