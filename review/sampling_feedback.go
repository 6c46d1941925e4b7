package review

import (
	"context"
	"errors"
	"fmt"
	"nightfloat"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Resident feedback ratings.
const (
	RatingUnhelpful = "unhelpful"
	RatingHarmful   = "harmful"
)

// MaxFeedbackComment bounds a feedback comment, in characters.
const MaxFeedbackComment = 1000

// Feedback is a resident's thumbs-down on one reply.
type Feedback struct {
	ConversationID string
	Seq            int64
	Rating         string
	Comment        string
}

// RecordFeedback stores a resident's rating of a reply. The caller must already have
// authorised the conversation (its resume token). Only assistant replies, and replies the
// output check withheld, can be rated; rating the same reply again replaces the earlier
// rating. The comment is stored as written and shown to reviewers only redacted.
func RecordFeedback(ctx context.Context, pool *pgxpool.Pool, f Feedback) error {
	f.Comment = strings.TrimSpace(f.Comment)
	switch {
	case f.Rating != RatingUnhelpful && f.Rating != RatingHarmful:
		return nightfloat.Errorf(nightfloat.CodeInvalid, "rating must be %q or %q", RatingUnhelpful, RatingHarmful)
	case f.Seq <= 0:
		return nightfloat.Errorf(nightfloat.CodeInvalid, "seq must name a reply")
	case !utf8.ValidString(f.Comment):
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the comment is not valid text")
	case utf8.RuneCountInString(f.Comment) > MaxFeedbackComment:
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the comment is longer than %d characters", MaxFeedbackComment)
	case strings.ContainsRune(f.Comment, 0):
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the comment is not valid text")
	}
	var ok bool
	err := pool.QueryRow(ctx, `SELECT author = 'assistant' OR kind = 'withheld' FROM messages
		WHERE conversation_id = $1 AND seq = $2`, f.ConversationID, f.Seq).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return nightfloat.Errorf(nightfloat.CodeNotFound, "no such reply in this conversation")
	}
	if err != nil {
		return fmt.Errorf("review: record feedback: %w", err)
	}
	if !ok {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "only the assistant's replies can be rated")
	}
	_, err = pool.Exec(ctx, `INSERT INTO review_feedback (conversation_id, seq, rating, comment)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (conversation_id, seq) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, updated_at = now()`,
		f.ConversationID, f.Seq, f.Rating, f.Comment)
	if err != nil {
		return fmt.Errorf("review: record feedback: %w", err)
	}
	return nil
}
