package pulse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat"
)

// Topics a check-in may carry, in the order the chat offers them. The list is fixed so
// that no free text rides along with a score.
var Topics = []string{"workload", "sleep", "supervision", "team", "personal", "other"}

// Store reads and writes the check-ins and reports.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Week is the Monday (UTC, midnight) of t's ISO week: the only time a check-in keeps.
func Week(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(day.Weekday()) + 6) % 7 // Monday 0 ... Sunday 6
	return day.AddDate(0, 0, -back)
}

// CheckIn records a conversation's check-in for the ISO week holding now: score 1
// (struggling) to 5 (doing well), topic empty or one of Topics. A second check-in in the
// same week is refused with CodeConflict.
func (s *Store) CheckIn(ctx context.Context, conversationID string, score int, topic string, now time.Time) error {
	if score < 1 || score > 5 {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "A check-in is a number from 1 to 5.")
	}
	var t *string
	if topic != "" {
		if !slices.Contains(Topics, topic) {
			return nightfloat.Errorf(nightfloat.CodeInvalid, "Unknown topic %q.", topic)
		}
		t = &topic
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO pulse_checkins (conversation_id, week, score, topic) VALUES ($1, $2, $3, $4)`,
		conversationID, Week(now), score, t)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return nightfloat.Errorf(nightfloat.CodeConflict, "You have already checked in this week.")
	}
	if err != nil {
		return fmt.Errorf("pulse: check in: %w", err)
	}
	return nil
}

// Due reports whether the conversation has not yet checked in this ISO week.
func (s *Store) Due(ctx context.Context, conversationID string, now time.Time) (bool, error) {
	var done bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pulse_checkins WHERE conversation_id = $1 AND week = $2)`,
		conversationID, Week(now)).Scan(&done)
	if err != nil {
		return false, fmt.Errorf("pulse: due: %w", err)
	}
	return !done, nil
}
