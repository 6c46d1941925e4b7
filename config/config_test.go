package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestBadValuesNameTheirVariable(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://u@localhost/db"}
	tests := []struct {
		name, key, val string
	}{
		{"unparsable duration", "NIGHTFLOAT_SHUTDOWN_TIMEOUT", "soon"},
		{"not a number", "NIGHTFLOAT_MAX_MESSAGE_CHARS", "lots"},
		{"out of range", "NIGHTFLOAT_MAX_MESSAGE_CHARS", "0"},
		{"bad boolean", "NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS", "maybe"},
		{"bad address", "NIGHTFLOAT_ADDR", "8080"},
		{"bad origin", "NIGHTFLOAT_ALLOWED_ORIGINS", "chat.example.org"},
		{"bad log level", "NIGHTFLOAT_LOG_LEVEL", "loud"},
		{"disclosure too rare", "NIGHTFLOAT_DISCLOSURE_INTERVAL", "4h"},
		{"bad webhook", "NIGHTFLOAT_PAGER_WEBHOOK_URL", "pager.example.org/hook"},
		{"not a postgres URL", "DATABASE_URL", "mysql://x"},
		{"screen reply deadline unparsable", "NIGHTFLOAT_SCREEN_REPLY_WITHIN", "a day"},
		{"screen reply deadline zero", "NIGHTFLOAT_SCREEN_REPLY_WITHIN", "0s"},
		{"screen reply deadline too long", "NIGHTFLOAT_SCREEN_REPLY_WITHIN", "720h"},
		{"leadership cells too small", "NIGHTFLOAT_LEADERSHIP_MIN_CELL", "3"},
		{"reports released too soon", "NIGHTFLOAT_REPORT_DELAY", "2h"},
		{"a batch of one report", "NIGHTFLOAT_REPORT_MIN_BATCH", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			m[tt.key] = tt.val
			c, err := Load(env(m))
			if err == nil {
				err = c.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("%s=%q: want an error naming %s, got %v", tt.key, tt.val, tt.key, err)
			}
		})
	}
}

func TestDefaultsAreValidAndSecretsRedacted(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://nf:hunter2@db.example.org/nf"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
	if c.Addr != "localhost:8080" || c.MaxMessageChars != 4000 || c.ScreenReplyWithin != 24*time.Hour {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if strings.Contains(c.Redacted().DatabaseURL, "hunter2") {
		t.Errorf("password leaked in the redacted config: %s", c.Redacted().DatabaseURL)
	}
	if _, err := Load(env(map[string]string{"DATABASE_URL_FILE": "/nonexistent/secret"})); err == nil || !strings.Contains(err.Error(), "DATABASE_URL_FILE") {
		t.Errorf("a missing secret file must be an error naming DATABASE_URL_FILE, got %v", err)
	}
}
