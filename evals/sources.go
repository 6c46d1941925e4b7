package evals

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"nightfloat/safety"
)

// SourceCases turns the project's labelled cases into one source
// (safety.CasesSource) for leave-one-source-out measurement and training.
func SourceCases(cs []Case) []safety.SourceCase {
	out := make([]safety.SourceCase, 0, len(cs))
	for _, c := range cs {
		out = append(out, safety.SourceCase{Source: safety.CasesSource, Genre: "nightfloat_" + c.Split(),
			Category: string(safety.CorpusCategory(c.Category)), History: c.History(), Text: c.Message(),
			Escalate: c.Expect == Escalate})
	}
	return out
}

// ProjectSources are the project's own labelled texts as sources of the
// leave-one-source-out measurement and of training: the cases of the training
// splits (safety.CasesSource) and the request lines (RequestsSource).
func ProjectSources() ([]safety.SourceCase, error) {
	cs, err := TrainingCases(Suite, "cases")
	if err != nil {
		return nil, err
	}
	rs, err := RequestCases()
	if err != nil {
		return nil, err
	}
	return append(SourceCases(cs), rs...), nil
}

// SourcesCommand is `nightfloat eval sources`: the leave-one-source-out
// measurement over the external corpus and the project's cases (see
// docs/sources.md). It trains one model per source and takes minutes. It
// returns 0 when every target is met, 1 when one is not or the run failed, 2
// on bad input.
func SourcesCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval sources", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "../shared/training", "the external corpus directory (one .jsonl file per source)")
	noCases := fs.Bool("no-cases", false, "leave the project's own cases and request cases out")
	quiet := fs.Bool("quiet", false, "do not report progress on stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: nightfloat eval sources [flags]

For each source (a corpus file, and the project's cases), trains the learned
layer on every other source, judges the held-out source with the rules and
that model at the committed calibration and bands, and prints recall and
false-escalation rate per source and their macro averages, then the same
verdicts against an independent reading of a sample of the corpus
(evals/audit/labels.jsonl, docs/label-audit.md). Exit status 1 when a target
in safety/model/sources.json is not met.

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "nightfloat eval sources: unexpected arguments %v\n", fs.Args())
		return 2
	}
	cases, err := safety.LoadCorpus(*corpus, nil)
	if err != nil {
		fmt.Fprintf(stderr, "nightfloat eval sources: %v\n", err)
		return 2
	}
	if !*noCases {
		own, err := ProjectSources()
		if err != nil {
			fmt.Fprintf(stderr, "nightfloat eval sources: %v\n", err)
			return 1
		}
		cases = append(cases, own...)
	}
	progress := func(src string) { fmt.Fprintf(stderr, "nightfloat eval sources: held out %s\n", src) }
	if *quiet {
		progress = nil
	}
	rep, err := safety.EvalSources(ctx, cases, progress)
	if err != nil {
		fmt.Fprintf(stderr, "nightfloat eval sources: %v\n", err)
		return 1
	}
	if err := rep.WriteMarkdown(stdout); err != nil {
		fmt.Fprintf(stderr, "nightfloat eval sources: %v\n", err)
		return 1
	}
	if err := WriteAudit(stdout, cases, rep.HandedOff); err != nil {
		fmt.Fprintf(stderr, "nightfloat eval sources: %v\n", err)
		return 1
	}
	if m := rep.Misses(); len(m) > 0 {
		fmt.Fprintf(stdout, "\nTargets not met: %s.\n", strings.Join(m, "; "))
		return 1
	}
	fmt.Fprintln(stdout, "\nEvery target met.")
	return 0
}
