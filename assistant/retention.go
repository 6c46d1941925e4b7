package assistant

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/postgres"
)

// Auditor writes one entry to the audit log inside the caller's transaction, so that the
// entry and the change it records commit together. clinician.Audit is one.
type Auditor interface {
	RecordIn(ctx context.Context, q postgres.Querier, actor, action, target string, detail map[string]any) error
}

// RetentionHold keeps conversations another owner still needs past retention, such as
// those whose review is not done.
type RetentionHold interface {
	// HeldConversations returns those of ids (conversation ids) that must be kept.
	HeldConversations(ctx context.Context, q postgres.Querier, ids []string) ([]string, error)
}

// RetentionCleanup is another owner's clean-up that follows the deletion in the same
// transaction, such as clearing review text of deleted conversations. It returns named
// counts for the audit log and the report.
type RetentionCleanup interface {
	RetentionCleanup(ctx context.Context, q postgres.Querier, now time.Time) (map[string]int, error)
}

// Retention deletes conversations that have been quiet longer than Days, with their
// messages, assessments, handoffs, forms, check-ins, push subscriptions and feedback (the
// database cascades), except those with a handoff that is not resolved, those with a
// check-in still to come (its message not yet delivered) and those a Hold keeps. Cleanups then run in the same
// transaction, and the counts are audited.
type Retention struct {
	Pool     *pgxpool.Pool
	Audit    Auditor
	Actor    string // who runs it, for the audit log
	Days     int    // default 90
	Now      func() time.Time
	Holds    []RetentionHold
	Cleanups []RetentionCleanup
}

// RetentionResult counts one run.
type RetentionResult struct {
	Deleted         int            // conversations deleted
	KeptHeld        int            // past retention but kept by a Hold (under review)
	KeptOpenHandoff int            // past retention but with an unresolved handoff
	KeptCheckin     int            // past retention but with a check-in still to come
	Cleaned         map[string]int // the Cleanups' counts, by name
	Cutoff          time.Time
}

// Run deletes what is due, in one transaction, and audits the counts.
func (r Retention) Run(ctx context.Context) (RetentionResult, error) {
	if r.Audit == nil || r.Actor == "" {
		return RetentionResult{}, errors.New("assistant: retention: an auditor and an actor are required")
	}
	days := r.Days
	if days <= 0 {
		days = 90
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	res := RetentionResult{Cutoff: now().UTC().AddDate(0, 0, -days), Cleaned: map[string]int{}}
	err := pgx.BeginFunc(ctx, r.Pool, func(tx pgx.Tx) error {
		due, err := r.due(ctx, tx, &res)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM conversations WHERE id = ANY($1::uuid[])`, due)
		if err != nil {
			return err
		}
		res.Deleted = int(tag.RowsAffected())
		for _, c := range r.Cleanups {
			counts, err := c.RetentionCleanup(ctx, tx, now().UTC())
			if err != nil {
				return err
			}
			maps.Copy(res.Cleaned, counts)
		}
		detail := map[string]any{"days": days, "cutoff": res.Cutoff.Format(time.RFC3339), "deleted": res.Deleted,
			"kept_under_review": res.KeptHeld, "kept_open_handoff": res.KeptOpenHandoff, "kept_checkin": res.KeptCheckin}
		for k, v := range res.Cleaned {
			detail[k] = v
		}
		return r.Audit.RecordIn(ctx, tx, r.Actor, "retention.run", "", detail)
	})
	if err != nil {
		return RetentionResult{}, fmt.Errorf("assistant: retention: %w", err)
	}
	return res, nil
}

// due lists the conversations past the cutoff that nothing keeps, and counts those kept.
func (r Retention) due(ctx context.Context, tx pgx.Tx, res *RetentionResult) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT c.id::text,
			EXISTS (SELECT 1 FROM handoffs h WHERE h.conversation_id = c.id AND h.status <> 'resolved'),
			EXISTS (SELECT 1 FROM checkins k WHERE k.conversation_id = c.id AND k.delivered_at IS NULL)
		FROM conversations c WHERE c.last_active_at < $1 FOR UPDATE`, res.Cutoff)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		ID      string
		Open    bool
		Checkin bool
	}
	cands, err := pgx.CollectRows(rows, pgx.RowToStructByPos[candidate])
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	held := map[string]bool{}
	for _, h := range r.Holds {
		kept, err := h.HeldConversations(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range kept {
			held[id] = true
		}
	}
	res.KeptHeld = len(held)
	var due []string
	for _, c := range cands {
		switch {
		case c.Open:
			res.KeptOpenHandoff++
		case c.Checkin:
			res.KeptCheckin++
		case !held[c.ID]:
			due = append(due, c.ID)
		}
	}
	return due, nil
}
