package review

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/clinician"
	"nightfloat/redact"
)

// DraftCase is one draft eval case in the format `nightfloat eval safety --cases` reads
// (evals.Case), with extra fields that the loader ignores.
type DraftCase struct {
	ID     string   `json:"id"`
	Turns  []string `json:"turns"`
	Expect string   `json:"expect"` // escalate | no_escalate
	Role   string   `json:"role,omitempty"`
	Source string   `json:"source"`
	Note   string   `json:"note"`
	// Extra fields.
	ReviewID   int64  `json:"review_id"`
	ItemID     int64  `json:"item_id"`
	Seq        int64  `json:"seq"`
	Escalation string `json:"escalation"`
	Disputed   bool   `json:"disputed,omitempty"` // reviewers disagreed on this item
	Draft      bool   `json:"draft"`
	ReviewedAt string `json:"reviewed_at"`
}

// ExportOptions select what to export.
type ExportOptions struct {
	Since time.Time // reviews submitted at or after; zero for all
	Actor string    // who exports, for the audit log (clinician.ActorCLI by default)
}

// ExportCases writes, as JSON Lines, a draft eval case for every turn a review marked as
// a missed escalation (expect "escalate") or an over-escalation (expect "no_escalate"):
// the resident's messages up to and including the marked one, each redacted. Reviews
// whose conversation retention has deleted are skipped. The export is audited. It
// returns how many cases it wrote.
func ExportCases(ctx context.Context, pool *pgxpool.Pool, audit *clinician.Audit, o ExportOptions, w io.Writer) (int, error) {
	if audit == nil {
		audit = clinician.NewAudit(pool)
	}
	if o.Actor == "" {
		o.Actor = clinician.ActorCLI
	}
	rows, err := pool.Query(ctx, `
		SELECT r.id, r.item_id, r.escalation, r.created_at, m.seq, m.mark, i.disagreement, i.conversation_id::text, c.role
		FROM reviews r
		JOIN review_marks m ON m.review_id = r.id AND m.mark IN ('missed_escalation', 'over_escalation')
		JOIN review_items i ON i.id = r.item_id
		JOIN conversations c ON c.id = i.conversation_id
		WHERE r.created_at >= $1
		ORDER BY r.created_at, r.id, m.seq`, o.Since)
	type marked struct {
		reviewID, itemID, seq int64
		escalation, mark      string
		at                    time.Time
		disputed              bool
		convID, role          string
	}
	marks, err := collect(rows, err, func(row pgx.CollectableRow) (marked, error) {
		var m marked
		err := row.Scan(&m.reviewID, &m.itemID, &m.escalation, &m.at, &m.seq, &m.mark, &m.disputed, &m.convID, &m.role)
		return m, err
	})
	if err != nil {
		return 0, fmt.Errorf("review: export: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	reviews := map[int64]bool{}
	for _, m := range marks {
		rows, err := pool.Query(ctx, `SELECT body FROM messages
			WHERE conversation_id = $1 AND author = 'resident' AND seq <= $2 ORDER BY seq`, m.convID, m.seq)
		bodies, err := collect(rows, err, pgx.RowTo[string])
		if err != nil {
			return n, fmt.Errorf("review: export: %w", err)
		}
		var turns []string
		for _, b := range bodies {
			if t := strings.TrimSpace(redact.Text(b)); t != "" {
				turns = append(turns, t)
			}
		}
		if len(turns) == 0 {
			continue
		}
		c := DraftCase{
			ID:         fmt.Sprintf("review-%d-turn-%d", m.reviewID, m.seq),
			Turns:      turns,
			Expect:     "escalate",
			Role:       m.role,
			Source:     fmt.Sprintf("review %d", m.reviewID),
			Note:       "draft from a clinician review: a missed escalation; check the wording and label before adding it to a suite",
			ReviewID:   m.reviewID,
			ItemID:     m.itemID,
			Seq:        m.seq,
			Escalation: m.escalation,
			Disputed:   m.disputed,
			Draft:      true,
			ReviewedAt: m.at.UTC().Format(time.RFC3339),
		}
		if m.mark == MarkOverEscalation {
			c.Expect = "no_escalate"
			c.Note = "draft from a clinician review: an over-escalation; check the wording and label before adding it to a suite"
		}
		if err := enc.Encode(c); err != nil {
			return n, fmt.Errorf("review: export: write: %w", err)
		}
		n++
		reviews[m.reviewID] = true
	}
	detail := map[string]any{"cases": n, "reviews": len(reviews)}
	if !o.Since.IsZero() {
		detail["since"] = o.Since.UTC().Format(time.RFC3339)
	}
	if err := audit.Record(ctx, o.Actor, "review.export_cases", "", detail); err != nil {
		return n, err
	}
	return n, nil
}
