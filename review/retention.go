package review

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Retention deletes conversations that have been quiet longer than Days, with their
// messages, assessments, handoffs and feedback (the database cascades), except those
// still under review (an item not done) or with a handoff that is not resolved. Reviews
// of deleted conversations keep their ratings and turn marks (by seq) and lose their
// free text, which may quote the transcript. It also deletes clinician console
// sessions that expired or were revoked more than a day ago: they can never be used
// again, and the audit log, not the session table, is the record of who logged in.
type Retention struct {
	Pool  *pgxpool.Pool
	Audit *Audit // nil: NewAudit(Pool)
	Days  int    // default 90
	Now   func() time.Time
	Actor string // for the audit log; default ActorSystem
}

// sessionGrace is how long an expired or revoked session is kept before it is pruned.
const sessionGrace = 24 * time.Hour

// RetentionResult counts one run.
type RetentionResult struct {
	Deleted          int // conversations deleted
	KeptUnderReview  int // past retention but queued for review and not done
	KeptOpenHandoff  int // past retention but with an unresolved handoff
	NotesCleared     int // review notes removed
	MarkNotesCleared int // turn-mark notes removed
	SessionsPruned   int // dead console sessions deleted
	Cutoff           time.Time
}

// Run deletes what is due, in one transaction, and audits the counts.
func (r Retention) Run(ctx context.Context) (RetentionResult, error) {
	days := r.Days
	if days <= 0 {
		days = 90
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	audit := r.Audit
	if audit == nil {
		audit = NewAudit(r.Pool)
	}
	actor := r.Actor
	if actor == "" {
		actor = ActorSystem
	}
	res := RetentionResult{Cutoff: now().UTC().AddDate(0, 0, -days)}
	err := pgx.BeginFunc(ctx, r.Pool, func(tx pgx.Tx) error {
		const underReview = `EXISTS (SELECT 1 FROM review_items i WHERE i.conversation_id = c.id AND i.status <> 'done')`
		const openHandoff = `EXISTS (SELECT 1 FROM handoffs h WHERE h.conversation_id = c.id AND h.status <> 'resolved')`
		err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE `+underReview+`), count(*) FILTER (WHERE `+openHandoff+`)
			FROM conversations c WHERE c.last_active_at < $1`, res.Cutoff).Scan(&res.KeptUnderReview, &res.KeptOpenHandoff)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM conversations c WHERE c.last_active_at < $1 AND NOT `+underReview+` AND NOT `+openHandoff, res.Cutoff)
		if err != nil {
			return err
		}
		res.Deleted = int(tag.RowsAffected())
		// Also clear text of reviews whose conversation is gone by any other path.
		tag, err = tx.Exec(ctx, `DELETE FROM review_notes n USING reviews r, review_items i
			WHERE n.review_id = r.id AND r.item_id = i.id AND i.conversation_id IS NULL`)
		if err != nil {
			return err
		}
		res.NotesCleared = int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `UPDATE review_marks m SET note = NULL FROM reviews r, review_items i
			WHERE m.review_id = r.id AND r.item_id = i.id AND i.conversation_id IS NULL AND m.note IS NOT NULL`)
		if err != nil {
			return err
		}
		res.MarkNotesCleared = int(tag.RowsAffected())
		dead := now().UTC().Add(-sessionGrace)
		tag, err = tx.Exec(ctx, `DELETE FROM clinician_sessions WHERE expires_at < $1 OR revoked_at < $1`, dead)
		if err != nil {
			return err
		}
		res.SessionsPruned = int(tag.RowsAffected())
		return audit.record(ctx, tx, actor, "retention.run", "", map[string]any{
			"days": days, "cutoff": res.Cutoff.Format(time.RFC3339), "deleted": res.Deleted,
			"kept_under_review": res.KeptUnderReview, "kept_open_handoff": res.KeptOpenHandoff,
			"review_notes_cleared": res.NotesCleared, "mark_notes_cleared": res.MarkNotesCleared,
			"sessions_pruned": res.SessionsPruned,
		})
	})
	if err != nil {
		return RetentionResult{}, fmt.Errorf("review: retention: %w", err)
	}
	return res, nil
}
