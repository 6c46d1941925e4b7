package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"nightfloat/insights/insightstest"
	"nightfloat/pulse"
)

// seedMonth writes four whole weeks of activity ending with last week.
func (h *harness) seedMonth(t *testing.T) {
	t.Helper()
	if err := insightstest.Seed(context.Background(), h.db.Pool, pulse.Week(time.Now()).AddDate(0, 0, -28), insightstest.Month()); err != nil {
		t.Fatal(err)
	}
}

// TestLeadershipOnEveryPage: the leadership permission opens the console's home (links
// only), the trends and their export, and nothing else; no other permission opens the
// trends. Every refusal is audited, and so is every view and export.
func TestLeadershipOnEveryPage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	lead := h.signIn(t, "lead", "leadership")
	others := map[string]*reviewerSession{
		"oncall":   h.signIn(t, "doc", "oncall"),
		"reviewer": h.signIn(t, "rev", "reviewer"),
		"admin":    h.signIn(t, "boss", "admin"),
	}
	pages := []struct {
		method, path string
		leadership   int
	}{
		{"GET", "/console/", http.StatusOK},
		{"GET", "/console/handoffs/1", http.StatusForbidden},
		{"GET", "/console/ws", http.StatusForbidden},
		{"GET", "/console/review", http.StatusForbidden},
		{"GET", "/console/review/items/1", http.StatusForbidden},
		{"POST", "/console/review/items/1/claim", http.StatusForbidden},
		{"POST", "/console/review/items/1/release", http.StatusForbidden},
		{"POST", "/console/review/items/1/review", http.StatusForbidden},
		{"GET", "/console/dashboard", http.StatusForbidden},
		{"GET", "/console/audit", http.StatusForbidden},
		{"GET", "/console/leadership", http.StatusOK},
		{"GET", "/console/leadership/trends.csv", http.StatusOK},
	}
	denied := 0
	for _, p := range pages {
		var form url.Values
		if p.method == "POST" {
			form = url.Values{}
		}
		if st, body, _ := lead.request(t, p.method, p.path, form, ""); st != p.leadership {
			t.Errorf("leadership: %s %s = %d, want %d", p.method, p.path, st, p.leadership)
		} else if p.path == "/console/" && (!strings.Contains(body, `id="landing"`) || !strings.Contains(body, `data-oncall="no"`)) {
			t.Errorf("leadership's home is not the page of links")
		}
		if p.leadership == http.StatusForbidden {
			denied++
		}
	}
	for role, s := range others {
		for _, path := range []string{"/console/leadership", "/console/leadership/trends.csv"} {
			if st, _, _ := s.request(t, "GET", path, nil, ""); st != http.StatusForbidden {
				t.Errorf("%s: GET %s = %d, want 403", role, path, st)
			}
			denied++
		}
	}
	actions := map[string]int{}
	rows, err := h.db.Pool.Query(context.Background(), `SELECT action FROM audit_log`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions[a]++
	}
	if actions["access.denied"] != denied || actions["leadership.view"] != 1 || actions["leadership.export"] != 1 {
		t.Errorf("audited %v: want %d refusals, one view and one export", actions, denied)
	}
}

// TestLeadershipTrendsAndReports: the page and its CSV show a seeded month with every
// figure at or above the minimum; unaligned windows are refused; reports appear only once
// released in a batch, redacted.
func TestLeadershipTrendsAndReports(t *testing.T) {
	h := newHarness(t, harnessOptions{site: func(o *Options) {
		o.Leadership = LeadershipOptions{MinCell: 10, Reports: pulse.ReleaseOptions{Delay: 7 * 24 * time.Hour, MinBatch: 5}}
	}})
	h.seedMonth(t)
	lead := h.signIn(t, "lead", "leadership")

	st, body, hdr := lead.request(t, "GET", "/console/leadership/trends.csv?weeks=13", nil, "")
	if st != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", st, hdr.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, rec := range records[1:] {
		seen[rec[0]+"/"+rec[1]] = true
		if rec[3] == "hidden" {
			continue
		}
		if n, err := strconv.Atoi(rec[3]); err != nil || n < 10 {
			t.Errorf("export row %v shows a count under the minimum 10", rec)
		}
	}
	for _, want := range []string{"role/resident", "role/student", "distress/urgent", "pulse/1", "pulse_topic/workload", "document/Early signs of burnout"} {
		if !seen[want] {
			t.Errorf("export has no rows for %s", want)
		}
	}
	for _, q := range []string{"weeks=5", "weeks=1", "until=" + pulse.Week(time.Now()).AddDate(0, 0, -6).Format(time.DateOnly), "until=last-week"} {
		for _, path := range []string{"/console/leadership?", "/console/leadership/trends.csv?"} {
			if st, _, _ := lead.request(t, "GET", path+q, nil, ""); st != http.StatusBadRequest {
				t.Errorf("GET %s%s = %d, want 400 (windows are whole aligned weeks)", path, q, st)
			}
		}
	}

	store := pulse.New(h.db.Pool)
	ctx := context.Background()
	for i := range 4 {
		if err := store.Submit(ctx, "unsafe_staffing", "one nurse for thirty beds on 4B, tell jo@example.org #"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	later := time.Now().Add(8 * 24 * time.Hour)
	if n, err := store.Release(ctx, pulse.ReleaseOptions{Delay: 7 * 24 * time.Hour, MinBatch: 5}, later); err != nil || n != 0 {
		t.Fatalf("released %d (%v) of four, want none", n, err)
	}
	_, page, _ := lead.request(t, "GET", "/console/leadership", nil, "")
	if strings.Contains(page, "thirty beds") || !strings.Contains(page, `id="no-batches"`) {
		t.Error("a held report shows on the page")
	}
	if err := store.Submit(ctx, "duty_hours", "asked to stay past 28 hours again"); err != nil {
		t.Fatal(err)
	}
	if n, err := store.Release(ctx, pulse.ReleaseOptions{Delay: 7 * 24 * time.Hour, MinBatch: 5}, later); err != nil || n != 5 {
		t.Fatalf("released %d (%v), want the batch of five", n, err)
	}
	_, page, _ = lead.request(t, "GET", "/console/leadership", nil, "")
	if !strings.Contains(page, "5 reports") || !strings.Contains(page, "thirty beds") || strings.Contains(page, "jo@example.org") {
		t.Error("the released batch is missing, or shows unredacted text")
	}
	var conv string
	_ = h.db.Pool.QueryRow(ctx, `SELECT id::text FROM conversations LIMIT 1`).Scan(&conv)
	if !strings.Contains(page, `id="trend-role"`) || conv == "" || strings.Contains(page, conv) {
		t.Error("the page lacks the trends or names a conversation")
	}
}
