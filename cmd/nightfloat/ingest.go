package main

import (
	"context"
	"flag"
	"fmt"

	"nightfloat/config"
	"nightfloat/llm"
	"nightfloat/postgres"
	"nightfloat/retrieval"
)

func runIngest(ctx context.Context, e *env, args []string) int {
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env DATABASE_URL)")
	fs.BoolVar(&cfg.ContentDraft, "drafts", cfg.ContentDraft, "include draft (unreviewed sample) documents (env NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, `Usage: nightfloat ingest [flags] [dir]

Validates every document in dir (default NIGHTFLOAT_CONTENT_DIR), then embeds new and
changed documents and stores them for search. Unchanged documents are not re-embedded;
removed documents, and drafts unless --drafts is given, are deleted. An invalid document
fails the whole run before anything is written.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch fs.NArg() {
	case 0:
	case 1:
		cfg.ContentDir = fs.Arg(0)
	default:
		fs.Usage()
		return 2
	}
	if !e.validate(cfg) {
		return 2
	}
	emb, err := newEmbedder(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat ingest: %v\n", err)
		return 2
	}
	sum, err := ingestContent(ctx, e, cfg, emb)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat %v\n", err)
		return 1
	}
	fmt.Fprint(e.stdout, sum.String())
	return 0
}

// ingestContent migrates the database and ingests cfg.ContentDir into it.
func ingestContent(ctx context.Context, e *env, cfg config.Config, emb retrieval.Embedder) (retrieval.Summary, error) {
	if err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return retrieval.Summary{}, err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, 4)
	if err != nil {
		return retrieval.Summary{}, err
	}
	defer pool.Close()
	return retrieval.Ingest(ctx, pool, emb, cfg.ContentDir, retrieval.IngestOptions{IncludeDrafts: cfg.ContentDraft, Progress: e.stderr})
}

// newEmbedder builds the configured embedder: the local embedder (feature hashing and
// embedded word vectors), feature hashing alone, or an OpenAI-compatible server (OpenAI,
// Azure, vLLM, Ollama).
func newEmbedder(cfg config.Config) (retrieval.Embedder, error) {
	switch cfg.Embedder {
	case "", "local":
		return retrieval.NewLocalEmbedder(cfg.EmbedDimensions)
	case "hashing":
		return retrieval.NewHashingEmbedder(cfg.EmbedDimensions)
	case "openai":
		return llm.NewEmbedder(llm.Config{
			BaseURL:    cfg.OpenAIBaseURL,
			APIKey:     cfg.OpenAIAPIKey,
			APIType:    cfg.OpenAIAPIType,
			APIVersion: cfg.OpenAIAPIVersion,
		}, llm.EmbedderOptions{Model: cfg.EmbedModel, Dimensions: cfg.EmbedDimensions})
	}
	return nil, fmt.Errorf("config: NIGHTFLOAT_EMBEDDER %q: want local, hashing or openai", cfg.Embedder)
}
