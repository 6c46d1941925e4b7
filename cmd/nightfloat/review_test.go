package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"nightfloat/postgres/postgrestest"
)

// TestReviewHelpNamesTheSettings: the help names each setting as configuration reads it
// and offers --now.
func TestReviewHelpNamesTheSettings(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"review", "-h"}, newEnv(&out, &errb, func(string) string { return "" })); code != 0 {
		t.Fatalf("exit %d", code)
	}
	help := errb.String()
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"NIGHTFLOAT_REVIEW_SAMPLE_RATE", true},
		{"NIGHTFLOAT_REVIEW_IDLE", true},
		{"--now", true},
		{"NIGHTFLOAT_REVIEW_RANDOM_RATE", false},
	} {
		if got := strings.Contains(help, tc.text); got != tc.want {
			t.Errorf("review -h mentions %s: %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestReviewSampleNow: a conversation with a resolved handoff that was active a minute ago
// waits for the quiet period without --now, and is queued with it.
func TestReviewSampleNow(t *testing.T) {
	db := postgrestest.New(t)
	ctx := context.Background()
	var conv string
	if err := db.Pool.QueryRow(ctx, `INSERT INTO conversations (token_hash, role, pseudonym, last_active_at)
		VALUES ('\x00', 'resident', 'p', now() - interval '1 minute') RETURNING id::text`).Scan(&conv); err != nil {
		t.Fatal(err)
	}
	var clinician int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO clinicians (username, display_name, password_hash, roles)
		VALUES ('oncall1', 'Dr One', 'x', '{oncall}') RETURNING id`).Scan(&clinician); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO messages (conversation_id, seq, author, kind, body, turn_state) VALUES ($1, 1, 'resident', 'text', 'I want to die', 'done')`, conv); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO handoffs (conversation_id, level, trigger_seq, status, claimed_by, claimed_at, resolved_at, disposition)
		VALUES ($1, 'emergency', 1, 'resolved', $2, now(), now(), 'referred')`, conv, clinician); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		switch k {
		case "DATABASE_URL":
			return db.URL
		case "NIGHTFLOAT_REVIEW_SAMPLE_RATE":
			return "0"
		}
		return ""
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"review", "sample"}, "queued 0"},
		{[]string{"review", "sample", "--now"}, "queued 1 handoff=1"},
	} {
		var out, errb bytes.Buffer
		if code := run(ctx, tc.args, newEnv(&out, &errb, env)); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errb.String())
		}
		if !strings.HasPrefix(out.String(), tc.want) {
			t.Errorf("%v: %q, want %q", tc.args, out.String(), tc.want)
		}
	}
}
