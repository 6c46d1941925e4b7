package assistant

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Reads of whole conversations for the people who review them (the review package). Text
// leaves here unredacted: the reader redacts before anything reaches a reviewer.

// Transcript returns every message of a conversation in order, with Meta (prompt, model,
// sources, withheld reasons) filled in. Meta is never sent to the resident.
func (s *Store) Transcript(ctx context.Context, convID string) ([]Message, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, author, kind, body, citations, meta, created_at
		FROM messages WHERE conversation_id = $1 ORDER BY seq`, convID)
	if err != nil {
		return nil, unavailable("read transcript", err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
		m := Message{ConversationID: convID}
		var cites, meta []byte
		if err := row.Scan(&m.Seq, &m.Author, &m.Kind, &m.Body, &cites, &meta, &m.CreatedAt); err != nil {
			return m, err
		}
		if len(cites) > 2 {
			if err := json.Unmarshal(cites, &m.Citations); err != nil {
				return m, fmt.Errorf("decode citations: %w", err)
			}
		}
		if len(meta) > 2 {
			if err := json.Unmarshal(meta, &m.Meta); err != nil {
				return m, fmt.Errorf("decode meta: %w", err)
			}
		}
		_, m.Counsellor = m.Meta["screen_reply"]
		return m, nil
	})
	if err != nil {
		return nil, unavailable("read transcript", err)
	}
	return msgs, nil
}

// ConversationHandoffs returns every handoff of a conversation, oldest first, with how
// each ended (Note, AIReenabled). ClaimedBy is the clinician's id; no name is read.
func (s *Store) ConversationHandoffs(ctx context.Context, convID string) ([]Handoff, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, level, categories, status, coalesce(claimed_by, 0), claimed_at,
		       unattended_at, resolved_at, coalesce(disposition, ''), coalesce(note, ''), coalesce(ai_reenabled, false), created_at
		FROM handoffs WHERE conversation_id = $1 ORDER BY created_at, id`, convID)
	if err != nil {
		return nil, unavailable("read handoffs", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Handoff, error) {
		h := Handoff{ConversationID: convID}
		err := row.Scan(&h.ID, &h.Level, &h.Categories, &h.Status, &h.ClaimedBy, &h.ClaimedAt, &h.UnattendedAt,
			&h.ResolvedAt, &h.Disposition, &h.Note, &h.AIReenabled, &h.CreatedAt)
		return h, err
	})
	if err != nil {
		return nil, unavailable("read handoffs", err)
	}
	return out, nil
}

// TurnCounts returns how many messages each of the conversations ids holds; a
// conversation that is gone is absent.
func (s *Store) TurnCounts(ctx context.Context, ids []string) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT conversation_id::text, count(*) FROM messages
		WHERE conversation_id = ANY($1::uuid[]) GROUP BY conversation_id`, ids)
	if err != nil {
		return nil, unavailable("count turns", err)
	}
	counts := map[string]int{}
	var id string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error { counts[id] = n; return nil })
	if err != nil {
		return nil, unavailable("count turns", err)
	}
	return counts, nil
}

// HandledBy returns the conversations in which clinicianID claimed a handoff: a clinician
// does not review their own handoff.
func (s *Store) HandledBy(ctx context.Context, clinicianID int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT conversation_id::text FROM handoffs WHERE claimed_by = $1`, clinicianID)
	if err != nil {
		return nil, unavailable("read handled conversations", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, unavailable("read handled conversations", err)
	}
	return ids, nil
}
