package clinician

import (
	"context"
	"errors"
	"fmt"
	"nightfloat"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/postgres"
)

// Roles. They are explicit: admin does not imply oncall or reviewer.
const (
	RoleOncall   = "oncall"   // takes over flagged conversations
	RoleReviewer = "reviewer" // reviews transcripts
	RoleAdmin    = "admin"    // manages accounts
	// RoleCounsellor reads new screens (results only, no transcript) and writes the
	// personal reply the resident finds in their conversation.
	RoleCounsellor = "counsellor"
	// RoleLeadership reads the programme's trends and released reports only: aggregates
	// with small cells suppressed, never transcripts, pseudonyms or review items.
	RoleLeadership = "leadership"
)

// AllRoles lists every role, in display order.
var AllRoles = []string{RoleOncall, RoleReviewer, RoleAdmin, RoleCounsellor, RoleLeadership}

// Clinician is an account as the rest of the service sees it: never its password hash.
type Clinician struct {
	ID          int64
	Username    string
	DisplayName string
	Roles       []string
	OnDuty      bool
	OnDutySince *time.Time
	Disabled    bool
	CreatedAt   time.Time
}

// Has reports whether the clinician holds role. Roles are explicit: an admin is not an
// oncall clinician or a reviewer unless granted those roles too. A disabled clinician
// holds no role.
func (c Clinician) Has(role string) bool {
	return !c.Disabled && slices.Contains(c.Roles, role)
}

// Actor is how the clinician appears in the audit log: "clinician:12".
func (c Clinician) Actor() string { return ActorClinician(c.ID) }

// AccountOptions tune sessions and throttling. Zero fields take the defaults.
type AccountOptions struct {
	SessionTTL            time.Duration // absolute session lifetime; default 12h
	IdleTimeout           time.Duration // a session unused this long ends; default 30m
	MaxFailures           int           // failed logins per account per ThrottleWindow; default 5
	MaxFailuresPerAddress int           // failed logins per client address per ThrottleWindow; default 20
	ThrottleWindow        time.Duration // default 15m
	// StepUpDelay is how long a login for an account waits once the account has MaxFailures
	// recent failures from anywhere (default 2s); it doubles with every further MaxFailures
	// failures, up to MaxStepUp (default 30s).
	StepUpDelay time.Duration
	MaxStepUp   time.Duration
	// DutyGrace is how long a clinician stays on duty after their console last renewed it
	// (the console renews it every few seconds while open); default 20s.
	DutyGrace time.Duration
	// Sleep waits out a step-up delay (default: a timer that ends early with ctx).
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time // default time.Now; tests move time with it
	// ParallelHashes bounds how many argon2id hashes run at once (each holds 64 MiB);
	// default 4.
	ParallelHashes int
}

func (o AccountOptions) withDefaults() AccountOptions {
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = 5
	}
	if o.MaxFailuresPerAddress <= 0 {
		o.MaxFailuresPerAddress = 20
	}
	if o.ThrottleWindow <= 0 {
		o.ThrottleWindow = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.StepUpDelay <= 0 {
		o.StepUpDelay = 2 * time.Second
	}
	if o.MaxStepUp <= 0 {
		o.MaxStepUp = 30 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.DutyGrace <= 0 {
		o.DutyGrace = 20 * time.Second
	}
	if o.ParallelHashes <= 0 {
		o.ParallelHashes = 4
	}
	return o
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Accounts manages clinician accounts, logins and sessions.
type Accounts struct {
	pool   *pgxpool.Pool
	audit  *Audit
	opts   AccountOptions
	hasher *hasher

	dummyOnce sync.Once
	dummy     string // a hash of a random password, verified for unknown usernames
	dummyErr  error

	pruneMu   sync.Mutex
	lastPrune time.Time
}

// NewAccounts returns the accounts store. audit may not be nil: every change is audited.
func NewAccounts(pool *pgxpool.Pool, audit *Audit, opts AccountOptions) *Accounts {
	if audit == nil {
		audit = NewAudit(pool)
	}
	opts = opts.withDefaults()
	return &Accounts{pool: pool, audit: audit, opts: opts, hasher: newHasher(defaultArgon, opts.ParallelHashes)}
}

func (a *Accounts) now() time.Time { return a.opts.Now().UTC() }

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)

// NormalizeUsername lower-cases and trims a username as typed.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkUsername(u string) error {
	if !usernamePattern.MatchString(u) {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "Username must be 2 to 64 characters: lower-case letters, digits and . _ @ -, starting with a letter or digit.")
	}
	return nil
}

// NormalizeRoles checks, de-duplicates and orders roles; at least one is required.
func NormalizeRoles(roles []string) ([]string, error) {
	var out []string
	for _, r := range roles {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		if !slices.Contains(AllRoles, r) {
			return nil, nightfloat.Errorf(nightfloat.CodeInvalid, "Unknown role %q: roles are %s.", r, strings.Join(AllRoles, ", "))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, nightfloat.Errorf(nightfloat.CodeInvalid, "At least one role is required (%s).", strings.Join(AllRoles, ", "))
	}
	slices.SortFunc(out, func(x, y string) int { return slices.Index(AllRoles, x) - slices.Index(AllRoles, y) })
	return out, nil
}

// Create adds an account. The password must pass CheckPassword. Creating is audited with
// actor "system"; use CreateBy to name who created the account.
func (a *Accounts) Create(ctx context.Context, username, displayName, password string, roles []string) (Clinician, error) {
	return a.CreateBy(ctx, ActorSystem, username, displayName, password, roles)
}

// CreateBy is Create with the audit actor named (for example "cli" or "clinician:3").
func (a *Accounts) CreateBy(ctx context.Context, actor, username, displayName, password string, roles []string) (Clinician, error) {
	username = NormalizeUsername(username)
	if err := checkUsername(username); err != nil {
		return Clinician{}, err
	}
	displayName = strings.TrimSpace(displayName)
	if displayName == "" || utf8.RuneCountInString(displayName) > 200 || !utf8.ValidString(displayName) {
		return Clinician{}, nightfloat.Errorf(nightfloat.CodeInvalid, "Display name is required (at most 200 characters).")
	}
	roles, err := NormalizeRoles(roles)
	if err != nil {
		return Clinician{}, err
	}
	if err := CheckPassword(username, password); err != nil {
		return Clinician{}, err
	}
	hash, err := a.hasher.hash(ctx, password)
	if err != nil {
		return Clinician{}, err
	}
	now := a.now()
	var c Clinician
	err = postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `
			INSERT INTO clinicians (username, display_name, password_hash, roles, created_at, password_changed_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			RETURNING `+clinicianColumns, username, displayName, hash, roles, now)
		if c, err = scanClinician(row); err != nil {
			return err
		}
		return a.audit.record(ctx, tx, actor, "clinician.created", c.Actor(),
			map[string]any{"username": c.Username, "roles": c.Roles})
	})
	if isUniqueViolation(err) {
		return Clinician{}, nightfloat.Errorf(nightfloat.CodeConflict, "Username %q is taken.", username)
	}
	if err != nil {
		return Clinician{}, fmt.Errorf("clinician: create clinician: %w", err)
	}
	return c, nil
}

// SetPassword replaces a clinician's password and ends every session they have.
func (a *Accounts) SetPassword(ctx context.Context, actor, username, password string) error {
	username = NormalizeUsername(username)
	if err := CheckPassword(username, password); err != nil {
		return err
	}
	hash, err := a.hasher.hash(ctx, password)
	if err != nil {
		return err
	}
	now := a.now()
	return postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE clinicians SET password_hash = $2, password_changed_at = $3
			WHERE username = $1 RETURNING id`, username, hash, now).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "No clinician %q.", username)
		}
		if err != nil {
			return fmt.Errorf("clinician: set password: %w", err)
		}
		n, err := revokeSessions(ctx, tx, id, now)
		if err != nil {
			return err
		}
		return a.audit.record(ctx, tx, actor, "clinician.password_changed", ActorClinician(id),
			map[string]any{"username": username, "sessions_revoked": n})
	})
}

// Disable turns an account off: it can no longer log in, its sessions end at once, and it
// goes off duty. Disabling a disabled account changes nothing and succeeds.
func (a *Accounts) Disable(ctx context.Context, actor, username string) error {
	username = NormalizeUsername(username)
	now := a.now()
	return postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var id int64
		var disabled *time.Time
		err := tx.QueryRow(ctx, `SELECT id, disabled_at FROM clinicians WHERE username = $1 FOR UPDATE`, username).Scan(&id, &disabled)
		if errors.Is(err, pgx.ErrNoRows) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "No clinician %q.", username)
		}
		if err != nil {
			return fmt.Errorf("clinician: disable: %w", err)
		}
		if disabled != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE clinicians SET disabled_at = $2, on_duty = false, on_duty_since = NULL
			WHERE id = $1`, id, now); err != nil {
			return fmt.Errorf("clinician: disable: %w", err)
		}
		n, err := revokeSessions(ctx, tx, id, now)
		if err != nil {
			return err
		}
		return a.audit.record(ctx, tx, actor, "clinician.disabled", ActorClinician(id),
			map[string]any{"username": username, "sessions_revoked": n})
	})
}

// Enable turns a disabled account back on. Its old sessions stay ended.
func (a *Accounts) Enable(ctx context.Context, actor, username string) error {
	username = NormalizeUsername(username)
	return postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var id int64
		var disabled *time.Time
		err := tx.QueryRow(ctx, `SELECT id, disabled_at FROM clinicians WHERE username = $1 FOR UPDATE`, username).Scan(&id, &disabled)
		if errors.Is(err, pgx.ErrNoRows) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "No clinician %q.", username)
		}
		if err != nil {
			return fmt.Errorf("clinician: enable: %w", err)
		}
		if disabled == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE clinicians SET disabled_at = NULL WHERE id = $1`, id); err != nil {
			return fmt.Errorf("clinician: enable: %w", err)
		}
		return a.audit.record(ctx, tx, actor, "clinician.enabled", ActorClinician(id), map[string]any{"username": username})
	})
}

// SetRoles replaces a clinician's roles. Losing oncall takes them off duty. Sessions read
// roles on every request, so the change applies at once.
func (a *Accounts) SetRoles(ctx context.Context, actor, username string, roles []string) error {
	username = NormalizeUsername(username)
	roles, err := NormalizeRoles(roles)
	if err != nil {
		return err
	}
	return postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var id int64
		var old []string
		err := tx.QueryRow(ctx, `SELECT id, roles FROM clinicians WHERE username = $1 FOR UPDATE`, username).Scan(&id, &old)
		if errors.Is(err, pgx.ErrNoRows) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "No clinician %q.", username)
		}
		if err != nil {
			return fmt.Errorf("clinician: set roles: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE clinicians SET roles = $2,
				on_duty = on_duty AND 'oncall' = ANY($2),
				on_duty_since = CASE WHEN 'oncall' = ANY($2) THEN on_duty_since END
			WHERE id = $1`, id, roles); err != nil {
			return fmt.Errorf("clinician: set roles: %w", err)
		}
		return a.audit.record(ctx, tx, actor, "clinician.roles_changed", ActorClinician(id),
			map[string]any{"username": username, "from": old, "to": roles})
	})
}

// SetOnDuty puts a clinician on or off duty; only enabled oncall clinicians can go on duty.
// The change is audited as the clinician's own; setting the current state changes nothing.
func (a *Accounts) SetOnDuty(ctx context.Context, clinicianID int64, onDuty bool) error {
	now := a.now()
	return postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		c, err := scanClinician(tx.QueryRow(ctx, `SELECT `+clinicianColumns+` FROM clinicians WHERE id = $1 FOR UPDATE`, clinicianID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "No clinician %d.", clinicianID)
		}
		if err != nil {
			return fmt.Errorf("clinician: set on duty: %w", err)
		}
		if onDuty && (c.Disabled || !c.Has(RoleOncall)) {
			return nightfloat.Errorf(nightfloat.CodeForbidden, "Only an enabled clinician with the oncall role can go on duty.")
		}
		if c.OnDuty == onDuty {
			return nil
		}
		var since, until *time.Time
		if onDuty {
			u := now.Add(a.opts.DutyGrace)
			since, until = &now, &u
		}
		if _, err := tx.Exec(ctx, `UPDATE clinicians SET on_duty = $2, on_duty_since = $3, duty_until = $4 WHERE id = $1`, clinicianID, onDuty, since, until); err != nil {
			return fmt.Errorf("clinician: set on duty: %w", err)
		}
		action := "clinician.off_duty"
		if onDuty {
			action = "clinician.on_duty"
		}
		return a.audit.record(ctx, tx, c.Actor(), action, c.Actor(), map[string]any{"username": c.Username})
	})
}

// OnDuty lists the enabled oncall clinicians now on duty, longest on duty first: those who
// ticked On duty and whose console renewed it within the grace period (see duty.go).
func (a *Accounts) OnDuty(ctx context.Context) ([]Clinician, error) {
	return a.query(ctx, `SELECT `+clinicianColumns+` FROM clinicians
		WHERE on_duty AND duty_until > $1 AND 'oncall' = ANY(roles) AND disabled_at IS NULL
		ORDER BY on_duty_since, id`, a.now())
}

// List returns every account, disabled ones included, by username.
func (a *Accounts) List(ctx context.Context) ([]Clinician, error) {
	return a.query(ctx, `SELECT `+clinicianColumns+` FROM clinicians ORDER BY username`)
}

// Get returns one clinician by id; a missing one is ErrNotFound.
func (a *Accounts) Get(ctx context.Context, id int64) (Clinician, error) {
	c, err := scanClinician(a.pool.QueryRow(ctx, `SELECT `+clinicianColumns+` FROM clinicians WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Clinician{}, nightfloat.Errorf(nightfloat.CodeNotFound, "No clinician %d.", id)
	}
	if err != nil {
		return Clinician{}, fmt.Errorf("clinician: get clinician: %w", err)
	}
	return c, nil
}

// ByUsername returns one clinician by username; a missing one is ErrNotFound.
func (a *Accounts) ByUsername(ctx context.Context, username string) (Clinician, error) {
	username = NormalizeUsername(username)
	c, err := scanClinician(a.pool.QueryRow(ctx, `SELECT `+clinicianColumns+` FROM clinicians WHERE username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return Clinician{}, nightfloat.Errorf(nightfloat.CodeNotFound, "No clinician %q.", username)
	}
	if err != nil {
		return Clinician{}, fmt.Errorf("clinician: get clinician: %w", err)
	}
	return c, nil
}

func (a *Accounts) query(ctx context.Context, sql string, args ...any) ([]Clinician, error) {
	rows, err := a.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("clinician: list clinicians: %w", err)
	}
	defer rows.Close()
	var out []Clinician
	for rows.Next() {
		c, err := scanClinician(rows)
		if err != nil {
			return nil, fmt.Errorf("clinician: list clinicians: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clinician: list clinicians: %w", err)
	}
	return out, nil
}

const clinicianColumns = `id, username, display_name, roles, on_duty, on_duty_since, disabled_at IS NOT NULL, created_at`

func scanClinician(row pgx.Row) (Clinician, error) {
	var c Clinician
	err := row.Scan(&c.ID, &c.Username, &c.DisplayName, &c.Roles, &c.OnDuty, &c.OnDutySince, &c.Disabled, &c.CreatedAt)
	if c.Roles == nil {
		c.Roles = []string{}
	}
	return c, err
}

func revokeSessions(ctx context.Context, q postgres.Querier, clinicianID int64, now time.Time) (int64, error) {
	tag, err := q.Exec(ctx, `UPDATE clinician_sessions SET revoked_at = $2 WHERE clinician_id = $1 AND revoked_at IS NULL`, clinicianID, now)
	if err != nil {
		return 0, fmt.Errorf("clinician: revoke sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505"
}

// ActorClinician names a clinician in the audit log.
func ActorClinician(id int64) string { return "clinician:" + strconv.FormatInt(id, 10) }
