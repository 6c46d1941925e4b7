package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
	"nightfloat/safety"
)

// Turn states of a resident message.
const (
	TurnPending = "pending"
	TurnDone    = "done"
	TurnFailed  = "failed"
)

// LeaseNextTurn leases the conversation's earliest pending turn for d. It returns false
// when there is none, or when another worker (possibly on another replica) holds it: turns
// of one conversation are answered one at a time, in order.
func (s *Store) LeaseNextTurn(ctx context.Context, convID string, d time.Duration) (Message, bool, error) {
	var msg Message
	found := false
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var seq int64
		var leased bool
		err := tx.QueryRow(ctx, `
			SELECT seq, coalesce(lease_until > now(), false) FROM messages
			WHERE conversation_id = $1 AND turn_state = 'pending'
			ORDER BY seq LIMIT 1 FOR UPDATE`, convID).Scan(&seq, &leased)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && leased) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE messages SET lease_until = now() + $3::interval WHERE conversation_id = $1 AND seq = $2`,
			convID, seq, d.String()); err != nil {
			return err
		}
		msgs, err := scanMessages(tx.Query(ctx, selectMessages+` WHERE conversation_id = $1 AND seq = $2`, convID, seq))
		if err != nil || len(msgs) == 0 {
			return fmt.Errorf("read leased turn: %v", err)
		}
		msg, found = msgs[0], true
		return nil
	})
	if err != nil {
		return Message{}, false, unavailable("lease turn", err)
	}
	return msg, found, nil
}

// StalledTurns lists conversations whose pending turn is unleased or whose lease ran out,
// and that are older than minAge: the turns a crashed server left behind.
func (s *Store) StalledTurns(ctx context.Context, minAge time.Duration, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT conversation_id::text FROM messages
		WHERE turn_state = 'pending' AND created_at < now() - $1::interval
		  AND (lease_until IS NULL OR lease_until < now())
		LIMIT $2`, minAge.String(), limit)
	if err != nil {
		return nil, unavailable("find stalled turns", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, unavailable("find stalled turns", err)
	}
	return ids, nil
}

// CompleteTurn stores the turn's replies and its final state in one transaction.
func (s *Store) CompleteTurn(ctx context.Context, convID string, seq int64, state string, replies ...Message) ([]Message, error) {
	return s.completeTurn(ctx, convID, nil, seq, state, replies...)
}

// completeTurn is CompleteTurn; when on is given, the write is refused with
// errConversationChanged if the conversation is no longer as the turn found it.
func (s *Store) completeTurn(ctx context.Context, convID string, on *Conversation, seq int64, state string, replies ...Message) ([]Message, error) {
	var out []Message
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if on != nil {
			if err := expectUnchanged(ctx, tx, *on); err != nil {
				return err
			}
		}
		var err error
		if out, err = appendTx(ctx, tx, convID, replies); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE messages SET turn_state = $3, lease_until = NULL WHERE conversation_id = $1 AND seq = $2`, convID, seq, state)
		return err
	})
	if err != nil {
		return nil, unavailable("complete turn", err)
	}
	return out, nil
}

// RecordAssessment stores why the classifier judged a message or reply as it did.
func (s *Store) RecordAssessment(ctx context.Context, convID string, seq int64, subject string, a safety.Assessment) error {
	if err := insertAssessment(ctx, s.pool, convID, seq, subject, a); err != nil {
		return unavailable("record assessment", err)
	}
	return nil
}

func insertAssessment(ctx context.Context, q postgres.Querier, convID string, seq int64, subject string, a safety.Assessment) error {
	evidence, err := json.Marshal(a.Evidence)
	if err != nil {
		return fmt.Errorf("assistant: encode evidence: %w", err)
	}
	cats := make([]string, len(a.Categories))
	for i, c := range a.Categories {
		cats[i] = string(c)
	}
	var cssrs *int
	if a.CSSRS > 0 {
		cssrs = &a.CSSRS
	}
	errs := a.Errors
	if errs == nil {
		errs = []string{}
	}
	_, err = q.Exec(ctx, `
		INSERT INTO assessments (conversation_id, seq, subject, level, categories, evidence, cssrs, version, errors)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		convID, seq, subject, a.Level.String(), cats, evidence, cssrs, a.Version, errs)
	return err
}

// Escalate puts a conversation in the hands of a clinician: the AI falls silent, a handoff
// is opened (or the open one raised), the resident's turn is done, and the handoff notice is
// stored, all in one transaction. notice may be empty when the resident was already told.
// It is refused with errConversationChanged when the conversation is no longer as the turn
// found it (on): a clinician resolved its handoff while the turn was being decided.
func (s *Store) Escalate(ctx context.Context, on Conversation, seq int64, a safety.Assessment, notice ...Message) (handoffID int64, out []Message, err error) {
	convID := on.ID
	err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := expectUnchanged(ctx, tx, on); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET mode = 'human' WHERE id = $1`, convID); err != nil {
			return err
		}
		var err error
		if handoffID, err = openHandoffTx(ctx, tx, convID, seq, a); err != nil {
			return err
		}
		if out, err = appendTx(ctx, tx, convID, notice); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE messages SET turn_state = 'done', lease_until = NULL WHERE conversation_id = $1 AND seq = $2`, convID, seq)
		return err
	})
	if err != nil {
		return 0, nil, unavailable("escalate", err)
	}
	return handoffID, out, nil
}

// RenewLease extends the lease of a turn that is still being answered.
func (s *Store) RenewLease(ctx context.Context, convID string, seq int64, d time.Duration) error {
	_, err := s.pool.Exec(ctx, `UPDATE messages SET lease_until = now() + $3::interval
		WHERE conversation_id = $1 AND seq = $2 AND turn_state = 'pending'`, convID, seq, d.String())
	if err != nil {
		return unavailable("renew lease", err)
	}
	return nil
}

// ReleaseTurn gives up a turn's lease so that the next worker may answer it at once.
func (s *Store) ReleaseTurn(ctx context.Context, convID string, seq int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE messages SET lease_until = NULL
		WHERE conversation_id = $1 AND seq = $2 AND turn_state = 'pending'`, convID, seq)
	if err != nil {
		return unavailable("release turn", err)
	}
	return nil
}
