package pulse_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"nightfloat"
	"nightfloat/postgres/postgrestest"
	"nightfloat/pulse"
)

func conversation(t *testing.T, db *postgrestest.DB) string {
	t.Helper()
	var id string
	err := db.Pool.QueryRow(context.Background(), `INSERT INTO conversations (token_hash, role, pseudonym)
		VALUES ('\x00', 'resident', 'Quiet Heron') RETURNING id`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func code(err error) nightfloat.Code {
	var e *nightfloat.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestWeek(t *testing.T) {
	for _, tc := range []struct{ at, want string }{
		{"2026-12-07T00:00:00Z", "2026-12-07"}, // a Monday
		{"2026-12-13T23:59:59Z", "2026-12-07"}, // its Sunday
		{"2026-12-14T00:00:00Z", "2026-12-14"},
		{"2027-01-01T12:00:00Z", "2026-12-28"}, // ISO week 53 of 2026
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		if got := pulse.Week(at).Format(time.DateOnly); got != tc.want {
			t.Errorf("Week(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestCheckInOncePerWeek(t *testing.T) {
	db := postgrestest.New(t)
	s := pulse.New(db.Pool)
	ctx := context.Background()
	conv := conversation(t, db)
	mon := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	if due, err := s.Due(ctx, conv, mon); err != nil || !due {
		t.Fatalf("due before any check-in = %v, %v", due, err)
	}
	for _, tc := range []struct {
		name  string
		score int
		topic string
		at    time.Time
		want  nightfloat.Code
	}{
		{"score too low", 0, "", mon, nightfloat.CodeInvalid},
		{"score too high", 6, "", mon, nightfloat.CodeInvalid},
		{"free-text topic", 3, "my attending Dr X", mon, nightfloat.CodeInvalid},
		{"first this week", 2, "sleep", mon, ""},
		{"again on Sunday", 4, "", mon.AddDate(0, 0, 6), nightfloat.CodeConflict},
		{"next Monday", 4, "", mon.AddDate(0, 0, 7), ""},
	} {
		err := s.CheckIn(ctx, conv, tc.score, tc.topic, tc.at)
		if code(err) != tc.want || (tc.want == "" && err != nil) {
			t.Errorf("%s: %v, want code %q", tc.name, err, tc.want)
		}
	}
	if due, err := s.Due(ctx, conv, mon.AddDate(0, 0, 3)); err != nil || due {
		t.Errorf("due after this week's check-in = %v, %v", due, err)
	}
	var n int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM pulse_checkins`).Scan(&n)
	if n != 2 {
		t.Errorf("%d check-ins stored, want 2", n)
	}
}

func TestReportStoredRedactedOnly(t *testing.T) {
	db := postgrestest.New(t)
	s := pulse.New(db.Pool)
	ctx := context.Background()
	raw := "Dr. Smith yelled at me again, call me on 555-123-4567 or mail jo@example.org"
	preview := pulse.Preview(raw)
	if preview == raw || strings.Contains(preview, "555-123-4567") || strings.Contains(preview, "jo@example.org") {
		t.Fatalf("preview not redacted: %q", preview)
	}
	if err := s.Submit(ctx, "mistreatment", raw); err != nil {
		t.Fatal(err)
	}
	var body string
	_ = db.Pool.QueryRow(ctx, `SELECT body FROM leadership_reports`).Scan(&body)
	if body != preview {
		t.Errorf("stored %q, want exactly the preview %q", body, preview)
	}
	for _, tc := range []struct {
		kind, text string
		want       nightfloat.Code
	}{
		{"gossip", "x", nightfloat.CodeInvalid},
		{"duty_hours", "   ", nightfloat.CodeInvalid},
		{"duty_hours", strings.Repeat("a", pulse.MaxReportChars+1), nightfloat.CodeTooLarge},
	} {
		if err := s.Submit(ctx, tc.kind, tc.text); code(err) != tc.want {
			t.Errorf("Submit(%q, %d chars) = %v, want %q", tc.kind, len(tc.text), err, tc.want)
		}
	}
}

// TestBatchHeldUntilEnoughAndLateEnough: a batch is released only when at least MinBatch
// reports have each waited Delay, all at the batch's time; fewer stay held however long
// they wait, and a report too young stays out of the batch.
func TestBatchHeldUntilEnoughAndLateEnough(t *testing.T) {
	db := postgrestest.New(t)
	s := pulse.New(db.Pool)
	ctx := context.Background()
	o := pulse.ReleaseOptions{Delay: 72 * time.Hour, MinBatch: 3}
	t0 := time.Now().UTC()
	submit := func(kind string, at time.Time) {
		t.Helper()
		if err := s.Submit(ctx, kind, "the rota left one nurse for thirty beds"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `UPDATE leadership_reports SET submitted_at = $1 WHERE id = (SELECT max(id) FROM leadership_reports)`, at); err != nil {
			t.Fatal(err)
		}
	}
	released := func(now time.Time) int {
		t.Helper()
		n, err := s.Release(ctx, o, now)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	submit("unsafe_staffing", t0)
	submit("duty_hours", t0.Add(time.Hour))
	if n := released(t0.Add(30 * 24 * time.Hour)); n != 0 {
		t.Fatalf("two reports released %d after a month, want held (minimum 3)", n)
	}
	submit("mistreatment", t0.Add(2*time.Hour))
	if n := released(t0.Add(72*time.Hour + time.Hour)); n != 0 {
		t.Fatalf("released %d before the third had waited the delay", n)
	}
	if b, _ := s.Released(ctx, 10); len(b) != 0 {
		t.Fatalf("leadership sees %d batches before any release", len(b))
	}
	submit("mistreatment", t0.Add(74*time.Hour)) // too young at the release below
	at := t0.Add(74*time.Hour + time.Minute)
	if n := released(at); n != 3 {
		t.Fatalf("released %d, want the three that waited", n)
	}
	batches, err := s.Released(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || len(batches[0].Reports) != 3 || !batches[0].ReleasedAt.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("released batches %+v, want one of three at the release time", batches)
	}
	if k := batches[0].Reports; k[0].Kind != "duty_hours" || k[1].Kind != "mistreatment" || k[2].Kind != "unsafe_staffing" {
		t.Errorf("batch order %v: want by kind, not by submission", k)
	}
	if n := released(at.Add(365 * 24 * time.Hour)); n != 0 {
		t.Errorf("a lone report released (%d) a year later", n)
	}
	if _, err := s.Release(ctx, pulse.ReleaseOptions{Delay: time.Hour, MinBatch: 1}, at); err == nil {
		t.Error("a batch of one was allowed")
	}
}
