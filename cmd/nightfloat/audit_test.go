package main

import (
	"bytes"
	"context"
	"encoding/json"
	"nightfloat/clinician"
	"strings"
	"testing"

	"nightfloat/config"
	"nightfloat/postgres/postgrestest"
)

func TestAuditCommandAndStartupEntry(t *testing.T) {
	db := postgrestest.New(t)
	ctx := context.Background()
	audit := clinician.NewAudit(db.Pool)
	cfg := config.Default()
	cfg.DatabaseURL = "postgres://nf:s3cret-db-pass@db.internal:5432/nightfloat"
	cfg.OpenAIAPIKey = "sk-very-secret"
	cfg.PagerWebhookURL = "https://pager.example/hook?token=pager-secret-token"
	cfg.PagerWebhookSecret = "hmac-secret"
	if err := AuditStartup(ctx, audit, cfg); err != nil {
		t.Fatal(err)
	}
	if err := audit.Record(ctx, clinician.ActorAnonymous, "login.failed", "someone", nil); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := newEnv(&out, &errb, func(k string) string {
		if k == "DATABASE_URL" {
			return db.URL
		}
		return ""
	})
	if code := run(ctx, []string{"audit", "--action", "config.loaded"}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one config.loaded line, got %q", out.String())
	}
	var entry struct {
		Actor, Action string
		Detail        map[string]any
	}
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry.Actor != "system" || entry.Action != "config.loaded" || entry.Detail["pager_configured"] != true || entry.Detail["database"] != "db.internal:5432/nightfloat" {
		t.Fatalf("entry %+v", entry)
	}
	for _, secret := range []string{"s3cret-db-pass", "sk-very-secret", "pager-secret-token", "hmac-secret"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the config.loaded entry holds a secret %q: %s", secret, out.String())
		}
	}

	out.Reset()
	if code := run(ctx, []string{"audit", "--since", "2000-01-01"}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	// config.loaded, login.failed, the first audit.read and this one.
	if n := strings.Count(out.String(), "\n"); n != 4 || !strings.Contains(out.String(), `"action":"audit.read"`) {
		t.Fatalf("want 4 JSON lines including the audit.read entries, got:\n%s", out.String())
	}
	if code := run(ctx, []string{"audit", "--since", "last week"}, e); code != 2 {
		t.Errorf("bad --since: exit %d, want 2", code)
	}
}
