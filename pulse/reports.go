package pulse

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"nightfloat"
	"nightfloat/internal/tick"
	"nightfloat/redact"
)

// Kinds of report to leadership, in the order the chat offers them.
var Kinds = []string{"mistreatment", "duty_hours", "unsafe_staffing"}

// MaxReportChars bounds a report's text.
const MaxReportChars = 4000

// ReleaseOptions hold reports back until they cannot be told apart by timing.
type ReleaseOptions struct {
	Delay    time.Duration // a report waits at least this long before it can be released
	MinBatch int           // a batch is released only when it holds at least this many
}

// Report is a released report as leadership sees it: its kind and redacted text.
type Report struct {
	Kind string
	Body string
}

// Batch is reports released together; ReleasedAt is the only time leadership sees.
type Batch struct {
	ID         int64
	ReleasedAt time.Time
	Reports    []Report
}

// Preview is exactly what would be stored and shared for text: the resident sees it
// before confirming.
func Preview(text string) string { return redact.Text(strings.TrimSpace(text)) }

// Submit stores a report, redacted: the raw text is never written. It has no link to the
// conversation it came from.
func (s *Store) Submit(ctx context.Context, kind, text string) error {
	if !slices.Contains(Kinds, kind) {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "Unknown kind of report %q.", kind)
	}
	body := Preview(text)
	if body == "" {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "The report is empty.")
	}
	if utf8.RuneCountInString(text) > MaxReportChars {
		return nightfloat.Errorf(nightfloat.CodeTooLarge, "A report is at most %d characters.", MaxReportChars)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO leadership_reports (kind, body) VALUES ($1, $2)`, kind, body); err != nil {
		return fmt.Errorf("pulse: submit report: %w", err)
	}
	return nil
}

// Release puts every waiting report submitted at least o.Delay before now into one new
// batch, released at now, when there are at least o.MinBatch of them; otherwise it
// releases nothing. It returns how many reports it released.
func (s *Store) Release(ctx context.Context, o ReleaseOptions, now time.Time) (int, error) {
	if o.MinBatch < 2 || o.Delay <= 0 {
		return 0, fmt.Errorf("pulse: release: a batch needs at least 2 reports and a positive delay (got %d, %s)", o.MinBatch, o.Delay)
	}
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM leadership_reports WHERE batch_id IS NULL AND submitted_at <= $1 FOR UPDATE SKIP LOCKED`,
			now.Add(-o.Delay))
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) < o.MinBatch {
			return err
		}
		var batch int64
		if err := tx.QueryRow(ctx, `INSERT INTO leadership_report_batches (released_at) VALUES ($1) RETURNING id`, now).Scan(&batch); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE leadership_reports SET batch_id = $1 WHERE id = ANY($2)`, batch, ids); err != nil {
			return err
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("pulse: release: %w", err)
	}
	return n, nil
}

// Released lists the released batches, newest first, each batch's reports ordered by kind
// and text (never by submission).
func (s *Store) Released(ctx context.Context, limit int) ([]Batch, error) {
	rows, err := s.pool.Query(ctx, `SELECT b.id, b.released_at, r.kind, r.body
		FROM leadership_report_batches b JOIN leadership_reports r ON r.batch_id = b.id
		WHERE b.id IN (SELECT id FROM leadership_report_batches ORDER BY released_at DESC, id DESC LIMIT $1)
		ORDER BY b.released_at DESC, b.id DESC, r.kind, r.body`, limit)
	if err != nil {
		return nil, fmt.Errorf("pulse: released: %w", err)
	}
	var out []Batch
	var id int64
	var at time.Time
	var r Report
	_, err = pgx.ForEachRow(rows, []any{&id, &at, &r.Kind, &r.Body}, func() error {
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, Batch{ID: id, ReleasedAt: at})
		}
		out[len(out)-1].Reports = append(out[len(out)-1].Reports, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pulse: released: %w", err)
	}
	return out, nil
}

// RunRelease calls Release every interval until ctx ends, so that batch times follow this
// schedule and not any submission; released is told how many reports each batch held.
func (s *Store) RunRelease(ctx context.Context, o ReleaseOptions, every time.Duration, released func(int, error)) {
	tick.Every(ctx, every, func(now time.Time) {
		n, err := s.Release(ctx, o, now)
		if n > 0 || err != nil {
			released(n, err)
		}
	})
}
