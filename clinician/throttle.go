package clinician

import (
	"context"
	"fmt"
	"net/netip"
	"nightfloat"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
)

// Login throttling, by account and source together. Failed attempts are counted per
// username (known or not, so throttling does not reveal which usernames exist) and client
// address:
//
//   - MaxFailures for one username from one address (since that address's last success
//     for it) refuse that address for that username until the window moves on;
//   - MaxFailuresPerAddress for any usernames from one address refuse that address;
//   - MaxFailures for one username from anywhere do not lock the account: anyone who
//     knows a username could then lock its clinician out. Logins for it from every other
//     address still work, after a step-up delay that doubles with every further
//     MaxFailures failures (StepUpDelay, at most MaxStepUp), so a guesser spread over many
//     addresses gains little.
//
// A successful login clears its username's count from that address but never the
// address's own count: one valid account must not buy an attacker fresh guesses at others.
// Refused (throttled) attempts are not counted, so a clinician who waits out the window is
// not kept locked out by retries made while locked. `nightfloat user unlock` clears an
// account's failures at once.
//
// Addresses serve throttling and the login audit entries (so an administrator can see
// where failures came from); login_attempts keeps them for at most attemptRetention.

const attemptRetention = 24 * time.Hour

// lockLogin serializes logins for one username and one address until tx ends, so that the
// count and the attempt it leads to cannot interleave with a parallel guess.
func lockLogin(ctx context.Context, tx pgx.Tx, username, address string) error {
	// Always username first, then address: no two logins wait on each other in a cycle.
	for _, key := range []string{"nightfloat.login.user:" + username, "nightfloat.login.addr:" + address} {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
			return fmt.Errorf("clinician: login lock: %w", err)
		}
	}
	return nil
}

// throttled returns how long until another attempt is allowed, or 0 when it is now.
func (a *Accounts) throttled(ctx context.Context, tx pgx.Tx, username, address string, now time.Time) (time.Duration, error) {
	from := now.Add(-a.opts.ThrottleWindow)
	var wait time.Duration
	// The k-th most recent failure in the window; when it leaves the window the count
	// drops below the limit.
	var userKth, addrKth *time.Time
	err := tx.QueryRow(ctx, `
		SELECT
			(SELECT at FROM login_attempts
			  WHERE username = $1 AND address = $2 AND NOT success AND at > $3 AND at <= $4
			    AND at > COALESCE((SELECT max(at) FROM login_attempts
			                        WHERE username = $1 AND address = $2 AND success AND at > $3 AND at <= $4), $3)
			  ORDER BY at DESC OFFSET $5 - 1 LIMIT 1),
			(SELECT at FROM login_attempts
			  WHERE address = $2 AND NOT success AND at > $3 AND at <= $4
			  ORDER BY at DESC OFFSET $6 - 1 LIMIT 1)`,
		username, address, from, now, a.opts.MaxFailures, a.opts.MaxFailuresPerAddress).Scan(&userKth, &addrKth)
	if err != nil {
		return 0, fmt.Errorf("clinician: login throttle: %w", err)
	}
	for _, t := range []*time.Time{userKth, addrKth} {
		if t == nil {
			continue
		}
		if w := t.Add(a.opts.ThrottleWindow).Sub(now); w > wait {
			wait = w
		}
	}
	if wait > 0 && wait < time.Second {
		wait = time.Second
	}
	return wait.Round(time.Second), nil
}

// stepUp is the delay before a login for username from address is checked: zero until the
// username has MaxFailures failures in the window from other addresses (since its last
// success; this address's own failures are limited by throttled), then
// StepUpDelay, doubled for every further MaxFailures failures, at most MaxStepUp.
func (a *Accounts) stepUp(ctx context.Context, username, address string, now time.Time) (time.Duration, error) {
	var n int
	err := a.pool.QueryRow(ctx, `
		SELECT count(*) FROM login_attempts
		WHERE username = $1 AND address <> $4 AND NOT success AND at > $2 AND at <= $3
		  AND at > COALESCE((SELECT max(at) FROM login_attempts
		                      WHERE username = $1 AND success AND at > $2 AND at <= $3), $2)`,
		username, now.Add(-a.opts.ThrottleWindow), now, address).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("clinician: login step-up: %w", err)
	}
	if n < a.opts.MaxFailures {
		return 0, nil
	}
	d := a.opts.StepUpDelay
	for i := n/a.opts.MaxFailures - 1; i > 0 && d < a.opts.MaxStepUp; i-- {
		d *= 2
	}
	return min(d, a.opts.MaxStepUp), nil
}

// Unlock clears every failed login of username in the throttle window, so that its
// clinician can sign in at once from anywhere; audited as actor's.
func (a *Accounts) Unlock(ctx context.Context, actor, username string) (int64, error) {
	username = NormalizeUsername(username)
	if _, err := a.ByUsername(ctx, username); err != nil {
		return 0, err
	}
	var n int64
	err := postgres.InTx(ctx, a.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE username = $1 AND NOT success`, username)
		if err != nil {
			return fmt.Errorf("clinician: unlock: %w", err)
		}
		n = tag.RowsAffected()
		return a.audit.record(ctx, tx, actor, "login.unlocked", username, map[string]any{"failures_cleared": n})
	})
	return n, err
}

func recordAttempt(ctx context.Context, tx pgx.Tx, username, address string, success bool, now time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO login_attempts (username, address, success, at) VALUES ($1, $2, $3, $4)`,
		username, address, success, now); err != nil {
		return fmt.Errorf("clinician: record login attempt: %w", err)
	}
	return nil
}

// pruneAttempts deletes attempts older than attemptRetention, at most once a minute.
func (a *Accounts) pruneAttempts(ctx context.Context, now time.Time) {
	a.pruneMu.Lock()
	if now.Sub(a.lastPrune) < time.Minute && !a.lastPrune.IsZero() {
		a.pruneMu.Unlock()
		return
	}
	a.lastPrune = now
	a.pruneMu.Unlock()
	// Best effort: a failed prune is retried a minute later and harms nothing meanwhile.
	_, _ = a.pool.Exec(ctx, `DELETE FROM login_attempts WHERE at < $1`, now.Add(-attemptRetention))
}

// throttleAddress reduces a client address to what throttling counts, its
// nightfloat.Network. Anything unparseable is kept as given, bounded in length.
func throttleAddress(address string) string {
	address = strings.TrimSpace(address)
	ip, err := netip.ParseAddr(address)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(address); err2 == nil {
			ip, err = ap.Addr(), nil
		}
	}
	if err != nil {
		if address == "" {
			return "unknown"
		}
		if len(address) > 64 {
			address = address[:64]
		}
		return address
	}
	return nightfloat.Network(ip)
}

// auditAddress is the client address as the audit log names it: the address itself
// (unmapped, no zone), or the given text bounded in length when it does not parse.
func auditAddress(address string) string {
	address = strings.TrimSpace(address)
	if ip, err := netip.ParseAddr(address); err == nil {
		return ip.Unmap().WithZone("").String()
	}
	if ap, err := netip.ParseAddrPort(address); err == nil {
		return ap.Addr().Unmap().WithZone("").String()
	}
	if len(address) > 64 {
		address = address[:64]
	}
	if address == "" {
		return "unknown"
	}
	return address
}
