package assistant

import (
	"context"
	"errors"
	"nightfloat"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
)

// What happens to a stored screen afterwards: a counsellor's reply, or a re-alert when
// the reply is overdue.

// ReplyToScreens stores a counsellor's reply as a message of the screen's conversation
// and marks every screen of that conversation not yet answered as answered by it, with the
// suggested next step; also runs in the same transaction (the audit entry). It returns the
// message and the screens it answered. A screen already answered is a conflict.
func (s *Store) ReplyToScreens(ctx context.Context, screenID, clinicianID int64, body, step string, also func(ids []int64) TxWork) (Message, []int64, error) {
	var (
		out Message
		ids []int64
	)
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var convID string
		err := tx.QueryRow(ctx, `SELECT conversation_id::text FROM screens WHERE id = $1`, screenID).Scan(&convID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "no screen %d", screenID)
		}
		if err != nil {
			return err
		}
		if _, err := lockConversation(ctx, tx, convID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM screens WHERE conversation_id = $1 AND replied_at IS NULL ORDER BY id FOR UPDATE`, convID)
		if err == nil {
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err != nil {
			return err
		}
		if !slices.Contains(ids, screenID) {
			return nightfloat.Errorf(nightfloat.CodeConflict, "This screen has already been answered.")
		}
		meta := map[string]any{"screen_reply": ids}
		if step != "" {
			meta["next_step"] = step
		}
		msgs, err := appendTx(ctx, tx, convID, []Message{{Author: AuthorClinician, Kind: KindText, Body: body, Meta: meta}})
		if err != nil {
			return err
		}
		out = msgs[0]
		var next *string
		if step != "" {
			next = &step
		}
		if _, err := tx.Exec(ctx, `UPDATE screens SET replied_at = now(), reply_seq = $2, replied_by = $3, next_step = $4
			WHERE id = ANY($1)`, ids, out.Seq, clinicianID, next); err != nil {
			return err
		}
		return also(ids)(ctx, tx)
	})
	if err != nil {
		return Message{}, nil, unavailable("reply to screen", err)
	}
	out.Counsellor = true
	return out, ids, nil
}

// ScreensDueForAlert marks the unanswered screens whose reply is overdue and that were not
// re-alerted within every, counting one more re-alert each, and returns them. The update
// is the claim: on several replicas only one re-alerts a given screen.
func (s *Store) ScreensDueForAlert(ctx context.Context, every time.Duration) ([]Screen, error) {
	rows, err := s.pool.Query(ctx, `
		UPDATE screens SET realerts = realerts + 1, last_realert_at = now()
		WHERE replied_at IS NULL AND reply_due_at < now()
		  AND (last_realert_at IS NULL OR last_realert_at < now() - $1::interval)
		RETURNING id`, every.String())
	if err != nil {
		return nil, unavailable("re-alert screens", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, unavailable("re-alert screens", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := scanScreens(s.pool.Query(ctx, selectScreens+` WHERE s.id = ANY($1) ORDER BY s.id`, ids))
	if err != nil {
		return nil, unavailable("re-alert screens", err)
	}
	return out, nil
}
