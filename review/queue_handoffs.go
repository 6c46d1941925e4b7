package review

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/redact"
)

// HandoffSummary is one handoff of a reviewed conversation as a reviewer reads it: how
// it went and how it ended. The clinician who took it is given by role, never by name.
type HandoffSummary struct {
	Level        string
	Categories   []string
	OpenedAt     time.Time
	ClaimedAfter *time.Duration // from opening to claim; nil while unclaimed
	ClaimedBy    string         // the role of the clinician who claimed it ("on-call clinician")
	Unattended   bool           // the resident was told that no clinician had joined yet
	ResolvedAt   *time.Time
	Disposition  string // empty until resolved
	Note         string // the resolution note, redacted
	AIReenabled  bool   // the conversation went back to the AI after the resolve
}

func loadHandoffs(ctx context.Context, tx pgx.Tx, convID string) ([]HandoffSummary, error) {
	rows, err := tx.Query(ctx, `SELECT level, categories, created_at, claimed_at, unattended_at IS NOT NULL,
		       resolved_at, coalesce(disposition, ''), coalesce(note, ''), coalesce(ai_reenabled, false)
		FROM handoffs WHERE conversation_id = $1 ORDER BY created_at, id`, convID)
	out, err := collect(rows, err, func(row pgx.CollectableRow) (HandoffSummary, error) {
		var h HandoffSummary
		var claimedAt *time.Time
		if err := row.Scan(&h.Level, &h.Categories, &h.OpenedAt, &claimedAt, &h.Unattended, &h.ResolvedAt,
			&h.Disposition, &h.Note, &h.AIReenabled); err != nil {
			return h, err
		}
		if claimedAt != nil {
			d := claimedAt.Sub(h.OpenedAt).Round(time.Second)
			h.ClaimedAfter, h.ClaimedBy = &d, "on-call clinician"
		}
		h.Note = redact.Text(h.Note)
		return h, nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: read handoffs: %w", err)
	}
	return out, nil
}
