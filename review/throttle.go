package review

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Login throttling. Failed attempts are counted per username (known or not, so throttling
// does not reveal which usernames exist) and per client address over a sliding window.
// A successful login clears its username's count but never its address's: one valid
// account must not buy an attacker fresh guesses at others. Refused (throttled) attempts
// are not counted, so a clinician who waits out the window is not kept locked out by
// retries made while locked.
//
// Addresses are used for nothing else and are kept for at most attemptRetention.

const attemptRetention = 24 * time.Hour

// lockLogin serializes logins for one username and one address until tx ends, so that the
// count and the attempt it leads to cannot interleave with a parallel guess.
func lockLogin(ctx context.Context, tx pgx.Tx, username, address string) error {
	// Always username first, then address: no two logins wait on each other in a cycle.
	for _, key := range []string{"nightfloat.login.user:" + username, "nightfloat.login.addr:" + address} {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
			return fmt.Errorf("review: login lock: %w", err)
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
			  WHERE username = $1 AND NOT success AND at > $3 AND at <= $4
			    AND at > COALESCE((SELECT max(at) FROM login_attempts
			                        WHERE username = $1 AND success AND at > $3 AND at <= $4), $3)
			  ORDER BY at DESC OFFSET $5 - 1 LIMIT 1),
			(SELECT at FROM login_attempts
			  WHERE address = $2 AND NOT success AND at > $3 AND at <= $4
			  ORDER BY at DESC OFFSET $6 - 1 LIMIT 1)`,
		username, address, from, now, a.opts.MaxFailures, a.opts.MaxFailuresPerAddress).Scan(&userKth, &addrKth)
	if err != nil {
		return 0, fmt.Errorf("review: login throttle: %w", err)
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

func recordAttempt(ctx context.Context, tx pgx.Tx, username, address string, success bool, now time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO login_attempts (username, address, success, at) VALUES ($1, $2, $3, $4)`,
		username, address, success, now); err != nil {
		return fmt.Errorf("review: record login attempt: %w", err)
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

// throttleAddress reduces a client address to what throttling counts: an IPv4 address
// as is, an IPv6 address by its /64 (one subscriber usually holds a whole /64). Anything
// unparseable is kept as given, bounded in length.
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
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
