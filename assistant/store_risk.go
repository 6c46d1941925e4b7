package assistant

import (
	"context"
	"errors"
	"fmt"
	"nightfloat"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
	"nightfloat/safety"
)

// The conversation's risk state (table conversation_risk) is the classifier's memory of
// the whole conversation (safety.Memory). Each assessment of a resident message is stored
// together with the state it raises, in one transaction; a clinician's resolution records
// what they concluded and sets how later signals combine with it (column combine).

// How later signals combine with what came before (conversation_risk.combine).
const (
	CombineCarry          = "carry"
	CombineAfterResolved  = "after_resolution"
	CombineAfterNoRisk    = "after_no_risk"
	CombineAfterLeft      = "after_resident_left"
	dispositionNoRisk     = "no_risk_found"
	dispositionLeft       = "resident_left"
	riskLevelsSQLOrdering = `ARRAY['none','concern','urgent','emergency']`
)

// RiskState is a conversation's risk state as stored.
type RiskState struct {
	Memory              safety.Memory
	Combine             string
	ResolvedDisposition string // "" until a resolution
	ResolvedLevel       string
	AssessedSeq         int64
}

// RiskState returns the conversation's risk state; a conversation none of whose messages
// has been assessed yet has the empty state (level none, no signals, combine carry).
func (s *Store) RiskState(ctx context.Context, convID string) (RiskState, error) {
	st, err := riskState(ctx, s.pool, convID)
	if err != nil {
		return RiskState{}, unavailable("read risk state", err)
	}
	return st, nil
}

func riskState(ctx context.Context, q postgres.Querier, convID string) (RiskState, error) {
	var (
		st          RiskState
		level       string
		cats        []string
		cssrs       *int
		disp, rlvl  *string
		signals     []string
		combine     string
		assessedSeq int64
	)
	err := q.QueryRow(ctx, `SELECT level, categories, cssrs, signals, combine, resolved_disposition, resolved_level, assessed_seq
		FROM conversation_risk WHERE conversation_id = $1`, convID).Scan(&level, &cats, &cssrs, &signals, &combine, &disp, &rlvl, &assessedSeq)
	if errors.Is(err, pgx.ErrNoRows) {
		return RiskState{Memory: safety.Memory{Categories: []safety.Category{}, Signals: []string{}}, Combine: CombineCarry}, nil
	}
	if err != nil {
		return RiskState{}, err
	}
	l, err := nightfloat.ParseLevel(level)
	if err != nil {
		return RiskState{}, fmt.Errorf("risk state level: %w", err)
	}
	st.Memory = safety.Memory{Level: l, Categories: make([]safety.Category, len(cats)), Signals: signals}
	for i, c := range cats {
		st.Memory.Categories[i] = safety.Category(c)
	}
	if cssrs != nil {
		st.Memory.CSSRS = *cssrs
	}
	st.Combine, st.AssessedSeq = combine, assessedSeq
	if disp != nil {
		st.ResolvedDisposition = *disp
	}
	if rlvl != nil {
		st.ResolvedLevel = *rlvl
	}
	return st, nil
}

// RecordMessageAssessment stores the assessment of resident message seq and, in the same
// transaction, raises the conversation's risk state with it (safety.Memory.Remember: the
// level only rises, signals are added). replace drops the message's earlier assessment
// first: a turn decided again because a clinician resolved the handoff meanwhile records
// the assessment it acts on; the first one was made on an episode the clinician has
// closed, and left in place it would read as an escalation that never happened. When a clinician resolved the conversation after the turn
// read it (on), the assessment is stored but the state is left to the turn's next attempt,
// so that an assessment made on a closed episode never writes over the resolution.
func (s *Store) RecordMessageAssessment(ctx context.Context, on Conversation, seq int64, a safety.Assessment, replace bool) error {
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now, err := lockConversation(ctx, tx, on.ID)
		if err != nil {
			return err
		}
		if replace {
			if _, err := tx.Exec(ctx, `DELETE FROM assessments WHERE conversation_id = $1 AND seq = $2 AND subject = 'message'`, on.ID, seq); err != nil {
				return err
			}
		}
		if err := insertAssessment(ctx, tx, on.ID, seq, "message", a); err != nil {
			return err
		}
		if now.RiskResetSeq != on.RiskResetSeq {
			return nil
		}
		return raiseRiskTx(ctx, tx, on.ID, now.RiskResetSeq, seq, a)
	})
	if err != nil {
		return unavailable("record assessment", err)
	}
	return nil
}

// raiseRiskTx folds an assessment into the stored risk state. The SQL takes the greater
// level and unions categories and signals, so the state is never lowered whatever the
// order of writers.
func raiseRiskTx(ctx context.Context, tx pgx.Tx, convID string, resetSeq, seq int64, a safety.Assessment) error {
	next := safety.Memory{}.Remember(a)
	cats := make([]string, len(next.Categories))
	for i, c := range next.Categories {
		cats[i] = string(c)
	}
	level := safety.None
	if next.Level >= safety.Urgent {
		level = next.Level
	}
	var cssrs *int
	if next.CSSRS > 0 {
		cssrs = &next.CSSRS
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO conversation_risk (conversation_id, level, categories, cssrs, signals, reset_seq, assessed_seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (conversation_id) DO UPDATE SET
			level = CASE WHEN array_position(`+riskLevelsSQLOrdering+`, EXCLUDED.level) > array_position(`+riskLevelsSQLOrdering+`, conversation_risk.level)
				THEN EXCLUDED.level ELSE conversation_risk.level END,
			categories = ARRAY(SELECT DISTINCT x FROM unnest(conversation_risk.categories || EXCLUDED.categories) AS x ORDER BY x),
			cssrs = NULLIF(GREATEST(COALESCE(conversation_risk.cssrs, 0), COALESCE(EXCLUDED.cssrs, 0)), 0),
			signals = ARRAY(SELECT DISTINCT x FROM unnest(conversation_risk.signals || EXCLUDED.signals) AS x ORDER BY x),
			assessed_seq = GREATEST(conversation_risk.assessed_seq, EXCLUDED.assessed_seq),
			updated_at = now()`,
		convID, level.String(), cats, cssrs, next.Signals, resetSeq, seq)
	return err
}

// resolveRiskTx records a clinician's resolution in the risk state and sets how later
// signals combine with it (see the combine column in migration 010):
//   - no_risk_found: the clinician found no risk; level and signals are cleared.
//   - resident_left: nothing was concluded; level and signals are kept, so the next
//     message reaches a clinician again.
//   - any other conclusion (safety plan, referral, emergency services): the carried level
//     is cleared, and the signals stay so that a new means or time hands off again.
func resolveRiskTx(ctx context.Context, tx pgx.Tx, convID string, handoffID int64, disposition string, resetSeq int64) error {
	combine := CombineAfterResolved
	switch disposition {
	case dispositionNoRisk:
		combine = CombineAfterNoRisk
	case dispositionLeft:
		combine = CombineAfterLeft
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO conversation_risk (conversation_id, combine, reset_seq, resolved_handoff_id, resolved_disposition, resolved_level, resolved_at)
		VALUES ($1, $2, $3, $4, $5, 'none', now())
		ON CONFLICT (conversation_id) DO UPDATE SET
			resolved_level = conversation_risk.level,
			level = CASE WHEN $2 = '`+CombineAfterLeft+`' THEN conversation_risk.level ELSE 'none' END,
			categories = CASE WHEN $2 = '`+CombineAfterLeft+`' THEN conversation_risk.categories ELSE '{}' END,
			cssrs = CASE WHEN $2 = '`+CombineAfterLeft+`' THEN conversation_risk.cssrs ELSE NULL END,
			signals = CASE WHEN $2 = '`+CombineAfterNoRisk+`' THEN '{}' ELSE conversation_risk.signals END,
			combine = EXCLUDED.combine, reset_seq = EXCLUDED.reset_seq,
			resolved_handoff_id = EXCLUDED.resolved_handoff_id, resolved_disposition = EXCLUDED.resolved_disposition,
			resolved_at = EXCLUDED.resolved_at, updated_at = now()`,
		convID, combine, resetSeq, handoffID, disposition)
	return err
}

// memoryClassifier is a Classifier that takes the conversation's memory
// (safety.Classifier does); others are shown the recent turns only.
type memoryClassifier interface {
	AssessConversation(ctx context.Context, m safety.Memory, history []safety.Turn, message string) (safety.Assessment, error)
}

// assessWith runs the classifier with the conversation's memory when it takes one.
func assessWith(ctx context.Context, c Classifier, m safety.Memory, turns []safety.Turn, msg string) (safety.Assessment, error) {
	if mc, ok := c.(memoryClassifier); ok {
		return mc.AssessConversation(ctx, m, turns, msg)
	}
	return c.Assess(ctx, turns, msg)
}
