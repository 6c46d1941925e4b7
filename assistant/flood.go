package assistant

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// FloodOpenHandoffs is how many open handoffs one source (the network a conversation was
// started from) may have before its next ones are marked as a flood. Marking drops
// nothing: every handoff is opened, every resident gets the crisis resources at once, and
// each handoff can be claimed; the console shows a burst as one group and the pager is
// told about it once, so a flood cannot bury real requests under alerts.
const FloodOpenHandoffs = 3

// floodingTx reports whether a new handoff in conversation convID is part of a flood. It
// holds a lock on the conversation's source until tx ends, so parallel red flags from one
// source are counted one after another. A conversation without a source is never a flood.
func floodingTx(ctx context.Context, tx pgx.Tx, convID string) (bool, error) {
	var tag *string
	if err := tx.QueryRow(ctx, `SELECT source_tag FROM conversations WHERE id = $1`, convID).Scan(&tag); err != nil {
		return false, fmt.Errorf("flood check: %w", err)
	}
	if tag == nil || *tag == "" {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "nightfloat.source:"+*tag); err != nil {
		return false, fmt.Errorf("flood check: lock source: %w", err)
	}
	var open int
	err := tx.QueryRow(ctx, `
		SELECT count(*) FROM handoffs h JOIN conversations c ON c.id = h.conversation_id
		WHERE c.source_tag = $1 AND h.status <> 'resolved'`, *tag).Scan(&open)
	if err != nil {
		return false, fmt.Errorf("flood check: %w", err)
	}
	return open >= FloodOpenHandoffs, nil
}

// FirstInBurst returns the oldest open handoff of a burst (see Handoff.Burst) and how many
// of the burst are open.
func (s *Store) FirstInBurst(ctx context.Context, burst string) (first int64, open int, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT coalesce(min(h.id), 0), count(*) FROM handoffs h JOIN conversations c ON c.id = h.conversation_id
		WHERE h.flood AND c.source_tag = $1 AND h.status <> 'resolved'`, burst).Scan(&first, &open)
	if err != nil {
		return 0, 0, unavailable("read burst", err)
	}
	return first, open, nil
}
