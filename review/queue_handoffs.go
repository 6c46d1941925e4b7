package review

import (
	"context"
	"fmt"
	"time"

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

// loadHandoffs reads a conversation's handoffs from their owner, with the resolution
// note redacted and the clinician given by role.
func (q *Queue) loadHandoffs(ctx context.Context, convID string) ([]HandoffSummary, error) {
	handoffs, err := q.opts.Conversations.ConversationHandoffs(ctx, convID)
	if err != nil {
		return nil, fmt.Errorf("review: read handoffs: %w", err)
	}
	out := make([]HandoffSummary, len(handoffs))
	for i, h := range handoffs {
		s := HandoffSummary{Level: h.Level.String(), Categories: h.Categories, OpenedAt: h.CreatedAt,
			Unattended: h.UnattendedAt != nil, ResolvedAt: h.ResolvedAt, Disposition: h.Disposition,
			Note: redact.Text(h.Note), AIReenabled: h.AIReenabled}
		if h.ClaimedAt != nil {
			d := h.ClaimedAt.Sub(h.CreatedAt).Round(time.Second)
			s.ClaimedAfter, s.ClaimedBy = &d, "on-call clinician"
		}
		out[i] = s
	}
	return out, nil
}
