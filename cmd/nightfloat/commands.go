package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"

	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/config"
	"nightfloat/postgres"
)

// env is what every subcommand gets from main: its output streams and the environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func newEnv(stdout, stderr io.Writer, getenv func(string) string) *env {
	return &env{stdout: stdout, stderr: stderr, getenv: getenv}
}

// command is one subcommand. run returns the process exit status: 0 ok, 1 failure, 2 usage.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands lists every subcommand; add a line here when adding a file for one.
func commands() map[string]command {
	return map[string]command{
		"serve":     {"run the server (migrates the database first)", runServe},
		"migrate":   {"apply the database migrations and exit", runMigrate},
		"user":      {"manage clinician accounts (add, disable, roles, list)", runUser},
		"ingest":    {"validate the content and embed it for search", runIngest},
		"eval":      {"run an offline evaluation suite: safety, sources, retrieval or e2e", runEval},
		"report":    {"print the annual crisis-referral report (no identifiers; small counts hidden)", runReport},
		"audit":     {"print the audit log as JSON Lines (--since, --action)", runAudit},
		"review":    {"run the review sampler once, or export draft eval cases from reviews", runReview},
		"retention": {"delete conversations past the retention period (except those under review or handoff)", runRetention},
		"push-keys": {"print a new VAPID key pair for web-push check-in notifications", runPushKeys},
		// Capacity figures (docs/capacity.md).
		"loadtest": {"drive running servers on this machine over websockets and report capacity figures", runLoadtest},
	}
}

func run(ctx context.Context, args []string, e *env) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "nightfloat: unknown command %q\n\n", args[0])
		usage(e.stderr, cmds)
		return 2
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "Usage: nightfloat <command> [flags]\n\nCommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'nightfloat <command> -h' for a command's flags. Configuration comes from the environment (see README).")
}

// loadConfig reads the environment; flags parsed afterwards may override fields, and the
// caller validates the result.
func (e *env) loadConfig() (config.Config, bool) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat: %v\n", err)
		return cfg, false
	}
	return cfg, true
}

func (e *env) validate(cfg config.Config) bool {
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "nightfloat: %v\n", err)
		return false
	}
	return true
}

// logger builds the process logger: JSON when stderr is not a terminal, text when it is.
func (e *env) logger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := e.stderr.(*os.File); ok && isTerminal(f) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(e.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(e.stderr, opts))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// openDB opens a small pool on the configured database for a command, after checking
// that a database is configured and fully migrated. On failure it has already said why,
// and returns the exit status.
func (e *env) openDB(ctx context.Context, cfg config.Config, name string) (*pgxpool.Pool, int) {
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(e.stderr, "nightfloat: config: DATABASE_URL is not set (scripts/db.sh prints one for a local database)")
		return nil, 2
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, 4)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat %s: %v\n", name, err)
		return nil, 1
	}
	if n, err := postgres.Pending(ctx, pool); err != nil || n > 0 {
		pool.Close()
		fmt.Fprintf(e.stderr, "nightfloat %s: the database schema is not up to date: run 'nightfloat migrate' first\n", name)
		return nil, 1
	}
	return pool, 0
}
