package insights

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat"
	"nightfloat/safety"
)

// The conversations the review sampler may queue, one read per rule. The sampler (review)
// decides what to queue and writes its items; these only find the candidates, from
// assistant's conversations, messages, assessments and handoffs and review's own record of
// what it has sampled.

// SampleWindow is the conversations a sampling run considers.
type SampleWindow struct {
	// IdleBefore and Since bound the last activity: after Since, at or before IdleBefore.
	IdleBefore, Since time.Time
	// Reason leaves out the conversations already sampled for it (review's reason).
	Reason string
	// ReadyNow leaves out the conversations whose handoff is still open: when sampling
	// without the idle wait, they are not finished.
	ReadyNow bool
}

// where is the condition every rule shares on conversation c: $1 IdleBefore, $2 Since,
// $3 Reason.
func (w SampleWindow) where() string {
	return `c.last_active_at <= $1 AND c.last_active_at > $2
	AND NOT EXISTS (SELECT 1 FROM review_samples s WHERE s.conversation_id = c.id AND s.reason = $3)` + w.ready()
}

func (w SampleWindow) ready() string {
	if !w.ReadyNow {
		return ""
	}
	return ` AND NOT EXISTS (SELECT 1 FROM handoffs oh WHERE oh.conversation_id = c.id AND oh.status <> '` + handoffResolved + `')`
}

// HandoffCandidate is a conversation with at least one clinician handoff.
type HandoffCandidate struct {
	ConversationID string
	Handoffs       int64
	Levels         []string // the handoffs' levels, distinct, in name order
	Categories     []string // their categories, distinct
}

// HandoffCandidates finds the conversations in w with a handoff, earliest handoff first.
func HandoffCandidates(ctx context.Context, db DB, w SampleWindow) ([]HandoffCandidate, error) {
	rows, err := db.Query(ctx, `
		SELECT c.id::text, count(DISTINCT h.id), array_agg(DISTINCT h.level ORDER BY h.level),
		       coalesce(array_agg(DISTINCT cat) FILTER (WHERE cat IS NOT NULL), '{}')
		FROM conversations c
		JOIN handoffs h ON h.conversation_id = c.id
		LEFT JOIN LATERAL unnest(h.categories) cat ON true
		WHERE `+w.where()+`
		GROUP BY c.id ORDER BY min(h.created_at)`, w.IdleBefore, w.Since, w.Reason)
	out, err := collect(rows, err, func(row pgx.CollectableRow) (HandoffCandidate, error) {
		var c HandoffCandidate
		err := row.Scan(&c.ConversationID, &c.Handoffs, &c.Levels, &c.Categories)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("insights: handoff candidates: %w", err)
	}
	return out, nil
}

// FeedbackCandidate is a conversation where the resident rated replies down.
type FeedbackCandidate struct {
	ConversationID     string
	Harmful, Unhelpful int64
	Seqs               []int64 // the rated replies
}

// FeedbackCandidates finds the conversations in w with a resident's rating, earliest first.
func FeedbackCandidates(ctx context.Context, db DB, w SampleWindow) ([]FeedbackCandidate, error) {
	rows, err := db.Query(ctx, `
		SELECT c.id::text, count(*) FILTER (WHERE f.rating = $4), count(*) FILTER (WHERE f.rating = $5),
		       array_agg(f.seq ORDER BY f.seq)
		FROM conversations c
		JOIN review_feedback f ON f.conversation_id = c.id
		WHERE `+w.where()+`
		GROUP BY c.id ORDER BY min(f.created_at)`, w.IdleBefore, w.Since, w.Reason, ratingHarmful, ratingUnhelpful)
	out, err := collect(rows, err, func(row pgx.CollectableRow) (FeedbackCandidate, error) {
		var c FeedbackCandidate
		err := row.Scan(&c.ConversationID, &c.Harmful, &c.Unhelpful, &c.Seqs)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("insights: feedback candidates: %w", err)
	}
	return out, nil
}

// WithheldCandidate is a conversation where the output check withheld replies.
type WithheldCandidate struct {
	ConversationID string
	Withheld       int64
	Seqs           []int64 // the withheld notices
}

// WithheldCandidates finds the conversations in w with a withheld reply, earliest first.
func WithheldCandidates(ctx context.Context, db DB, w SampleWindow) ([]WithheldCandidate, error) {
	rows, err := db.Query(ctx, `
		SELECT c.id::text, count(*), array_agg(m.seq ORDER BY m.seq)
		FROM conversations c
		JOIN messages m ON m.conversation_id = c.id AND m.kind = $4
		WHERE `+w.where()+`
		GROUP BY c.id ORDER BY min(m.created_at)`, w.IdleBefore, w.Since, w.Reason, kindWithheld)
	out, err := collect(rows, err, func(row pgx.CollectableRow) (WithheldCandidate, error) {
		var c WithheldCandidate
		err := row.Scan(&c.ConversationID, &c.Withheld, &c.Seqs)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("insights: withheld candidates: %w", err)
	}
	return out, nil
}

// ScreenCandidate is a conversation with a positive screen, or one that handed off.
type ScreenCandidate struct {
	ConversationID string
	Screens        int64    // its screens at concern or above
	Instruments    []string // their instruments, distinct, in name order
	Levels         []string // their levels, distinct, in name order
}

// ScreenCandidates finds the conversations in w with a screen at concern or above (a
// positive screen, or PHQ-9 item 9), earliest screen first.
func ScreenCandidates(ctx context.Context, db DB, w SampleWindow) ([]ScreenCandidate, error) {
	rows, err := db.Query(ctx, `
		SELECT c.id::text, count(*), array_agg(DISTINCT s.instrument ORDER BY s.instrument), array_agg(DISTINCT s.level ORDER BY s.level)
		FROM conversations c
		JOIN screens s ON s.conversation_id = c.id AND array_position($4::text[], s.level) >= array_position($4::text[], $5)
		WHERE `+w.where()+`
		GROUP BY c.id ORDER BY min(s.created_at)`, w.IdleBefore, w.Since, w.Reason, levelNames(), nightfloat.LevelConcern.String())
	out, err := collect(rows, err, func(row pgx.CollectableRow) (ScreenCandidate, error) {
		var c ScreenCandidate
		err := row.Scan(&c.ConversationID, &c.Screens, &c.Instruments, &c.Levels)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("insights: screen candidates: %w", err)
	}
	return out, nil
}

// UncertainCandidate is a conversation where the classifier was unsure, with the number of
// assessments that were so for each cause (one assessment may count under several).
type UncertainCandidate struct {
	ConversationID         string
	LayerErrors            int64   // a layer failed
	LayersDisagree         int64   // layers (memory aside) reached different levels
	ConcernSuicideAdjacent int64   // a concern verdict on a SuicideAdjacent category
	LearnedReview          int64   // a concern verdict from the learned layer's review band
	Seqs                   []int64 // the uncertain assessments' messages
}

// SuicideAdjacent are the categories where a concern verdict is itself a reason to look:
// the suicide-adjacent ones, and worry about someone else that is not imminent
// (third_party_worry), which is answered with guidance instead of a handoff and so is
// always put before a clinician.
var SuicideAdjacent = []safety.Category{safety.SuicidalIdeation, safety.SuicidePlanOrIntent, safety.SelfHarm, safety.ThirdPartyWorry}

// UncertainCandidates finds the conversations in w where the classifier was unsure: an
// assessment that records a layer failure, one whose evidence from different layers (the
// memory of earlier turns aside) reaches different levels, a concern verdict on a
// SuicideAdjacent category, the band where a miss costs the most, or a concern verdict
// from the learned layer's review band. Levels, categories and layers are safety's.
func UncertainCandidates(ctx context.Context, db DB, w SampleWindow) ([]UncertainCandidate, error) {
	// Evidence from the learned layer at concern: containment ignores the other fields.
	learnedReview, err := json.Marshal([]map[string]any{{"layer": safety.LayerLearned, "level": nightfloat.LevelConcern}})
	if err != nil {
		return nil, fmt.Errorf("insights: uncertain candidates: %w", err)
	}
	rows, err := db.Query(ctx, `
		WITH judged AS (
			SELECT a.conversation_id, a.seq,
			       cardinality(a.errors) > 0 AS failed,
			       a.level = $6 AND a.categories && $4::text[] AS concern_suicide,
			       a.level = $6 AND jsonb_typeof(a.evidence) = 'array' AND a.evidence @> $7::jsonb AS learned_review,
			       (SELECT count(DISTINCT l.top) FROM (
			            SELECT e->>'layer' AS layer, max(array_position($5::text[], e->>'level')) AS top
			            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.evidence) = 'array' THEN a.evidence ELSE '[]' END) e
			            WHERE coalesce(e->>'layer', '') NOT IN ('', $8)
			            GROUP BY 1) l) > 1 AS layers_disagree
			FROM conversations c
			JOIN assessments a ON a.conversation_id = c.id
			WHERE `+w.where()+`
		)
		SELECT conversation_id::text,
		       count(*) FILTER (WHERE failed), count(*) FILTER (WHERE layers_disagree), count(*) FILTER (WHERE concern_suicide), count(*) FILTER (WHERE learned_review),
		       array_agg(seq ORDER BY seq)
		FROM judged WHERE failed OR layers_disagree OR concern_suicide OR learned_review
		GROUP BY conversation_id ORDER BY conversation_id`,
		w.IdleBefore, w.Since, w.Reason, categoryNames(SuicideAdjacent), levelNames(), nightfloat.LevelConcern.String(), learnedReview, safety.LayerMemory)
	out, err := collect(rows, err, func(row pgx.CollectableRow) (UncertainCandidate, error) {
		var c UncertainCandidate
		err := row.Scan(&c.ConversationID, &c.LayerErrors, &c.LayersDisagree, &c.ConcernSuicideAdjacent, &c.LearnedReview, &c.Seqs)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("insights: uncertain candidates: %w", err)
	}
	return out, nil
}

// RandomCandidates returns up to limit conversations in w (Reason aside) that have a
// resident's message, were sampled for no reason and were never checked by the random
// sample, least recently active first.
func RandomCandidates(ctx context.Context, db DB, w SampleWindow, limit int) ([]string, error) {
	rows, err := db.Query(ctx, `
		SELECT c.id::text FROM conversations c
		WHERE c.last_active_at <= $1 AND c.last_active_at > $2
		  AND NOT EXISTS (SELECT 1 FROM review_samples s WHERE s.conversation_id = c.id)
		  AND NOT EXISTS (SELECT 1 FROM review_random_checked r WHERE r.conversation_id = c.id)
		  AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.author = $3)`+w.ready()+`
		ORDER BY c.last_active_at, c.id LIMIT $4`, w.IdleBefore, w.Since, authorResident, limit)
	ids, err := collect(rows, err, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("insights: random candidates: %w", err)
	}
	return ids, nil
}

// ConversationLevel returns the highest level any assessment, handoff or screen of the
// conversation reached (LevelNone for none) and when it started; ok is false when there is no such
// conversation. Run it in the transaction that queues the conversation.
func ConversationLevel(ctx context.Context, db DB, conversationID string) (level nightfloat.Level, started time.Time, ok bool, err error) {
	var name string
	err = db.QueryRow(ctx, `
		SELECT ($2::text[])[greatest(
		           coalesce((SELECT max(array_position($2::text[], a.level)) FROM assessments a WHERE a.conversation_id = c.id), 1),
		           coalesce((SELECT max(array_position($2::text[], h.level)) FROM handoffs h WHERE h.conversation_id = c.id), 1),
		           coalesce((SELECT max(array_position($2::text[], s.level)) FROM screens s WHERE s.conversation_id = c.id), 1))],
		       c.created_at
		FROM conversations c WHERE c.id = $1`, conversationID, levelNames()).Scan(&name, &started)
	if errors.Is(err, pgx.ErrNoRows) {
		return nightfloat.LevelNone, time.Time{}, false, nil
	}
	if err == nil {
		level, err = nightfloat.ParseLevel(name)
	}
	if err != nil {
		return nightfloat.LevelNone, time.Time{}, false, fmt.Errorf("insights: conversation level: %w", err)
	}
	return level, started, true, nil
}

// levelNames are nightfloat.Levels by name, lowest first: in SQL a level's position in it
// is its rank.
func levelNames() []string {
	out := make([]string, len(nightfloat.Levels))
	for i, l := range nightfloat.Levels {
		out[i] = l.String()
	}
	return out
}

func categoryNames(cs []safety.Category) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

func collect[T any](rows pgx.Rows, err error, fn pgx.RowToFunc[T]) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, fn)
}
