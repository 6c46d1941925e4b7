package clinician

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/internal/tick"
	"nightfloat/postgres"
)

// Duty follows presence. A clinician who ticks On duty counts as on duty only while their
// console renews it (RenewDuty, every few seconds while the console socket is open) and
// for DutyGrace after the last renewal, so that a reload or a brief network drop does not
// end it. Logout, a revoked or expired session and a disabled account end it at once;
// EndLapsedDuty turns the flag off, audited, once the grace has run out.

// RenewDuty keeps the session's clinician on duty for another DutyGrace, when they are on
// duty. It reports false when the session has ended (revoked, past its absolute expiry,
// idle too long, or its account disabled); their duty then ends at once, audited with
// reason "session_ended". An open console of a clinician on duty is presence: it keeps
// the session from going idle (an on-call clinician waiting for a handoff at night must
// not be signed out by it), though never past its absolute expiry. Off duty, it does not
// count as activity.
func (a *Accounts) RenewDuty(ctx context.Context, token string) (bool, error) {
	if token == "" || len(token) > maxTokenLength {
		return false, nil
	}
	now := a.now()
	id := tokenHash(token)
	alive := false
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var clinicianID int64
		err := tx.QueryRow(ctx, `
			SELECT s.clinician_id,
			       s.revoked_at IS NULL AND s.expires_at > $2 AND c.disabled_at IS NULL
			         AND (s.last_seen_at > $3 OR (c.on_duty AND c.duty_until > $2))
			FROM clinician_sessions s JOIN clinicians c ON c.id = s.clinician_id
			WHERE s.id = $1`, id[:], now, now.Add(-a.opts.IdleTimeout)).Scan(&clinicianID, &alive)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("clinician: renew duty: %w", err)
		}
		if !alive {
			return endDuty(ctx, a.audit, tx, clinicianID, "session_ended")
		}
		tag, err := tx.Exec(ctx, `UPDATE clinicians SET duty_until = $2 WHERE id = $1 AND on_duty`,
			clinicianID, now.Add(a.opts.DutyGrace))
		if err != nil {
			return fmt.Errorf("clinician: renew duty: %w", err)
		}
		if tag.RowsAffected() == 1 {
			if _, err := tx.Exec(ctx, `UPDATE clinician_sessions SET last_seen_at = $2 WHERE id = $1`, id[:], now); err != nil {
				return fmt.Errorf("clinician: renew duty: %w", err)
			}
		}
		return nil
	})
	return alive, err
}

// EndLapsedDuty takes off duty every clinician whose console stopped renewing their duty
// more than DutyGrace ago, audited with reason "console_closed", and returns how many.
func (a *Accounts) EndLapsedDuty(ctx context.Context) (int, error) {
	n := 0
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM clinicians WHERE on_duty AND (duty_until IS NULL OR duty_until <= $1) FOR UPDATE`, a.now())
		if err != nil {
			return fmt.Errorf("clinician: end lapsed duty: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("clinician: end lapsed duty: %w", err)
		}
		for _, id := range ids {
			if err := endDuty(ctx, a.audit, tx, id, "console_closed"); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// RunDutyExpiry calls EndLapsedDuty every tick until ctx ends. After the database was
// unreachable it waits one DutyGrace before ending anyone's duty again, so that open
// consoles, which could not renew during the outage, have renewed first.
func (a *Accounts) RunDutyExpiry(ctx context.Context, every time.Duration, onErr func(error)) {
	failing := false
	var resumeAt time.Time
	tick.Every(ctx, every, func(time.Time) {
		if failing {
			if err := a.pool.Ping(ctx); err != nil {
				return
			}
			failing, resumeAt = false, time.Now().Add(a.opts.DutyGrace)
		}
		if time.Now().Before(resumeAt) {
			return
		}
		if _, err := a.EndLapsedDuty(ctx); err != nil && ctx.Err() == nil {
			failing = true
			if onErr != nil {
				onErr(err)
			}
		}
	})
}

// endDuty takes one clinician off duty inside tx, audited as theirs with reason; a
// clinician already off duty is left alone.
func endDuty(ctx context.Context, audit *Audit, tx pgx.Tx, clinicianID int64, reason string) error {
	tag, err := tx.Exec(ctx, `UPDATE clinicians SET on_duty = false, on_duty_since = NULL, duty_until = NULL
		WHERE id = $1 AND on_duty`, clinicianID)
	if err != nil {
		return fmt.Errorf("clinician: end duty: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	actor := ActorClinician(clinicianID)
	return audit.record(ctx, tx, actor, "clinician.off_duty", actor, map[string]any{"reason": reason})
}
