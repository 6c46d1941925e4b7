package evals

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"nightfloat/safety"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty path")
	}
	*s = append(*s, v)
	return nil
}

// SafetyCommand is `nightfloat eval safety`: it runs the safety classifier over
// labelled cases, offline, and writes a report. It returns the exit status: 0 when
// every threshold given is met, 1 when one is not (or the run failed), 2 on bad input.
// On bad input nothing is written to stdout or --out.
//
// modelLayer is the configured model-based layer, nil when none is configured; --model
// adds it to the classifier.
func SafetyCommand(ctx context.Context, args []string, stdout, stderr io.Writer, modelLayer safety.Layer) int {
	return safetyCommand(ctx, args, stdout, stderr, func(withModel bool) (Assessor, error) {
		if withModel {
			return safety.New(safety.WithLayer(modelLayer))
		}
		return safety.New()
	}, modelLayer != nil)
}

func safetyCommand(ctx context.Context, args []string, stdout, stderr io.Writer, newAssessor func(withModel bool) (Assessor, error), haveModel bool) int {
	began := time.Now()
	const name = "nightfloat eval safety"
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, name+": "+format+"\n", a...)
		return code
	}
	fs := flag.NewFlagSet("eval safety", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var casePaths stringList
	fs.Var(&casePaths, "cases", "a .jsonl file, or a directory of them (a holdout/ subdirectory is the holdout split); repeatable (default: the project's suite, built in)")
	format := fs.String("format", "text", "report format: text, json or html")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	minRecall := fs.Float64("min-recall", 0, "exit 1 when recall on must-escalate cases is below this (0 to 1)")
	maxFalse := fs.Float64("max-false-rate", 0, "exit 1 when the false-escalation rate on must-not-escalate cases is above this (0 to 1)")
	maxLow := fs.Int("max-level-too-low", 0, "exit 1 when more than this many must-escalate cases are handed off below their labelled level")
	compare := fs.String("compare", "", "a JSON report of an earlier run: list the cases whose outcome or level changed")
	holdout := fs.Bool("holdout", false, "apply the thresholds to the holdout split too (it is always reported, as its own section)")
	model := fs.Bool("model", false, "add the model-based layer to the rules (needs a configured model layer)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: nightfloat eval safety [flags]

Runs the safety classifier (rules and conversation memory; --model adds the model layer)
over labelled cases, offline, and reports recall on must-escalate cases and the
false-escalation rate on must-not-escalate cases, with 95% Wilson intervals, overall and
per category; every miss with its evidence; and per-case latency. The main split is
scored; the holdout split is reported as its own section.

Exit status: 0 all thresholds given are met; 1 a threshold is not met, the classifier
failed on a case, or the report could not be written; 2 bad flags or cases (nothing is
reported then). See docs/evals.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		return fail(2, "unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch *format {
	case "text", "json", "html":
	default:
		return fail(2, "--format %q: want text, json or html", *format)
	}
	var minRecallP, maxFalseP *float64
	var maxLowP *int
	if set["min-recall"] {
		if *minRecall < 0 || *minRecall > 1 {
			return fail(2, "--min-recall %g: want a proportion from 0 to 1 (1 means every case)", *minRecall)
		}
		minRecallP = minRecall
	}
	if set["max-false-rate"] {
		if *maxFalse < 0 || *maxFalse > 1 {
			return fail(2, "--max-false-rate %g: want a proportion from 0 to 1 (0.05 means 5%%)", *maxFalse)
		}
		maxFalseP = maxFalse
	}
	if set["max-level-too-low"] {
		if *maxLow < 0 {
			return fail(2, "--max-level-too-low %d: want 0 or more", *maxLow)
		}
		maxLowP = maxLow
	}
	if *model && !haveModel {
		return fail(2, "--model: no model layer configured: set NIGHTFLOAT_SAFETY_MODEL (and the NIGHTFLOAT_OPENAI_* endpoint), or run without --model")
	}

	var base *SafetyReport
	if *compare != "" {
		b, err := ReadBaseline(*compare)
		if err != nil {
			return fail(2, "--compare: %v", err)
		}
		base = b
	}

	loadStart := time.Now()
	cases, inHoldout, source, err := loadCaseSources(casePaths)
	if err != nil {
		return fail(2, "%v", err)
	}
	if err := ValidateCases(cases); err != nil {
		return fail(2, "%v", err)
	}
	var mainCases, holdoutCases []Case
	for _, c := range cases {
		if inHoldout[c.ID] {
			holdoutCases = append(holdoutCases, c)
		} else {
			mainCases = append(mainCases, c)
		}
	}
	mainSplit := SplitMain
	if len(mainCases) == 0 {
		// Only holdout files were given: score them as the one split.
		mainCases, holdoutCases, mainSplit = holdoutCases, nil, SplitHoldout
	}
	if len(mainCases) == 0 {
		return fail(2, "no cases in %s", source)
	}
	loadMS := ms(time.Since(loadStart))
	setupStart := time.Now()
	a, err := newAssessor(*model)
	if err != nil {
		return fail(1, "safety classifier: %v", err)
	}
	setupMS := ms(time.Since(setupStart))

	rep, err := RunSafety(ctx, a, mainCases, mainSplit)
	if err != nil {
		return fail(1, "%v", err)
	}
	rep.Source = source
	rep.LoadMS = loadMS
	rep.SetupMS = setupMS
	if len(holdoutCases) > 0 {
		h, err := RunSafety(ctx, a, holdoutCases, SplitHoldout)
		if err != nil {
			return fail(1, "%v", err)
		}
		h.Source = source
		rep.Holdout = h
	}
	if base != nil {
		rep.Compare = Compare(*compare, base, rep)
	}
	gate := rep.CheckGate(minRecallP, maxFalseP, maxLowP, *holdout)
	if minRecallP != nil || maxFalseP != nil || maxLowP != nil || *holdout || !gate.Passed {
		rep.Gate = gate
	}

	var buf bytes.Buffer
	render := func() error {
		switch *format {
		case "json":
			return rep.WriteJSON(&buf)
		case "html":
			return rep.WriteHTML(&buf)
		}
		return rep.WriteText(&buf)
	}
	// The whole run is timed up to the report; rendering is fast and its time is
	// included by rendering twice only in the text of the summary line below.
	rep.TotalMS = ms(time.Since(began))
	if err := render(); err != nil {
		return fail(1, "%v", err)
	}
	if *out != "" {
		if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
			return fail(1, "--out: %v", err)
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return fail(1, "writing the report: %v", err)
	}
	if *out != "" || *format != "text" {
		fmt.Fprintln(stderr, summaryLine(rep, *out))
	}
	if !gate.Passed {
		for _, f := range gate.Failures {
			fmt.Fprintf(stderr, "%s: FAIL: %s\n", name, f)
		}
		return 1
	}
	return 0
}

// summaryLine is the one line printed to stderr when the report goes elsewhere.
func summaryLine(r *SafetyReport, out string) string {
	n, dur := r.Cases, r.DurationMS
	if r.Holdout != nil {
		n += r.Holdout.Cases
		dur += r.Holdout.DurationMS
	}
	s := fmt.Sprintf("nightfloat eval safety: %s split recall %s (%d/%d), false-escalation rate %s (%d/%d), level too low %d; %d cases in %.1f ms (whole run %.1f ms)",
		r.Split, strings.TrimSpace(fmtRate(r.Escalate.Recall)), r.Escalate.Caught, r.Escalate.Total,
		strings.TrimSpace(fmtRate(r.NoEscalate.FalseRate)), r.NoEscalate.FalseEscalations, r.NoEscalate.Total, r.LevelTooLow, n, dur, r.TotalMS)
	if r.Holdout != nil {
		h := r.Holdout
		s += fmt.Sprintf("; holdout recall %s (%d/%d), false-escalation rate %s (%d/%d)", strings.TrimSpace(fmtRate(h.Escalate.Recall)), h.Escalate.Caught,
			h.Escalate.Total, strings.TrimSpace(fmtRate(h.NoEscalate.FalseRate)), h.NoEscalate.FalseEscalations, h.NoEscalate.Total)
	}
	if out != "" {
		s += "; report in " + out
	}
	return s
}

// loadCaseSources loads the cases named by --cases, or the built-in suite, and says which
// are in the holdout split: those under a directory named holdout below the path given
// (or the path itself when it is such a directory, or a file in one). File names in the
// cases, and so in errors and reports, are the paths as given.
func loadCaseSources(paths []string) ([]Case, map[string]bool, string, error) {
	holdout := map[string]bool{}
	if len(paths) == 0 {
		cases, err := LoadCases(Suite, "cases")
		if err != nil {
			return nil, nil, "", err
		}
		for i := range cases {
			holdout[cases[i].ID] = cases[i].IsHoldout()
			cases[i].File = "evals/" + cases[i].File // where the built-in suite lives in the repository
		}
		return cases, holdout, "the built-in suite (evals/cases)", nil
	}
	var all []Case
	for _, p := range paths {
		fsys, root, display, err := diskFS(p)
		if err != nil {
			return nil, nil, "", err
		}
		info, err := fs.Stat(fsys, root)
		if err != nil {
			return nil, nil, "", fmt.Errorf("--cases %s: %w", p, errors.Unwrap(err))
		}
		cases, err := LoadCases(fsys, root)
		if err != nil {
			msg := err.Error()
			if display != root {
				msg = strings.Replace(msg, "evals: "+root, "evals: "+display, 1)
			}
			return nil, nil, "", errors.New(msg)
		}
		if len(cases) == 0 {
			return nil, nil, "", fmt.Errorf("--cases %s: no cases (a .jsonl file, or a directory with .jsonl files, is expected)", p)
		}
		base := path.Dir(root)
		if !info.IsDir() {
			base = path.Dir(base)
		}
		for i := range cases {
			rel := strings.TrimPrefix(cases[i].File, base+"/")
			holdout[cases[i].ID] = strings.Contains("/"+path.Dir(rel)+"/", "/holdout/")
			cases[i].File = display + strings.TrimPrefix(cases[i].File, root)
		}
		all = append(all, cases...)
	}
	return all, holdout, strings.Join(paths, ", "), nil
}

// diskFS opens path on disk: relative paths through the current directory, others from
// the file system root. display is root as the user should read it.
func diskFS(p string) (fsys fs.FS, root, display string, err error) {
	clean := filepath.Clean(p)
	if filepath.IsLocal(clean) {
		root = filepath.ToSlash(clean)
		return os.DirFS("."), root, root, nil
	}
	abs, err := filepath.Abs(clean)
	if err != nil {
		return nil, "", "", fmt.Errorf("--cases %s: %w", p, err)
	}
	display = filepath.ToSlash(abs)
	root = strings.TrimPrefix(display, "/")
	if root == "" {
		root = "."
	}
	return os.DirFS("/"), root, display, nil
}

// writeFileAtomic writes data to a temporary file next to name and renames it into place,
// so a reader never sees half a report.
func writeFileAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, name)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}
