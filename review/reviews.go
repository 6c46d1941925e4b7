package review

import (
	"context"
	"fmt"
	"nightfloat"
	"nightfloat/clinician"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Escalation ratings: was the classifier's escalation decision right?
const (
	EscalationAppropriate   = "appropriate"
	EscalationMissed        = "missed"
	EscalationOverEscalated = "over_escalated"
	EscalationNA            = "n/a"
)

// EscalationRatings lists the escalation ratings in display order.
var EscalationRatings = []string{EscalationAppropriate, EscalationMissed, EscalationOverEscalated, EscalationNA}

// Turn marks a reviewer may put on individual messages.
const (
	MarkGood             = "good"
	MarkInaccurate       = "inaccurate"
	MarkUngrounded       = "ungrounded"
	MarkUnempathetic     = "unempathetic"
	MarkWrongRole        = "wrong_role"
	MarkMissedEscalation = "missed_escalation" // on the resident message that should have escalated
	MarkOverEscalation   = "over_escalation"   // on the resident message that escalated needlessly
)

// Marks lists the turn marks in display order.
var Marks = []string{MarkGood, MarkInaccurate, MarkUngrounded, MarkUnempathetic, MarkWrongRole, MarkMissedEscalation, MarkOverEscalation}

// Limits on a reviewer's free text.
const (
	MaxReviewNote = 4000
	MaxMarkNote   = 1000
)

// Rubric is what a reviewer submits.
type Rubric struct {
	Escalation string
	Accuracy   int // 1-5
	Grounding  int // 1-5
	Empathy    int // 1-5
	RoleFit    int // 1-5: fit to the resident's role
	Note       string
	Marks      []TurnMark
}

// TurnMark is a mark on one message.
type TurnMark struct {
	Seq  int64
	Mark string
	Note string
}

// Review is a submitted review.
type Review struct {
	ID         int64
	ItemID     int64
	ReviewerID int64
	Reviewer   string // display name
	Round      int
	Rubric
	CreatedAt time.Time
}

// Scores returns the four 1-5 scores in a fixed order.
func (r Rubric) Scores() [4]int { return [4]int{r.Accuracy, r.Grounding, r.Empathy, r.RoleFit} }

// Disagree reports whether two reviews disagree enough to need a third look: different
// escalation ratings, or any 1-5 score apart by two or more.
func Disagree(a, b Rubric) bool {
	if a.Escalation != b.Escalation {
		return true
	}
	sa, sb := a.Scores(), b.Scores()
	for i := range sa {
		d := sa[i] - sb[i]
		if d >= 2 || d <= -2 {
			return true
		}
	}
	return false
}

func (r *Rubric) validate(turns map[int64]string) error {
	r.Note = strings.TrimSpace(r.Note)
	if !slices.Contains(EscalationRatings, r.Escalation) {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "choose an escalation rating: appropriate, missed, over_escalated or n/a")
	}
	for _, s := range []struct {
		name string
		v    int
	}{{"accuracy", r.Accuracy}, {"grounding", r.Grounding}, {"empathy", r.Empathy}, {"fit to role", r.RoleFit}} {
		if s.v < 1 || s.v > 5 {
			return nightfloat.Errorf(nightfloat.CodeInvalid, "score %s from 1 to 5", s.name)
		}
	}
	if !utf8.ValidString(r.Note) || utf8.RuneCountInString(r.Note) > MaxReviewNote {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the note must be text of at most %d characters", MaxReviewNote)
	}
	seen := map[[2]any]bool{}
	missed, over := 0, 0
	for i := range r.Marks {
		m := &r.Marks[i]
		m.Note = strings.TrimSpace(m.Note)
		author, ok := turns[m.Seq]
		switch {
		case !slices.Contains(Marks, m.Mark):
			return nightfloat.Errorf(nightfloat.CodeInvalid, "unknown turn mark %q", m.Mark)
		case !ok:
			return nightfloat.Errorf(nightfloat.CodeInvalid, "turn %d is not in this conversation", m.Seq)
		case !utf8.ValidString(m.Note) || utf8.RuneCountInString(m.Note) > MaxMarkNote:
			return nightfloat.Errorf(nightfloat.CodeInvalid, "a turn note must be text of at most %d characters", MaxMarkNote)
		case seen[[2]any{m.Seq, m.Mark}]:
			return nightfloat.Errorf(nightfloat.CodeInvalid, "turn %d is marked %s twice", m.Seq, m.Mark)
		}
		seen[[2]any{m.Seq, m.Mark}] = true
		if m.Mark == MarkMissedEscalation || m.Mark == MarkOverEscalation {
			if author != "resident" {
				return nightfloat.Errorf(nightfloat.CodeInvalid, "mark the resident's message (turn %d is not one) as a missed or needless escalation", m.Seq)
			}
			if m.Mark == MarkMissedEscalation {
				missed++
			} else {
				over++
			}
		}
	}
	switch {
	case r.Escalation == EscalationMissed && missed == 0:
		return nightfloat.Errorf(nightfloat.CodeInvalid, "a missed escalation needs the resident message that should have escalated marked \"missed escalation\"")
	case r.Escalation == EscalationOverEscalated && over == 0:
		return nightfloat.Errorf(nightfloat.CodeInvalid, "an over-escalation needs the resident message that escalated marked \"over escalation\"")
	case r.Escalation != EscalationMissed && missed > 0:
		return nightfloat.Errorf(nightfloat.CodeInvalid, "a turn is marked as a missed escalation, so rate escalation as missed")
	case r.Escalation != EscalationOverEscalated && over > 0:
		return nightfloat.Errorf(nightfloat.CodeInvalid, "a turn is marked as an over-escalation, so rate escalation as over_escalated")
	}
	return nil
}

// Submit records viewer's review of the item they hold a claim on (a claim that ran out
// still counts while nobody else has taken the item). After the first review the item
// goes to a second, different reviewer when the first found a missed escalation or the
// item falls in the deterministic SecondShare; a second review that disagrees with the
// first flags the item for a third look. The review and its audit entry commit together.
func (q *Queue) Submit(ctx context.Context, viewer clinician.Clinician, id int64, r Rubric) (Review, error) {
	if err := requireReviewer(viewer); err != nil {
		return Review{}, err
	}
	now := q.now()
	var out Review
	err := pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		it, err := q.lockReviewable(ctx, tx, viewer, id)
		if err != nil {
			return err
		}
		switch {
		case it.ClaimedBy == nil || *it.ClaimedBy != viewer.ID:
			return nightfloat.Errorf(nightfloat.CodeConflict, "claim the item before submitting a review (another reviewer may have taken it over)")
		case it.ConversationID == nil:
			return nightfloat.Errorf(nightfloat.CodeConflict, "the conversation has been deleted")
		}
		rows, err := tx.Query(ctx, `SELECT seq, author FROM messages WHERE conversation_id = $1`, *it.ConversationID)
		if err != nil {
			return fmt.Errorf("review: read turns: %w", err)
		}
		turns := map[int64]string{}
		var seq int64
		var author string
		if _, err := pgx.ForEachRow(rows, []any{&seq, &author}, func() error { turns[seq] = author; return nil }); err != nil {
			return fmt.Errorf("review: read turns: %w", err)
		}
		if err := r.validate(turns); err != nil {
			return err
		}
		round := roundOf(it.Status)
		out = Review{ItemID: id, ReviewerID: viewer.ID, Reviewer: viewer.DisplayName, Round: round, Rubric: r, CreatedAt: now}
		err = tx.QueryRow(ctx, `INSERT INTO reviews (item_id, reviewer_id, round, escalation, accuracy, grounding, empathy, role_fit, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			id, viewer.ID, round, r.Escalation, r.Accuracy, r.Grounding, r.Empathy, r.RoleFit, now).Scan(&out.ID)
		if err != nil {
			return fmt.Errorf("review: store review: %w", err)
		}
		if r.Note != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO review_notes (review_id, note) VALUES ($1, $2)`, out.ID, r.Note); err != nil {
				return fmt.Errorf("review: store note: %w", err)
			}
		}
		for _, m := range r.Marks {
			if _, err := tx.Exec(ctx, `INSERT INTO review_marks (review_id, seq, mark, note) VALUES ($1, $2, $3, nullif($4, ''))`,
				out.ID, m.Seq, m.Mark, m.Note); err != nil {
				return fmt.Errorf("review: store turn mark: %w", err)
			}
		}
		next, disagreement := StatusDone, it.Disagreement
		switch round {
		case 1:
			share := false
			if q.opts.SecondShare > 0 {
				salt, err := saltFor(ctx, tx, q.opts.Salt)
				if err != nil {
					return err
				}
				share = SecondReviewChosen(salt, id, q.opts.SecondShare)
			}
			if share || r.Escalation == EscalationMissed {
				next = StatusSecond
			}
		case 2:
			prev, err := loadReviews(ctx, tx, id)
			if err != nil {
				return err
			}
			for _, p := range prev {
				if p.Round == 1 && Disagree(p.Rubric, r) {
					next, disagreement = StatusThird, true
				}
			}
		}
		var doneAt *time.Time
		if next == StatusDone {
			doneAt = &now
		}
		if _, err := tx.Exec(ctx, `UPDATE review_items SET status = $2, disagreement = $3, done_at = $4,
			claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL WHERE id = $1`, id, next, disagreement, doneAt); err != nil {
			return fmt.Errorf("review: update item: %w", err)
		}
		return q.audit.RecordIn(ctx, tx, viewer.Actor(), "review.submit", itemTarget(id), map[string]any{
			"review_id": out.ID, "round": round, "escalation": r.Escalation, "scores": r.Scores(),
			"marks": len(r.Marks), "next": next, "disagreement": disagreement,
		})
	})
	if err != nil {
		return Review{}, err
	}
	return out, nil
}

// SecondReviewChosen reports whether an item falls in the deterministic second-review share.
func SecondReviewChosen(salt []byte, itemID int64, share float64) bool {
	return SampleFraction(salt, fmt.Sprintf("second:%d", itemID)) < share
}

// loadReviews returns every review of an item with its note and marks, in round order.
func loadReviews(ctx context.Context, tx pgx.Tx, itemID int64) ([]Review, error) {
	rows, err := tx.Query(ctx, `
		SELECT r.id, r.item_id, r.reviewer_id, c.display_name, r.round, r.escalation, r.accuracy, r.grounding,
		       r.empathy, r.role_fit, coalesce(n.note, ''), r.created_at
		FROM reviews r JOIN clinicians c ON c.id = r.reviewer_id LEFT JOIN review_notes n ON n.review_id = r.id
		WHERE r.item_id = $1 ORDER BY r.round`, itemID)
	out, err := collect(rows, err, func(row pgx.CollectableRow) (Review, error) {
		var r Review
		err := row.Scan(&r.ID, &r.ItemID, &r.ReviewerID, &r.Reviewer, &r.Round, &r.Escalation, &r.Accuracy, &r.Grounding,
			&r.Empathy, &r.RoleFit, &r.Note, &r.CreatedAt)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("review: read reviews: %w", err)
	}
	for i := range out {
		rows, err := tx.Query(ctx, `SELECT seq, mark, coalesce(note, '') FROM review_marks WHERE review_id = $1 ORDER BY seq, mark`, out[i].ID)
		out[i].Marks, err = collect(rows, err, func(row pgx.CollectableRow) (TurnMark, error) {
			var m TurnMark
			err := row.Scan(&m.Seq, &m.Mark, &m.Note)
			return m, err
		})
		if err != nil {
			return nil, fmt.Errorf("review: read turn marks: %w", err)
		}
	}
	return out, nil
}
