package clinician

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"nightfloat"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
)

// Session is a clinician's console session. Token is set only by Login: it is the bearer
// secret for the cookie and is never stored or returned again.
type Session struct {
	Token     string
	CSRF      string
	ExpiresAt time.Time
}

// maxTokenLength bounds what SessionFor will hash; real tokens are 43 characters.
const maxTokenLength = 128

// Login checks a username and password and opens a session. address is the client's IP
// address, used for throttling and named in the audit entry. Unknown usernames, wrong
// passwords and disabled accounts all give ErrInvalidCredentials, after the same argon2id
// work; too many recent failures from this address give ErrThrottled (with RetryAfter)
// without checking the password at all; an account with many recent failures from
// elsewhere is checked after a step-up delay (see throttle.go). Every outcome is audited.
func (a *Accounts) Login(ctx context.Context, username, password, address string) (Session, error) {
	username = NormalizeUsername(username)
	if len(username) > 64 {
		username = username[:64]
	}
	source := auditAddress(address)
	address = throttleAddress(address)
	if username == "" || password == "" || len(password) > 4*MaxPasswordLength {
		return Session{}, ErrInvalidCredentials
	}
	dummy, err := a.dummyHash(ctx)
	if err != nil {
		return Session{}, err
	}
	now := a.now()
	a.pruneAttempts(ctx, now)
	delay, err := a.stepUp(ctx, username, address, now)
	if err != nil {
		return Session{}, err
	}
	if delay > 0 {
		if err := a.opts.Sleep(ctx, delay); err != nil {
			return Session{}, fmt.Errorf("clinician: login step-up: %w", err)
		}
		now = a.now()
	}

	var sess Session
	var result error
	err = postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		if err := lockLogin(ctx, tx, username, address); err != nil {
			return err
		}
		wait, err := a.throttled(ctx, tx, username, address, now)
		if err != nil {
			return err
		}
		if wait > 0 {
			result = &nightfloat.Error{Code: nightfloat.CodeRateLimited, RetryAfter: wait,
				Message: ThrottledMessage(wait)}
			return a.audit.record(ctx, tx, ActorAnonymous, "login.throttled", username,
				map[string]any{"retry_after_seconds": int(wait.Seconds()), "address": source})
		}

		var id int64
		var hash string
		var disabled bool
		err = tx.QueryRow(ctx, `SELECT id, password_hash, disabled_at IS NOT NULL FROM clinicians WHERE username = $1`,
			username).Scan(&id, &hash, &disabled)
		known := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("clinician: login: %w", err)
		}
		if !known {
			hash = dummy
		}
		match, stale, err := a.hasher.verify(ctx, hash, password)
		if err != nil {
			return fmt.Errorf("clinician: login: verify %s: %w", username, err)
		}
		ok := known && match && !disabled
		if err := recordAttempt(ctx, tx, username, address, ok, now); err != nil {
			return err
		}
		if !ok {
			reason := "wrong_password"
			switch {
			case !known:
				reason = "unknown_username"
			case disabled:
				reason = "account_disabled"
			}
			result = ErrInvalidCredentials
			return a.audit.record(ctx, tx, ActorAnonymous, "login.failed", username,
				map[string]any{"reason": reason, "address": source, "step_up_ms": delay.Milliseconds()})
		}

		if stale {
			// Parameters were raised since this hash was made: replace it while we hold the password.
			if fresh, err := a.hasher.hash(ctx, password); err == nil {
				if _, err := tx.Exec(ctx, `UPDATE clinicians SET password_hash = $2 WHERE id = $1`, id, fresh); err != nil {
					return fmt.Errorf("clinician: login: rehash: %w", err)
				}
			}
		}
		sess, err = a.newSession(ctx, tx, id, now)
		if err != nil {
			return err
		}
		return a.audit.record(ctx, tx, ActorClinician(id), "login.succeeded", username,
			map[string]any{"session_expires_at": sess.ExpiresAt.Format(time.RFC3339), "address": source, "step_up_ms": delay.Milliseconds()})
	})
	if err != nil {
		return Session{}, err
	}
	if result != nil {
		return Session{}, result
	}
	return sess, nil
}

func (a *Accounts) newSession(ctx context.Context, tx pgx.Tx, clinicianID int64, now time.Time) (Session, error) {
	token, err := randomToken()
	if err != nil {
		return Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return Session{}, err
	}
	s := Session{Token: token, CSRF: csrf, ExpiresAt: now.Add(a.opts.SessionTTL)}
	id := tokenHash(token)
	if _, err := tx.Exec(ctx, `INSERT INTO clinician_sessions (id, clinician_id, csrf_token, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $4, $5)`, id[:], clinicianID, csrf, now, s.ExpiresAt); err != nil {
		return Session{}, fmt.Errorf("clinician: create session: %w", err)
	}
	return s, nil
}

// SessionFor returns the clinician and session a token belongs to, and marks the session
// used. A token that is unknown, revoked, past its expiry or idle too long, or whose
// account is disabled, gives ErrUnauthorized: the check and the update are one statement,
// so a session ends the moment its account is disabled.
func (a *Accounts) SessionFor(ctx context.Context, token string) (Clinician, Session, error) {
	if token == "" || len(token) > maxTokenLength {
		return Clinician{}, Session{}, ErrUnauthorized
	}
	now := a.now()
	id := tokenHash(token)
	var c Clinician
	var s Session
	err := a.pool.QueryRow(ctx, `
		UPDATE clinician_sessions s SET last_seen_at = $2
		FROM clinicians c
		WHERE s.id = $1 AND c.id = s.clinician_id
		  AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3
		  AND c.disabled_at IS NULL
		RETURNING s.csrf_token, s.expires_at,
		  c.id, c.username, c.display_name, c.roles, c.on_duty, c.on_duty_since, c.disabled_at IS NOT NULL, c.created_at`,
		id[:], now, now.Add(-a.opts.IdleTimeout)).Scan(&s.CSRF, &s.ExpiresAt,
		&c.ID, &c.Username, &c.DisplayName, &c.Roles, &c.OnDuty, &c.OnDutySince, &c.Disabled, &c.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Clinician{}, Session{}, ErrUnauthorized
	}
	if err != nil {
		return Clinician{}, Session{}, fmt.Errorf("clinician: session: %w", err)
	}
	if c.Roles == nil {
		c.Roles = []string{}
	}
	return c, s, nil
}

// Logout ends the session a token belongs to, and its clinician's duty. An unknown or
// already ended session gives ErrUnauthorized.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > maxTokenLength {
		return ErrUnauthorized
	}
	now := a.now()
	id := tokenHash(token)
	return postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		var clinicianID int64
		err := tx.QueryRow(ctx, `UPDATE clinician_sessions SET revoked_at = $2
			WHERE id = $1 AND revoked_at IS NULL RETURNING clinician_id`, id[:], now).Scan(&clinicianID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrUnauthorized
		}
		if err != nil {
			return fmt.Errorf("clinician: logout: %w", err)
		}
		if err := a.audit.record(ctx, tx, ActorClinician(clinicianID), "logout", ActorClinician(clinicianID), nil); err != nil {
			return err
		}
		// Nobody is on duty who has signed out.
		return endDuty(ctx, a.audit, tx, clinicianID, "logout")
	})
}

// dummyHash is a hash of a random password with the current parameters; logins for
// unknown usernames verify against it so that they take as long as real ones.
func (a *Accounts) dummyHash(ctx context.Context) (string, error) {
	a.dummyOnce.Do(func() {
		pw, err := randomToken()
		if err != nil {
			a.dummyErr = err
			return
		}
		a.dummy, a.dummyErr = a.hasher.hash(context.WithoutCancel(ctx), pw)
	})
	return a.dummy, a.dummyErr
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("clinician: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenHash(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// ThrottledMessage is what a throttled clinician is told.
func ThrottledMessage(wait time.Duration) string {
	if n := minutesCeil(wait); n != 1 {
		return fmt.Sprintf("Too many attempts; try again in %d minutes.", n)
	}
	return "Too many attempts; try again in 1 minute."
}

func minutesCeil(d time.Duration) int {
	m := int((d + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}
