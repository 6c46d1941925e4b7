package clinician

import (
	"context"
	"fmt"
	"time"

	"nightfloat/postgres"
)

// sessionGrace is how long an expired or revoked session is kept before it is pruned.
const sessionGrace = 24 * time.Hour

// RetentionCleanup deletes console sessions that expired or were revoked more than a day
// before now: they can never be used again, and the audit log, not the session table, is the
// record of who signed in (assistant.RetentionCleanup).
func (a *Accounts) RetentionCleanup(ctx context.Context, q postgres.Querier, now time.Time) (map[string]int, error) {
	dead := now.UTC().Add(-sessionGrace)
	tag, err := q.Exec(ctx, `DELETE FROM clinician_sessions WHERE expires_at < $1 OR revoked_at < $1`, dead)
	if err != nil {
		return nil, fmt.Errorf("clinician: prune sessions: %w", err)
	}
	return map[string]int{"sessions_pruned": int(tag.RowsAffected())}, nil
}
