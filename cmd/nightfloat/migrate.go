package main

import (
	"context"
	"flag"
	"fmt"

	"nightfloat/postgres"
)

func runMigrate(ctx context.Context, e *env, args []string) int {
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env DATABASE_URL)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: nightfloat migrate [flags]\n\nApplies the embedded SQL migrations under an advisory lock.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(e.stderr, "nightfloat: config: DATABASE_URL is not set (scripts/db.sh prints one for a local database)")
		return 2
	}
	if err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		fmt.Fprintf(e.stderr, "nightfloat migrate: %v\n", err)
		return 1
	}
	fmt.Fprintln(e.stdout, "migrations applied")
	return 0
}
