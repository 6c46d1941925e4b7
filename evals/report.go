package evals

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"nightfloat/safety"
)

// WriteJSON writes the report as indented JSON (the schema of docs/evals.md).
func (r *SafetyReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report for a person at a terminal: totals, the gate, what
// changed since the baseline, the per-category table, the misses with their evidence,
// the holdout split, and the run's timing.
func (r *SafetyReport) WriteText(w io.Writer) error {
	var b bytes.Buffer
	title := "Nightfloat safety eval"
	if r.Version != "" {
		title += " — classifier " + r.Version
	}
	if r.Source != "" {
		title += " — " + r.Source
	}
	fmt.Fprintln(&b, title)
	fmt.Fprintln(&b)
	writeSplitText(&b, r)
	if r.Compare != nil {
		writeCompareText(&b, r.Compare)
	}
	if r.Holdout != nil {
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, strings.Repeat("=", 72))
		fmt.Fprintln(&b, "HOLDOUT SPLIT (held apart from rule tuning; see docs/evals.md)")
		fmt.Fprintln(&b)
		writeSplitText(&b, r.Holdout)
	}
	fmt.Fprintln(&b)
	writeTimingText(&b, r)
	if r.Gate != nil {
		fmt.Fprintln(&b)
		writeGateText(&b, r.Gate)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeSplitText(b *bytes.Buffer, r *SafetyReport) {
	fmt.Fprintf(b, "%s split: %d cases (%d must escalate, %d must not)\n\n", r.Split, r.Cases, r.Escalate.Total, r.NoEscalate.Total)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  must escalate\tcaught %d/%d\trecall %s\t95%% CI %s\t%s\n", r.Escalate.Caught, r.Escalate.Total,
		fmtRate(r.Escalate.Recall), fmtCI(r.Escalate.CI95), verdict(r.Escalate.Total-r.Escalate.Caught, "missed"))
	fmt.Fprintf(tw, "  must not escalate\tfalse alarms %d/%d\trate %s\t95%% CI %s\t\n", r.NoEscalate.FalseEscalations, r.NoEscalate.Total,
		fmtRate(r.NoEscalate.FalseRate), fmtCI(r.NoEscalate.CI95))
	tw.Flush()
	fmt.Fprintf(b, "  level too low: %d (handed off, but below the labelled level)\n", r.LevelTooLow)
	if r.Errors > 0 || r.LayerErrors > 0 {
		fmt.Fprintf(b, "  classifier errors: %d (failed closed); optional layer errors: %d\n", r.Errors, r.LayerErrors)
	}

	fmt.Fprintln(b)
	fmt.Fprintln(b, "By category (a must-not-escalate case is correct when not handed off)")
	tw = tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  category\tcases\tescalate\tno-escalate\tcorrect\trecall\t95%% CI\t\n")
	for _, k := range r.Categories() {
		cs := r.ByCategory[k]
		mark := ""
		if cs.Correct < cs.Total {
			mark = " <"
		}
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", k, cs.Total, cs.Escalate, cs.NoEscalate, cs.Correct,
			fmtRate(cs.Recall), fmtCI(cs.CI95), mark)
	}
	tw.Flush()

	fmt.Fprintln(b)
	fmt.Fprintln(b, "Confusion (label × level given; urgent and emergency hand off)")
	tw = tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  \tnone\tconcern\turgent\temergency\t\n")
	for _, label := range []string{Escalate, NoEscalate} {
		row := r.Confusion[label]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t\n", label, row["none"], row["concern"], row["urgent"], row["emergency"])
	}
	tw.Flush()
	writeCSSRSText(b, r.CSSRS)

	fmt.Fprintln(b)
	if len(r.Misses) == 0 {
		fmt.Fprintln(b, "Misses: none")
		return
	}
	fmt.Fprintf(b, "Misses (%d)\n", len(r.Misses))
	for _, m := range r.Misses {
		writeMissText(b, m)
	}
}

func verdict(n int, what string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("<- %d %s", n, what)
}

func writeMissText(b *bytes.Buffer, m Miss) {
	label := map[string]string{MissEscalation: "MISSED ESCALATION", MissFalse: "FALSE ESCALATION", MissLevelLow: "LEVEL TOO LOW"}[m.Kind]
	want := m.Expect
	if m.ExpectLevel != "" {
		want += " (" + m.ExpectLevel + ")"
	}
	fmt.Fprintf(b, "\n  %s  %s  expected %s, got %s", label, m.ID, want, m.Got)
	if m.Category != "" {
		fmt.Fprintf(b, "  [%s]", m.Category)
	}
	if m.File != "" {
		fmt.Fprintf(b, "  %s:%d", m.File, m.Line)
	}
	fmt.Fprintln(b)
	for _, t := range m.History {
		author := t.Author
		if author == "" {
			author = safety.AuthorResident
		}
		fmt.Fprintf(b, "      %-9s  %s\n", author+":", quote(t.Text, 100))
	}
	fmt.Fprintf(b, "      %-9s  %s\n", "message:", quote(m.Text, 160))
	if m.Note != "" {
		fmt.Fprintf(b, "      note: %s\n", m.Note)
	}
	if len(m.Evidence) == 0 {
		fmt.Fprintln(b, "      evidence: none (no rule fired)")
	}
	for _, e := range m.Evidence {
		fmt.Fprintf(b, "      evidence: %s %s %s/%s %s\n", e.Layer, e.RuleID, e.Category, e.Level, quote(e.Span, 80))
	}
	for _, e := range m.Errors {
		fmt.Fprintf(b, "      error: %s\n", e)
	}
}

func writeCompareText(b *bytes.Buffer, c *Comparison) {
	fmt.Fprintln(b)
	base := c.Baseline
	if c.BaselineVersion != "" {
		base += " (classifier " + c.BaselineVersion + ")"
	}
	fmt.Fprintf(b, "Changes since the baseline %s\n", base)
	if c.Empty() {
		fmt.Fprintln(b, "  none: every case has the same outcome and level")
		return
	}
	section := func(title string, chs []Change) {
		if len(chs) == 0 {
			return
		}
		fmt.Fprintf(b, "  %s (%d)\n", title, len(chs))
		for _, ch := range chs {
			extra := ""
			if ch.Kind != "" {
				extra = "  " + ch.Kind
			}
			fmt.Fprintf(b, "    %-28s %-11s %s -> %s  [%s]%s\n", ch.ID, ch.Expect, ch.Before, ch.After, ch.Split, extra)
		}
	}
	section("NEW MISSES", c.NewMisses)
	section("Fixed", c.Fixed)
	section("Level changes", c.LevelChanges)
	if len(c.Added) > 0 {
		fmt.Fprintf(b, "  Added cases (%d): %s\n", len(c.Added), strings.Join(c.Added, ", "))
	}
	if len(c.Removed) > 0 {
		fmt.Fprintf(b, "  Removed cases (%d): %s\n", len(c.Removed), strings.Join(c.Removed, ", "))
	}
	if c.StillMissed > 0 {
		fmt.Fprintf(b, "  Still wrong in both runs: %d\n", c.StillMissed)
	}
}

func writeTimingText(b *bytes.Buffer, r *SafetyReport) {
	n := r.Cases
	dur := r.DurationMS
	lat := r.Latency
	if r.Holdout != nil {
		n += r.Holdout.Cases
		dur += r.Holdout.DurationMS
	}
	fmt.Fprintf(b, "Timing: %d cases classified in %.1f ms", n, dur)
	if r.TotalMS > 0 {
		fmt.Fprintf(b, " (whole run %.1f ms: loading cases %.1f ms, compiling the classifier %.1f ms)", r.TotalMS, r.LoadMS, r.SetupMS)
	}
	fmt.Fprintf(b, "\n        per case (%s split): p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", r.Split, lat.P50, lat.P90, lat.P99, lat.Max)
}

func writeGateText(b *bytes.Buffer, g *Gate) {
	var parts []string
	if g.MinRecall != nil {
		parts = append(parts, fmt.Sprintf("recall >= %g", *g.MinRecall))
	}
	if g.MaxFalseRate != nil {
		parts = append(parts, fmt.Sprintf("false-escalation rate <= %g", *g.MaxFalseRate))
	}
	if g.MaxLevelLow != nil {
		parts = append(parts, fmt.Sprintf("level too low <= %d", *g.MaxLevelLow))
	}
	scope := "main split"
	if g.Holdout {
		scope = "main and holdout splits"
	}
	rule := strings.Join(parts, ", ")
	if rule == "" {
		rule = "no classifier errors"
	}
	if g.Passed {
		fmt.Fprintf(b, "Gate: PASS (%s; %s)\n", rule, scope)
		return
	}
	fmt.Fprintf(b, "Gate: FAIL (%s; %s)\n", rule, scope)
	for _, f := range g.Failures {
		fmt.Fprintf(b, "  - %s\n", f)
	}
}

func fmtRate(r Rate) string {
	if !r.Defined() {
		return "  n/a"
	}
	return fmt.Sprintf("%.3f", float64(r))
}

func fmtCI(ci Interval) string {
	return fmt.Sprintf("[%.3f, %.3f]", float64(ci[0]), float64(ci[1]))
}

// quote shows s in double quotes on one line, cut to max runes.
func quote(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		rs := []rune(s)
		s = string(rs[:max-1]) + "…"
	}
	return `"` + s + `"`
}
