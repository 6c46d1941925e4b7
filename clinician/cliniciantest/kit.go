package cliniciantest

import (
	"context"
	"sync"
	"testing"
	"time"

	"nightfloat/clinician"
	"nightfloat/postgres/postgrestest"
)

// Password is a password every rule accepts.
const Password = "Quiet-Harbor-Lantern-42"

// Clock is a settable Now, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at 22:00 UTC on 1 March 2026, a night shift.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Kit is a database with clinician accounts and their audit log.
type Kit struct {
	DB       *postgrestest.DB
	Audit    *clinician.Audit
	Accounts *clinician.Accounts
	Clock    *Clock

	mu     sync.Mutex
	sleeps []time.Duration
}

// New makes a Kit on a fresh database. Unless opts says otherwise the accounts use the
// kit's clock, and a login step-up delay moves that clock instead of waiting.
func New(tb testing.TB, opts clinician.AccountOptions) *Kit {
	tb.Helper()
	db := postgrestest.New(tb)
	k := &Kit{DB: db, Audit: clinician.NewAudit(db.Pool), Clock: NewClock()}
	if opts.Now == nil {
		opts.Now = k.Clock.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = func(_ context.Context, d time.Duration) error {
			k.mu.Lock()
			k.sleeps = append(k.sleeps, d)
			k.mu.Unlock()
			k.Clock.Advance(d)
			return nil
		}
	}
	k.Accounts = clinician.NewAccounts(db.Pool, k.Audit, opts)
	return k
}

// Slept returns the step-up delays waited so far, in order.
func (k *Kit) Slept() []time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]time.Duration(nil), k.sleeps...)
}

// Create makes a clinician "Dr <username>" with Password and the given permissions.
func (k *Kit) Create(tb testing.TB, username string, roles ...string) clinician.Clinician {
	tb.Helper()
	c, err := k.Accounts.Create(context.Background(), username, "Dr "+username, Password, roles)
	if err != nil {
		tb.Fatalf("Create(%s): %v", username, err)
	}
	return c
}

// Login signs username in from a documentation address.
func (k *Kit) Login(tb testing.TB, username, password string) clinician.Session {
	tb.Helper()
	s, err := k.Accounts.Login(context.Background(), username, password, "192.0.2.10")
	if err != nil {
		tb.Fatalf("Login(%s): %v", username, err)
	}
	return s
}

// AuditEntries returns the audit log so far, oldest first.
func (k *Kit) AuditEntries(tb testing.TB) []clinician.AuditEntry {
	tb.Helper()
	entries, err := k.Audit.List(context.Background(), time.Time{}, 1000)
	if err != nil {
		tb.Fatalf("audit List: %v", err)
	}
	return entries
}

// FindAudit returns the first entry with action (and target, unless empty).
func FindAudit(entries []clinician.AuditEntry, action, target string) (clinician.AuditEntry, bool) {
	for _, e := range entries {
		if e.Action == action && (target == "" || e.Target == target) {
			return e, true
		}
	}
	return clinician.AuditEntry{}, false
}
