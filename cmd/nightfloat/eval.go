package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"

	"nightfloat/evals"
	"nightfloat/postgres"
	"nightfloat/retrieval"
)

// evalSuites lists the suites `nightfloat eval <suite>` runs; add a line for a new suite.
// Each gets the arguments after the suite name and returns an exit status.
func evalSuites() map[string]func(ctx context.Context, e *env, args []string) int {
	return map[string]func(ctx context.Context, e *env, args []string) int{
		"retrieval": runEvalRetrieval,
		"safety":    runEvalSafety,
		"sources":   runEvalSources,
		"e2e":       runEvalE2E,
	}
}

func runEval(ctx context.Context, e *env, args []string) int {
	suites := evalSuites()
	names := make([]string, 0, len(suites))
	for n := range suites {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stderr, "Usage: nightfloat eval <suite> [flags]\n\nSuites: %v\nRun 'nightfloat eval <suite> -h' for a suite's flags.\n", names)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	run, ok := suites[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "nightfloat eval: unknown suite %q (have %v)\n", args[0], names)
		return 2
	}
	return run(ctx, e, args[1:])
}

func runEvalRetrieval(ctx context.Context, e *env, args []string) int {
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	fs := flag.NewFlagSet("eval retrieval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL to ingest into and search (env DATABASE_URL)")
	fs.StringVar(&cfg.ContentDir, "content", cfg.ContentDir, "content directory (env NIGHTFLOAT_CONTENT_DIR)")
	format := fs.String("format", "text", "output: text or json")
	queriesPath := fs.String("queries", "evals/retrieval/queries.jsonl", "labelled queries (JSONL)")
	minRecall5 := fs.Float64("min-recall5", 0, "exit 1 when recall@5 is below this")
	minMRR := fs.Float64("min-mrr", 0, "exit 1 when MRR is below this")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, `Usage: nightfloat eval retrieval [flags]

Ingests the content (drafts included) into the database when it has changed, runs every
labelled query and prints recall@1, recall@5 and MRR overall and per role, and how well
off-topic questions get no content. Exit 1 below a threshold, 2 on bad input.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || (*format != "text" && *format != "json") {
		fs.Usage()
		return 2
	}
	cfg.ContentDraft = true // the eval measures the whole content base
	if !e.validate(cfg) {
		return 2
	}
	queries, err := evals.LoadRetrievalQueries(*queriesPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
		return 2
	}
	docs, err := retrieval.LoadDir(cfg.ContentDir)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
		return 2
	}
	if err := evals.CheckRetrievalLabels(queries, docs); err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %s: %v\n", *queriesPath, err)
		return 2
	}
	emb, err := newEmbedder(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
		return 2
	}
	if _, err := ingestContent(ctx, &env{stdout: e.stdout, stderr: nil, getenv: e.getenv}, cfg, emb); err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
		return 1
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, 4)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
		return 1
	}
	defer pool.Close()
	s, err := retrieval.NewSearcher(pool, emb, retrieval.SearchOptions{IncludeDrafts: true})
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
		return 1
	}
	rep, err := evals.RunRetrieval(ctx, s, queries)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
		return 1
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(e.stderr, "nightfloat eval retrieval: %v\n", err)
			return 1
		}
	} else {
		rep.WriteText(e.stdout)
	}
	if rep.RecallAt5 < *minRecall5 || rep.MRR < *minMRR {
		fmt.Fprintf(e.stderr, "nightfloat eval retrieval: below threshold: recall@5 %.3f (min %.3f), MRR %.3f (min %.3f)\n",
			rep.RecallAt5, *minRecall5, rep.MRR, *minMRR)
		return 1
	}
	return 0
}
