package review

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"nightfloat/redact"
)

// loadTurns reads a transcript for a reviewer: the messages and assessments from their
// owner, the resident's ratings from review_feedback. Every piece of text a resident, a
// clinician or the assistant wrote passes through redact.Text here, before it leaves the
// package.
func (q *Queue) loadTurns(ctx context.Context, tx pgx.Tx, convID string) ([]Turn, error) {
	msgs, err := q.opts.Conversations.Transcript(ctx, convID)
	if err != nil {
		return nil, fmt.Errorf("review: read transcript: %w", err)
	}
	feedback, err := loadFeedback(ctx, tx, convID)
	if err != nil {
		return nil, err
	}
	turns := make([]Turn, len(msgs))
	bySeq := map[int64]int{}
	for i, m := range msgs {
		t := Turn{Seq: m.Seq, Author: m.Author, Kind: m.Kind, Text: m.Body, At: m.CreatedAt, Counsellor: m.Counsellor}
		// The service's own messages (crisis resources, handoff notices) hold no one's
		// words, so a reviewer sees the numbers the resident was given; everything a
		// resident or a clinician wrote is redacted.
		if t.Author != "system" {
			t.Text = redact.Text(t.Text)
		}
		if f, ok := feedback[m.Seq]; ok {
			t.Feedback = &f
		}
		for _, c := range m.Citations {
			t.Citations = append(t.Citations, c.Title)
		}
		var meta struct {
			PromptID      string         `json:"prompt_id"`
			PromptVersion string         `json:"prompt_version"`
			Model         string         `json:"model"`
			Sources       []TurnSource   `json:"sources"`
			Reasons       []TurnEvidence `json:"reasons"`
		}
		if b, err := json.Marshal(m.Meta); err == nil && json.Unmarshal(b, &meta) == nil {
			t.PromptID, t.PromptVersion, t.Model, t.Sources = meta.PromptID, meta.PromptVersion, meta.Model, meta.Sources
			t.Withheld = redactEvidence(meta.Reasons)
		}
		turns[i] = t
		bySeq[m.Seq] = i
	}
	assessments, err := q.opts.Conversations.Assessments(ctx, convID)
	if err != nil {
		return nil, fmt.Errorf("review: read assessments: %w", err)
	}
	for _, sa := range assessments {
		i, ok := bySeq[sa.Seq]
		if !ok {
			continue
		}
		a := TurnAssessment{Subject: sa.Subject, Level: sa.Level, Categories: sa.Categories, CSSRS: sa.CSSRS,
			Version: sa.Version, Errors: sa.Errors}
		var ev []TurnEvidence
		_ = json.Unmarshal(sa.Evidence, &ev)
		a.Evidence = redactEvidence(ev)
		turns[i].Assessments = append(turns[i].Assessments, a)
	}
	return turns, nil
}

// loadFeedback reads the resident's ratings of a conversation's replies, by seq, with the
// comments redacted.
func loadFeedback(ctx context.Context, tx pgx.Tx, convID string) (map[int64]TurnFeedback, error) {
	rows, err := tx.Query(ctx, `SELECT seq, rating, coalesce(comment, '') FROM review_feedback WHERE conversation_id = $1`, convID)
	if err != nil {
		return nil, fmt.Errorf("review: read feedback: %w", err)
	}
	out := map[int64]TurnFeedback{}
	var seq int64
	var f TurnFeedback
	_, err = pgx.ForEachRow(rows, []any{&seq, &f.Rating, &f.Comment}, func() error {
		out[seq] = TurnFeedback{Rating: f.Rating, Comment: redact.Text(f.Comment)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: read feedback: %w", err)
	}
	return out, nil
}
