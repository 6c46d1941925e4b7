package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/config"
	"nightfloat/evals"
	"nightfloat/postgres"
	"nightfloat/retrieval"
	"nightfloat/web"
)

// runEvalE2E is `nightfloat eval e2e`: the real server on a fresh database, driven over
// the resident websocket by scripted conversations (see docs/evals.md).
func runEvalE2E(ctx context.Context, e *env, args []string) int {
	const name = "nightfloat eval e2e"
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	fl := flag.NewFlagSet("eval e2e", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	fl.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL server to create the fresh database on (env DATABASE_URL); its database is left alone")
	fl.StringVar(&cfg.ContentDir, "content", cfg.ContentDir, "content directory to ingest, drafts included (env NIGHTFLOAT_CONTENT_DIR)")
	scripts := fl.String("scripts", "", "a .jsonl file or a directory of scripts (default: the project's scripts, built in)")
	format := fl.String("format", "text", "report format: text or json")
	turnTimeout := fl.Duration("turn-timeout", 30*time.Second, "how long one turn may take to be answered or handed off")
	fl.Usage = func() {
		fmt.Fprint(e.stderr, `Usage: nightfloat eval e2e [flags]

Creates a fresh database (nightfloat_e2e_<random>) on the DATABASE_URL server, ingests the
content with drafts, starts the real server on 127.0.0.1, and drives every scripted
conversation over the resident websocket. A must-escalate script must end in a handoff
with no assistant text after the red flag (live or in the stored transcript); a
must-not-escalate script must never be handed off and must get a cited AI reply to every
turn. The database is dropped at the end.

Exit status: 0 every script passed; 1 a script failed or the server could not run; 2 bad
flags, configuration or scripts.

Flags:
`)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() != 0 {
		fmt.Fprintf(e.stderr, "%s: unexpected argument %q\n", name, fl.Arg(0))
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(e.stderr, "%s: --format %q: want text or json\n", name, *format)
		return 2
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.ContentDraft = true
	if !e.validate(cfg) {
		return 2
	}
	list, err := loadE2EScripts(*scripts)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
		return 2
	}
	if len(list) == 0 {
		fmt.Fprintf(e.stderr, "%s: no scripts\n", name)
		return 2
	}
	if _, err := os.Stat(cfg.ContentDir); err != nil {
		fmt.Fprintf(e.stderr, "%s: content: %v\n", name, err)
		return 2
	}

	dbName := "nightfloat_e2e_" + randomHex(6)
	adminURL := cfg.DatabaseURL
	dbURL, err := createDatabase(ctx, adminURL, dbName)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(e.stderr, "%s: fresh database %s (dropped at the end)\n", name, dbName)
	defer func() {
		if err := dropDatabase(adminURL, dbName); err != nil {
			fmt.Fprintf(e.stderr, "%s: drop database %s: %v\n", name, dbName, err)
		}
	}()
	cfg.DatabaseURL = dbURL
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	rep, err := runE2ESuite(ctx, cfg, log, list, evals.E2EOptions{TurnTimeout: *turnTimeout})
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
		return 1
	}
	var buf bytes.Buffer
	if *format == "json" {
		err = rep.WriteJSON(&buf)
	} else {
		err = rep.WriteText(&buf)
	}
	if err == nil {
		_, err = e.stdout.Write(buf.Bytes())
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
		return 1
	}
	if rep.Failures > 0 {
		fmt.Fprintf(e.stderr, "%s: FAIL: %d of %d scripts failed\n", name, rep.Failures, rep.Cases)
		return 1
	}
	fmt.Fprintf(e.stderr, "%s: %d scripts passed in %.1f s\n", name, rep.Cases, rep.DurationMS/1000)
	return 0
}

func loadE2EScripts(path string) ([]evals.E2EScript, error) {
	if path == "" {
		return evals.LoadE2EScripts(evals.E2ESuite, "e2e")
	}
	var fsys fs.FS
	root := filepath.ToSlash(filepath.Clean(path))
	if filepath.IsLocal(path) {
		fsys = os.DirFS(".")
	} else {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		fsys, root = os.DirFS(filepath.Dir(abs)), filepath.Base(abs)
	}
	return evals.LoadE2EScripts(fsys, root)
}

// runE2ESuite ingests the content into the (fresh, empty) database at cfg.DatabaseURL,
// runs the server on it, drives the scripts, and stops the server.
func runE2ESuite(ctx context.Context, cfg config.Config, log *slog.Logger, scripts []evals.E2EScript, opts evals.E2EOptions) (*evals.E2EReport, error) {
	// Every scripted resident connects from loopback: one address, many conversations.
	cfg.NewConvPerMinute = 100_000
	if err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	emb, err := newEmbedder(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, 4)
	if err != nil {
		return nil, err
	}
	_, err = retrieval.Ingest(ctx, pool, emb, cfg.ContentDir, retrieval.IngestOptions{IncludeDrafts: true})
	pool.Close()
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", cfg.ContentDir, err)
	}

	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- serve(srvCtx, cfg, log, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-served:
		return nil, fmt.Errorf("server did not start: %v", err)
	case <-time.After(60 * time.Second):
		return nil, errors.New("server did not start within 60s")
	}
	wsURL := "ws://" + addr + "/ws"
	dial := func(ctx context.Context) (evals.E2EConn, error) {
		c, err := web.DialResident(ctx, wsURL, nil)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	rep, runErr := evals.RunE2E(ctx, dial, scripts, opts)
	stop()
	select {
	case err := <-served:
		if err != nil && runErr == nil {
			runErr = fmt.Errorf("server: %w", err)
		}
	case <-time.After(30 * time.Second):
		if runErr == nil {
			runErr = errors.New("server did not stop within 30s")
		}
	}
	if runErr != nil {
		return nil, runErr
	}
	return rep, nil
}

// createDatabase creates an empty database on the server of adminURL and returns its URL.
func createDatabase(ctx context.Context, adminURL, name string) (string, error) {
	if err := execAdmin(ctx, adminURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func dropDatabase(adminURL, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return execAdmin(ctx, adminURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

func execAdmin(ctx context.Context, adminURL, sql string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
