package clinician

import (
	"context"
	"encoding/json"
	"fmt"
	"nightfloat"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/postgres"
)

// Audit actors besides clinicians (see ActorClinician).
const (
	ActorSystem    = "system"    // the service itself
	ActorCLI       = "cli"       // the nightfloat command line
	ActorAnonymous = "anonymous" // someone not (yet) signed in, such as a failed login
)

// Audit writes and reads the insert-only audit log. The database refuses to change or
// delete an entry once written.
type Audit struct {
	pool *pgxpool.Pool
}

// NewAudit returns the audit log on pool.
func NewAudit(pool *pgxpool.Pool) *Audit { return &Audit{pool: pool} }

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string
	Action string
	Target string
	Detail map[string]any
}

// Record appends an entry. detail must not hold passwords, tokens or anything a resident
// wrote, and no client address except in the login entries, which name the clinician's
// source address; nil is stored as {}.
func (a *Audit) Record(ctx context.Context, actor, action, target string, detail map[string]any) error {
	return a.record(ctx, a.pool, actor, action, target, detail)
}

// RecordIn appends an entry through q, a transaction that holds the change being
// audited, so that the change and its entry commit together or not at all.
func (a *Audit) RecordIn(ctx context.Context, q postgres.Querier, actor, action, target string, detail map[string]any) error {
	return a.record(ctx, q, actor, action, target, detail)
}

// record appends an entry through q, so that a change and its audit entry commit together.
func (a *Audit) record(ctx context.Context, q postgres.Querier, actor, action, target string, detail map[string]any) error {
	if strings.TrimSpace(actor) == "" || strings.TrimSpace(action) == "" {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "An audit entry needs an actor and an action.")
	}
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("clinician: audit detail: %w", err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO audit_log (actor, action, target, detail) VALUES ($1, $2, $3, $4)`,
		actor, action, target, b); err != nil {
		return fmt.Errorf("clinician: record audit entry: %w", err)
	}
	return nil
}

// List returns entries written at or after since, oldest first, at most limit of them
// (1 to 1000; other values mean 100).
func (a *Audit) List(ctx context.Context, since time.Time, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := a.pool.Query(ctx, `SELECT id, at, actor, action, target, detail FROM audit_log
		WHERE at >= $1 ORDER BY at, id LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("clinician: list audit log: %w", err)
	}
	return scanAudit(rows)
}

// AuditCursor is where a newest-first page of the audit log ends: the next page holds the
// entries before it. The zero cursor starts at the newest entry.
type AuditCursor struct {
	At time.Time
	ID int64
}

// ListNewest returns entries written at or after since and before the cursor, newest
// first, at most limit of them (1 to 1000; other values mean 100), whose action is action
// (any when empty).
func (a *Audit) ListNewest(ctx context.Context, since time.Time, action string, before AuditCursor, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := a.pool.Query(ctx, `SELECT id, at, actor, action, target, detail FROM audit_log
		WHERE at >= $1 AND ($2 = '' OR action = $2) AND ($4::bigint = 0 OR (at, id) < ($3, $4::bigint))
		ORDER BY at DESC, id DESC LIMIT $5`, since, action, before.At, before.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("clinician: list audit log newest first: %w", err)
	}
	return scanAudit(rows)
}

func scanAudit(rows pgx.Rows) ([]AuditEntry, error) {
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var detail []byte
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &detail); err != nil {
			return nil, fmt.Errorf("clinician: list audit log: %w", err)
		}
		if err := json.Unmarshal(detail, &e.Detail); err != nil {
			return nil, fmt.Errorf("clinician: audit entry %d detail: %w", e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clinician: list audit log: %w", err)
	}
	return out, nil
}
