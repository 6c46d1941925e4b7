package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"nightfloat/assistant"
	"nightfloat/clinician"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/config"
	"nightfloat/review"
)

// Review queue and retention commands. Their settings come from the environment:
//
//	NIGHTFLOAT_REVIEW_SALT (or _FILE)   key for the random sample and second-review share
//	                                    (default: the database's own random salt)
//	NIGHTFLOAT_REVIEW_IDLE              idle time before a conversation is sampled (30m)
//	NIGHTFLOAT_REVIEW_SAMPLE_RATE       share sampled at random, 0..1, or 0 for none (0.05)
//	NIGHTFLOAT_REVIEW_DAILY_CAP         random samples per UTC day, -1 for no cap (50)
//	NIGHTFLOAT_REVIEW_SECOND_SHARE      share of items given a second review (0.2)
//	NIGHTFLOAT_REVIEW_CLAIM_TTL         how long a reviewer's claim holds (30m)
//	NIGHTFLOAT_RETENTION_DAYS           days a quiet conversation is kept (90)

const reviewUsage = `Usage: nightfloat review <subcommand> [flags]

  review sample [--now]
      Runs the review sampler once: queues conversations quiet for NIGHTFLOAT_REVIEW_IDLE
      (30m) with a handoff, a resident's thumbs-down, a withheld reply or an uncertain
      classification, and a random share of the rest (the server also does this
      periodically). With --now it does not wait for the quiet period: it queues every
      such conversation whose handoff, if any, is resolved.
  review export-cases [--since 2025-01-31] [--out FILE]
      Writes draft eval cases (JSON Lines, the format 'nightfloat eval safety --cases'
      reads) from reviews that found a missed escalation or an over-escalation. Text is
      redacted. The export is audited.

Flags common to every subcommand: --database-url (env DATABASE_URL).
Settings: NIGHTFLOAT_REVIEW_SALT (or _FILE), NIGHTFLOAT_REVIEW_IDLE,
NIGHTFLOAT_REVIEW_SAMPLE_RATE, NIGHTFLOAT_REVIEW_DAILY_CAP.
`

const retentionUsage = `Usage: nightfloat retention run [--days N]

Deletes conversations quiet for longer than the retention period (NIGHTFLOAT_RETENTION_DAYS,
default 90) with their messages, except those still in the review queue or with an open
handoff. Reviews keep their ratings and lose their free text. The run is audited.
`

// reviewSettings are the review settings these commands and serve use, from config.
type reviewSettings struct {
	Sampling      review.SamplingOptions
	Queue         review.QueueOptions
	RetentionDays int
}

// reviewSettingsFrom maps configuration onto the review package's options. There a zero
// rate or cap means "the default"; in configuration 0 means none, which the package
// spells -1.
func reviewSettingsFrom(cfg config.Config) reviewSettings {
	none := func(f float64) float64 {
		if f == 0 {
			return -1
		}
		return f
	}
	s := reviewSettings{RetentionDays: cfg.RetentionDays}
	s.Sampling = review.SamplingOptions{Idle: cfg.ReviewIdle, RandomRate: none(cfg.ReviewSampleRate), DailyCap: cfg.ReviewDailyCap, Salt: []byte(cfg.ReviewSalt)}
	if cfg.ReviewDailyCap == 0 {
		s.Sampling.RandomRate = -1 // a cap of 0 is no random sample
	}
	s.Queue = review.QueueOptions{SecondShare: none(cfg.ReviewSecond), ClaimTTL: cfg.ReviewClaimTTL, Salt: []byte(cfg.ReviewSalt)}
	return s
}

// openReviewDB parses the common flag, reads the settings and opens the database.
func openReviewDB(ctx context.Context, e *env, name string, fs *flag.FlagSet, args []string) (*pgxpool.Pool, reviewSettings, int) {
	cfg, ok := e.loadConfig()
	if !ok {
		return nil, reviewSettings{}, 2
	}
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return nil, reviewSettings{}, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "nightfloat %s: unexpected argument %q\n", name, fs.Arg(0))
		return nil, reviewSettings{}, 2
	}
	if err := cfg.Validate(); err != nil && !strings.Contains(err.Error(), "DATABASE_URL") {
		fmt.Fprintf(e.stderr, "nightfloat: %v\n", err)
		return nil, reviewSettings{}, 2
	}
	settings := reviewSettingsFrom(cfg)
	pool, code := e.openDB(ctx, cfg, name)
	if pool == nil {
		return nil, reviewSettings{}, code
	}
	return pool, settings, 0
}

func runReview(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stderr, reviewUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("review "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, reviewUsage) }
	switch sub {
	case "sample":
		now := fs.Bool("now", false, "queue what is ready now instead of waiting for conversations to be quiet for NIGHTFLOAT_REVIEW_IDLE")
		pool, settings, code := openReviewDB(ctx, e, "review sample", fs, rest)
		if pool == nil {
			return code
		}
		defer pool.Close()
		settings.Sampling.ReadyNow = *now
		res, err := review.NewSampler(pool, clinician.NewAudit(pool), settings.Sampling).SampleOnce(ctx)
		if err != nil {
			fmt.Fprintf(e.stderr, "nightfloat review sample: %v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "queued %d", res.Total())
		for _, r := range review.Reasons {
			if n := res.Queued[r]; n > 0 {
				fmt.Fprintf(e.stdout, " %s=%d", r, n)
			}
		}
		fmt.Fprintf(e.stdout, " (random sample over the daily cap: %d)\n", res.Capped)
		return 0
	case "export-cases":
		since := fs.String("since", "", "only reviews submitted on or after this UTC day (2025-01-31)")
		out := fs.String("out", "", "write to this file instead of standard output")
		pool, _, code := openReviewDB(ctx, e, "review export-cases", fs, rest)
		if pool == nil {
			return code
		}
		defer pool.Close()
		var from time.Time
		if *since != "" {
			d, err := time.Parse(time.DateOnly, *since)
			if err != nil {
				fmt.Fprintf(e.stderr, "nightfloat review export-cases: --since %q: want a day like 2025-01-31\n", *since)
				return 2
			}
			from = d
		}
		var w io.Writer = e.stdout
		if *out != "" {
			f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
			if err != nil {
				fmt.Fprintf(e.stderr, "nightfloat review export-cases: %v\n", err)
				return 1
			}
			defer f.Close()
			w = f
		}
		n, err := review.ExportCases(ctx, pool, clinician.NewAudit(pool), review.ExportOptions{Since: from, Actor: clinician.ActorCLI}, w)
		if err != nil {
			fmt.Fprintf(e.stderr, "nightfloat review export-cases: %v\n", err)
			return 1
		}
		fmt.Fprintf(e.stderr, "exported %d draft case(s)\n", n)
		return 0
	default:
		fmt.Fprintf(e.stderr, "nightfloat review: unknown subcommand %q\n\n%s", sub, reviewUsage)
		return 2
	}
}

func runRetention(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprint(e.stderr, retentionUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("retention run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, retentionUsage) }
	days := fs.Int("days", 0, "override NIGHTFLOAT_RETENTION_DAYS")
	pool, settings, code := openReviewDB(ctx, e, "retention run", fs, args[1:])
	if pool == nil {
		return code
	}
	defer pool.Close()
	if *days < 0 {
		fmt.Fprintln(e.stderr, "nightfloat retention run: --days must be at least 1")
		return 2
	}
	if *days > 0 {
		settings.RetentionDays = *days
	}
	res, err := newRetention(pool, clinician.NewAudit(pool), settings.RetentionDays, clinician.ActorCLI, settings.Queue).Run(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat retention run: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "deleted %d conversation(s) quiet since before %s; kept %d under review, %d with an open handoff and %d with a check-in to come; cleared %d review note(s) and %d turn-mark note(s); pruned %d dead console session(s)\n",
		res.Deleted, res.Cutoff.Format(time.RFC3339), res.KeptHeld, res.KeptOpenHandoff, res.KeptCheckin, res.Cleaned["review_notes_cleared"], res.Cleaned["mark_notes_cleared"], res.Cleaned["sessions_pruned"])
	return 0
}

// newRetention wires retention as every caller runs it: conversations are deleted by their
// owner, the review queue holds those under review and clears review text, and the accounts
// prune dead console sessions.
func newRetention(pool *pgxpool.Pool, audit *clinician.Audit, days int, actor string, queue review.QueueOptions) assistant.Retention {
	q := review.NewQueue(pool, audit, queue)
	accounts := clinician.NewAccounts(pool, audit, clinician.AccountOptions{})
	return assistant.Retention{Pool: pool, Audit: audit, Actor: actor, Days: days,
		Holds: []assistant.RetentionHold{q}, Cleanups: []assistant.RetentionCleanup{q, accounts}}
}
