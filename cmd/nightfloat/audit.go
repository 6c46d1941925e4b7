package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"nightfloat/clinician"
	"time"

	"nightfloat/config"
	"nightfloat/web"
)

const auditUsage = `Usage: nightfloat audit [--since YYYY-MM-DD] [--action ACTION] [--database-url URL]

Prints the audit log as JSON Lines, oldest first: one object per entry with id, at, actor,
action, target and detail. --since starts at that UTC day (default: everything); --action
keeps only that action (for example login.failed, access.denied, config.loaded).
Reading the log is itself recorded in it, with actor "cli".
`

func runAudit(ctx context.Context, e *env, args []string) int {
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, auditUsage) }
	sinceFlag := fs.String("since", "", "first UTC day, YYYY-MM-DD")
	action := fs.String("action", "", "only this action")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var since time.Time
	if *sinceFlag != "" {
		d, err := time.Parse(time.DateOnly, *sinceFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "nightfloat audit: --since %q: want a day like 2025-01-31\n", *sinceFlag)
			return 2
		}
		since = d
	}
	if fs.NArg() > 0 {
		fmt.Fprint(e.stderr, auditUsage)
		return 2
	}
	pool, code := e.openDB(ctx, cfg, "audit")
	if pool == nil {
		return code
	}
	defer pool.Close()
	audit := clinician.NewAudit(pool)
	// The reading is recorded before anything is shown: no record, no access.
	if err := audit.Record(ctx, clinician.ActorCLI, "audit.read", "", map[string]any{"since": *sinceFlag, "action": *action}); err != nil {
		fmt.Fprintf(e.stderr, "nightfloat audit: %v\n", err)
		return 1
	}
	enc := json.NewEncoder(e.stdout)
	var afterAt time.Time
	var afterID int64
	for {
		page, err := web.ReadAuditPage(ctx, audit, since, *action, afterAt, afterID, 1000)
		if err != nil {
			fmt.Fprintf(e.stderr, "nightfloat audit: %v\n", err)
			return 1
		}
		for _, en := range page.Entries {
			line := map[string]any{"id": en.ID, "at": en.At.UTC().Format(time.RFC3339Nano), "actor": en.Actor, "action": en.Action, "target": en.Target, "detail": en.Detail}
			if err := enc.Encode(line); err != nil {
				fmt.Fprintf(e.stderr, "nightfloat audit: %v\n", err)
				return 1
			}
		}
		if !page.More {
			return 0
		}
		afterAt, afterID = page.NextAt, page.NextID
	}
}

// AuditStartup records that the server started with this configuration: a config.loaded
// entry whose detail summarises the settings that bear on safety and privacy. Secrets are
// never written: the database URL without its password, the pager only as configured or
// not (its URL may carry a token), API keys and webhook secrets not at all.
func AuditStartup(ctx context.Context, audit *clinician.Audit, cfg config.Config) error {
	return audit.Record(ctx, clinician.ActorSystem, "config.loaded", "", configSummary(cfg))
}

func configSummary(cfg config.Config) map[string]any {
	host := func(raw string) string {
		if raw == "" {
			return ""
		}
		u, err := url.Parse(raw)
		if err != nil {
			return "(unparseable)"
		}
		return u.Host
	}
	db := ""
	if u, err := url.Parse(cfg.DatabaseURL); err == nil {
		db = u.Host + u.Path
	}
	return map[string]any{
		"database":                 db,
		"addr":                     cfg.Addr,
		"public_url":               cfg.PublicURL,
		"allowed_origins":          cfg.AllowedOrigins,
		"trusted_proxies":          cfg.TrustedProxies,
		"institution":              cfg.Institution,
		"oncall_label":             cfg.OncallLabel,
		"oncall_phone_set":         cfg.OncallPhone != "",
		"content_include_drafts":   cfg.ContentDraft,
		"responder":                cfg.Responder,
		"model":                    cfg.Model,
		"embedder":                 cfg.Embedder,
		"model_endpoint_host":      host(cfg.OpenAIBaseURL),
		"openai_api_key_set":       cfg.OpenAIAPIKey != "",
		"max_message_chars":        cfg.MaxMessageChars,
		"rate_limit_per_minute":    cfg.RateLimitPerMinute,
		"disclosure_interval":      cfg.DisclosureEvery.String(),
		"turn_timeout":             cfg.TurnTimeout.String(),
		"pager_configured":         cfg.PagerWebhookURL != "",
		"pager_signed":             cfg.PagerWebhookSecret != "",
		"handoff_realert":          cfg.HandoffReAlert.String(),
		"handoff_unattended":       cfg.HandoffUnattended.String(),
		"screen_reply_within":      cfg.ScreenReplyWithin.String(),
		"secure_cookies":           cfg.SecureCookies,
		"impaired_practice_policy": cfg.ImpairedPracticePolicy != "",
	}
}
