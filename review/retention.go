package review

import (
	"context"
	"fmt"
	"time"

	"nightfloat/postgres"
)

// HeldConversations returns those of ids whose review is not done: retention keeps them
// until the review is finished (assistant.RetentionHold).
func (q *Queue) HeldConversations(ctx context.Context, db postgres.Querier, ids []string) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT conversation_id::text FROM review_items
		WHERE conversation_id = ANY($1::uuid[]) AND status <> 'done'`, ids)
	if err != nil {
		return nil, fmt.Errorf("review: held conversations: %w", err)
	}
	var held []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("review: held conversations: %w", err)
		}
		held = append(held, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: held conversations: %w", err)
	}
	return held, nil
}

// RetentionCleanup clears the free text of reviews whose conversation is gone, which may
// quote the transcript; the ratings and the turn marks (by seq) stay
// (assistant.RetentionCleanup).
func (q *Queue) RetentionCleanup(ctx context.Context, db postgres.Querier, _ time.Time) (map[string]int, error) {
	tag, err := db.Exec(ctx, `DELETE FROM review_notes n USING reviews r, review_items i
		WHERE n.review_id = r.id AND r.item_id = i.id AND i.conversation_id IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("review: clear notes: %w", err)
	}
	notes := int(tag.RowsAffected())
	tag, err = db.Exec(ctx, `UPDATE review_marks m SET note = NULL FROM reviews r, review_items i
		WHERE m.review_id = r.id AND r.item_id = i.id AND i.conversation_id IS NULL AND m.note IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("review: clear mark notes: %w", err)
	}
	return map[string]int{"review_notes_cleared": notes, "mark_notes_cleared": int(tag.RowsAffected())}, nil
}
