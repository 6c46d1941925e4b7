package clinician_test

import (
	"context"
	"errors"
	"nightfloat"
	"nightfloat/clinician"
	"nightfloat/clinician/cliniciantest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCheckPasswordRules(t *testing.T) {
	cases := []struct {
		name, username, password, reason string
	}{
		{"too short", "jdoe", "Sh0rt-pass", "shorter than 12"},
		{"one class lower", "jdoe", "correcthorsebatterystaple", "only one kind"},
		{"one class digits", "jdoe", "123456789012345", "only one kind"},
		{"contains username", "jdoe", "Bright-JDOE-Morning-7", "contains the username"},
		{"common password", "jdoe", "Password1234", "common password"},
		{"common word plus digits", "jdoe", "Summer2024!!!", "common password"},
		{"common word in leet", "jdoe", "P@ssw0rd2024!", "common password"},
		{"hospital word", "jdoe", "Hospital12345", "common password"},
		{"keyboard walk", "jdoe", "1q2w3e4r5t6y", "common password"},
		{"too long", "jdoe", "Aa1-" + strings.Repeat("x", 300), "longer than 256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := clinician.CheckPassword(tc.username, tc.password)
			if !errors.Is(err, clinician.ErrWeakPassword) {
				t.Fatalf("CheckPassword(%q) = %v, want ErrWeakPassword", tc.password, err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error %q does not say %q", err, tc.reason)
			}
		})
	}
	for _, ok := range []string{cliniciantest.Password, "violet tractor midnight 9", "Ünïcödé-Wälder-Nacht"} {
		if err := clinician.CheckPassword("jdoe", ok); err != nil {
			t.Errorf("CheckPassword(%q) = %v, want nil", ok, err)
		}
	}
}

func TestCreateValidates(t *testing.T) {
	t.Parallel()
	f := cliniciantest.New(t, clinician.AccountOptions{})
	ctx := context.Background()
	cases := []struct {
		name, username, display, password string
		roles                             []string
		code                              nightfloat.Code
		reason                            string
	}{
		{"short password", "amy", "Amy", "Aa1-short", []string{"oncall"}, nightfloat.CodeWeakPassword, "shorter than 12"},
		{"one class", "amy", "Amy", "onlylowercaseletters", []string{"oncall"}, nightfloat.CodeWeakPassword, "only one kind"},
		{"username inside", "amyliu", "Amy", "Tea-amyliu-2026-x", []string{"oncall"}, nightfloat.CodeWeakPassword, "contains the username"},
		{"common", "amy", "Amy", "Welcome2026!", []string{"oncall"}, nightfloat.CodeWeakPassword, "common password"},
		{"bad role", "amy", "Amy", cliniciantest.Password, []string{"oncall", "superuser"}, nightfloat.CodeInvalid, "Unknown role"},
		{"no role", "amy", "Amy", cliniciantest.Password, nil, nightfloat.CodeInvalid, "At least one role"},
		{"bad username", "a m y", "Amy", cliniciantest.Password, []string{"oncall"}, nightfloat.CodeInvalid, "Username"},
		{"no display name", "amy", "  ", cliniciantest.Password, []string{"oncall"}, nightfloat.CodeInvalid, "Display name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Accounts.Create(ctx, tc.username, tc.display, tc.password, tc.roles)
			if nightfloat.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("Create = %v, want code %s saying %q", err, tc.code, tc.reason)
			}
		})
	}
	c, err := f.Accounts.Create(ctx, " Amy.Liu ", "Dr Amy Liu", cliniciantest.Password, []string{"admin", "oncall", "oncall"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if c.Username != "amy.liu" || strings.Join(c.Roles, ",") != "oncall,admin" || c.Disabled || c.OnDuty {
		t.Errorf("created %+v", c)
	}
	if !c.Has(clinician.RoleAdmin) || c.Has(clinician.RoleReviewer) {
		t.Errorf("Has: admin=%v reviewer=%v; roles must be explicit", c.Has(clinician.RoleAdmin), c.Has(clinician.RoleReviewer))
	}
	if _, err := f.Accounts.Create(ctx, "AMY.LIU", "Other", cliniciantest.Password, []string{"oncall"}); !errors.Is(err, clinician.ErrConflict) {
		t.Errorf("duplicate username: %v, want ErrConflict", err)
	}
	var hash string
	if err := f.DB.Pool.QueryRow(ctx, `SELECT password_hash FROM clinicians WHERE id = $1`, c.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=4$") || strings.Contains(hash, cliniciantest.Password) {
		t.Errorf("stored hash %q is not an argon2id PHC string", hash)
	}
	if _, ok := cliniciantest.FindAudit(f.AuditEntries(t), "clinician.created", c.Actor()); !ok {
		t.Error("no clinician.created audit entry")
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	f := cliniciantest.New(t, clinician.AccountOptions{})
	ctx := context.Background()
	ok := f.Create(t, "oncall1", clinician.RoleOncall)
	f.Create(t, "gone", clinician.RoleOncall)
	if err := f.Accounts.Disable(ctx, clinician.ActorCLI, "gone"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, username, password string
		wantErr                  error
		reason                   string
	}{
		{"right password", "oncall1", cliniciantest.Password, nil, ""},
		{"username case and spaces ignored", "  ONCALL1 ", cliniciantest.Password, nil, ""},
		{"wrong password", "oncall1", cliniciantest.Password + "x", clinician.ErrInvalidCredentials, "wrong_password"},
		{"unknown user", "nobody", cliniciantest.Password, clinician.ErrInvalidCredentials, "unknown_username"},
		{"disabled account", "gone", cliniciantest.Password, clinician.ErrInvalidCredentials, "account_disabled"},
		{"empty password", "oncall1", "", clinician.ErrInvalidCredentials, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.AuditEntries(t))
			s, err := f.Accounts.Login(ctx, tc.username, tc.password, "192.0.2.1")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || s.Token != "" {
					t.Fatalf("Login = %+v, %v; want %v", s, err, tc.wantErr)
				}
				if tc.reason != "" {
					entries := f.AuditEntries(t)[before:]
					e, found := cliniciantest.FindAudit(entries, "login.failed", "")
					if !found || e.Detail["reason"] != tc.reason || e.Actor != clinician.ActorAnonymous {
						t.Errorf("audit after failure = %+v, want login.failed reason %s", entries, tc.reason)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if len(s.Token) < 40 || len(s.CSRF) < 40 || s.Token == s.CSRF {
				t.Errorf("session tokens look weak: %d/%d chars", len(s.Token), len(s.CSRF))
			}
			if want := f.Clock.Now().Add(12 * time.Hour); !s.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v, want %v", s.ExpiresAt, want)
			}
			c, got, err := f.Accounts.SessionFor(ctx, s.Token)
			if err != nil || c.ID != ok.ID || got.CSRF != s.CSRF || got.Token != "" {
				t.Fatalf("SessionFor = %+v, %+v, %v", c, got, err)
			}
			e, found := cliniciantest.FindAudit(f.AuditEntries(t)[before:], "login.succeeded", "oncall1")
			if !found || e.Actor != ok.Actor() {
				t.Errorf("no login.succeeded audit entry by %s", ok.Actor())
			}
		})
	}

	// Neither the token nor the password is stored anywhere.
	s := f.Login(t, "oncall1", cliniciantest.Password)
	var n int
	err := f.DB.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM clinician_sessions WHERE encode(id, 'escape') LIKE '%' || $1 || '%' OR csrf_token = $1)
		+ (SELECT count(*) FROM audit_log WHERE detail::text LIKE '%' || $1 || '%' OR detail::text LIKE '%' || $2 || '%'
			OR target LIKE '%' || $1 || '%')`, s.Token, cliniciantest.Password).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("token or password found in the database (%d rows, %v)", n, err)
	}
	// Every login entry names the client address, so an administrator can see where
	// failures came from; no other entry carries it.
	if err := f.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log
		WHERE (action LIKE 'login.%') <> (detail->>'address' IS NOT NULL)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d audit entries where the address is missing from a login entry or present elsewhere (%v)", n, err)
	}
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("per account and address", func(t *testing.T) {
		t.Parallel()
		f := cliniciantest.New(t, clinician.AccountOptions{})
		f.Create(t, "doc", clinician.RoleOncall)
		for i := 0; i < 5; i++ {
			if _, err := f.Accounts.Login(ctx, "doc", "Wrong-Password-99", "198.51.100.1"); !errors.Is(err, clinician.ErrInvalidCredentials) {
				t.Fatalf("attempt %d: %v, want ErrInvalidCredentials", i+1, err)
			}
			f.Clock.Advance(time.Minute)
		}
		// The fifth failure was at +4m; the first at +0m leaves the window at +15m.
		_, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "198.51.100.1")
		if !errors.Is(err, clinician.ErrThrottled) {
			t.Fatalf("right password from the guessing address after 5 failures: %v, want ErrThrottled", err)
		}
		if got := nightfloat.RetryAfter(err); got != 10*time.Minute {
			t.Errorf("RetryAfter = %v, want 10m", got)
		}
		if !strings.Contains(err.Error(), "Too many attempts; try again in 10 minutes") {
			t.Errorf("message %q", err)
		}
		f.Clock.Advance(9 * time.Minute) // +14m: still throttled
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "198.51.100.1"); !errors.Is(err, clinician.ErrThrottled) {
			t.Fatalf("at +14m: %v, want ErrThrottled", err)
		}
		f.Clock.Advance(time.Minute + time.Second) // the first failure has left the window
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "198.51.100.1"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// A success clears the account's count from that address.
		for i := 0; i < 4; i++ {
			if _, err := f.Accounts.Login(ctx, "doc", "Wrong-Password-99", "198.51.100.1"); !errors.Is(err, clinician.ErrInvalidCredentials) {
				t.Fatalf("after success, attempt %d: %v", i+1, err)
			}
		}
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "198.51.100.1"); err != nil {
			t.Errorf("4 failures after a success must not lock: %v", err)
		}
		if _, ok := cliniciantest.FindAudit(f.AuditEntries(t), "login.throttled", "doc"); !ok {
			t.Error("no login.throttled audit entry")
		}
	})
	// The lockout attempt: anyone who knows a username sends five wrong passwords for it.
	// The clinician, from their own address, still signs in: after a step-up delay, not 15
	// minutes later; each audit entry names the address it came from.
	t.Run("a known username cannot be locked out by someone else", func(t *testing.T) {
		t.Parallel()
		f := cliniciantest.New(t, clinician.AccountOptions{})
		f.Create(t, "doc", clinician.RoleOncall)
		for i := 0; i < 5; i++ {
			addr := "198.51.100." + string(rune('1'+i)) // spread, as a guesser would
			if _, err := f.Accounts.Login(ctx, "doc", "Wrong-Password-99", addr); !errors.Is(err, clinician.ErrInvalidCredentials) {
				t.Fatalf("attempt %d: %v, want ErrInvalidCredentials", i+1, err)
			}
		}
		if got := f.Slept(); len(got) != 0 {
			t.Fatalf("step-up before the limit: %v", got)
		}
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "203.0.113.9"); err != nil {
			t.Fatalf("right password from the clinician's own address after 5 failures elsewhere: %v", err)
		}
		if got := f.Slept(); len(got) != 1 || got[0] != 2*time.Second {
			t.Errorf("step-up delays %v, want one of 2s", got)
		}
		entries := f.AuditEntries(t)
		for _, want := range []struct{ action, address string }{{"login.failed", "198.51.100.1"}, {"login.failed", "198.51.100.5"}, {"login.succeeded", "203.0.113.9"}} {
			found := false
			for _, e := range entries {
				if e.Action == want.action && e.Detail["address"] == want.address {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s audit entry naming address %s", want.action, want.address)
			}
		}
	})
	t.Run("the step-up grows with the failures, to a cap", func(t *testing.T) {
		t.Parallel()
		f := cliniciantest.New(t, clinician.AccountOptions{MaxStepUp: 5 * time.Second})
		for i := 0; i < 20; i++ {
			addr := "198.51.100." + strconv.Itoa(i+1)
			if _, err := f.Accounts.Login(ctx, "ghost", cliniciantest.Password, addr); !errors.Is(err, clinician.ErrInvalidCredentials) {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		got := f.Slept()
		want := []time.Duration{ // after 5, 6, ... 19 failures
			2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second,
			4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second,
			5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
		if !slices.Equal(got, want) {
			t.Errorf("step-up delays %v, want %v", got, want)
		}
	})
	t.Run("unlock clears an account's failures", func(t *testing.T) {
		t.Parallel()
		f := cliniciantest.New(t, clinician.AccountOptions{})
		f.Create(t, "doc", clinician.RoleOncall)
		for i := 0; i < 5; i++ {
			_, _ = f.Accounts.Login(ctx, "doc", "Wrong-Password-99", "198.51.100.1")
		}
		n, err := f.Accounts.Unlock(ctx, clinician.ActorCLI, "doc")
		if err != nil || n != 5 {
			t.Fatalf("Unlock = %d, %v; want 5 failures cleared", n, err)
		}
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "198.51.100.1"); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
		if got := f.Slept(); len(got) != 0 {
			t.Errorf("step-up after unlock: %v", got)
		}
		if _, ok := cliniciantest.FindAudit(f.AuditEntries(t), "login.unlocked", "doc"); !ok {
			t.Error("unlock not audited")
		}
		if _, err := f.Accounts.Unlock(ctx, clinician.ActorCLI, "nobody"); !errors.Is(err, clinician.ErrNotFound) {
			t.Errorf("unlock of an unknown account: %v, want ErrNotFound", err)
		}
	})
	t.Run("unknown usernames throttle like known ones", func(t *testing.T) {
		t.Parallel()
		f := cliniciantest.New(t, clinician.AccountOptions{})
		for i := 0; i < 5; i++ {
			if _, err := f.Accounts.Login(ctx, "ghost", cliniciantest.Password, "198.51.100.1"); !errors.Is(err, clinician.ErrInvalidCredentials) {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		if _, err := f.Accounts.Login(ctx, "ghost", cliniciantest.Password, "198.51.100.1"); !errors.Is(err, clinician.ErrThrottled) {
			t.Fatalf("unknown username after 5: %v, want ErrThrottled", err)
		}
	})
	t.Run("per address", func(t *testing.T) {
		t.Parallel()
		f := cliniciantest.New(t, clinician.AccountOptions{MaxFailuresPerAddress: 6})
		f.Create(t, "doc", clinician.RoleOncall)
		// Spread over many usernames so that no account limit engages.
		for i := 0; i < 6; i++ {
			user := "guess" + string(rune('a'+i))
			if _, err := f.Accounts.Login(ctx, user, "Wrong-Password-99", "2001:db8:1:2::5"); !errors.Is(err, clinician.ErrInvalidCredentials) {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		// Same /64, another host: still the same address for throttling.
		_, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "2001:db8:1:2::99")
		if !errors.Is(err, clinician.ErrThrottled) || nightfloat.RetryAfter(err) != 15*time.Minute {
			t.Fatalf("right password from a throttled address: %v (retry %v), want clinician.ErrThrottled after 15m", err, nightfloat.RetryAfter(err))
		}
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "203.0.113.7"); err != nil {
			t.Errorf("another address: %v", err)
		}
		// A success does not clear an address's count.
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "2001:db8:1:2::5"); !errors.Is(err, clinician.ErrThrottled) {
			t.Errorf("address still throttled after a success elsewhere: %v", err)
		}
		f.Clock.Advance(15*time.Minute + time.Second)
		if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "2001:db8:1:2::5"); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
	t.Run("parallel guesses cannot pass the limit", func(t *testing.T) {
		t.Parallel()
		f := cliniciantest.New(t, clinician.AccountOptions{ParallelHashes: 8})
		f.Create(t, "doc", clinician.RoleOncall)
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = f.Accounts.Login(ctx, "doc", "Wrong-Password-99", "198.51.100.50")
			}()
		}
		wg.Wait()
		var n int
		if err := f.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM login_attempts WHERE username = 'doc'`).Scan(&n); err != nil || n != 5 {
			t.Errorf("%d password checks recorded (err %v), want exactly 5", n, err)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := cliniciantest.New(t, clinician.AccountOptions{SessionTTL: 2 * time.Hour, IdleTimeout: 30 * time.Minute})
	doc := f.Create(t, "doc", clinician.RoleOncall, clinician.RoleReviewer)

	t.Run("idle timeout", func(t *testing.T) {
		s := f.Login(t, "doc", cliniciantest.Password)
		f.Clock.Advance(29 * time.Minute)
		if _, _, err := f.Accounts.SessionFor(ctx, s.Token); err != nil {
			t.Fatalf("at 29m: %v", err)
		}
		f.Clock.Advance(29 * time.Minute) // 29m since last use: still alive
		if _, _, err := f.Accounts.SessionFor(ctx, s.Token); err != nil {
			t.Fatalf("used again within the idle timeout: %v", err)
		}
		f.Clock.Advance(31 * time.Minute)
		if _, _, err := f.Accounts.SessionFor(ctx, s.Token); !errors.Is(err, clinician.ErrUnauthorized) {
			t.Fatalf("idle 31m: %v, want ErrUnauthorized", err)
		}
	})
	t.Run("absolute expiry", func(t *testing.T) {
		s := f.Login(t, "doc", cliniciantest.Password)
		for i := 0; i < 5; i++ { // used every 20 minutes: never idle
			f.Clock.Advance(20 * time.Minute)
			if _, _, err := f.Accounts.SessionFor(ctx, s.Token); err != nil {
				t.Fatalf("at %dm: %v", 20*(i+1), err)
			}
		}
		f.Clock.Advance(20 * time.Minute) // 120m: the 2h lifetime is over
		if _, _, err := f.Accounts.SessionFor(ctx, s.Token); !errors.Is(err, clinician.ErrUnauthorized) {
			t.Fatalf("past expiry: %v, want ErrUnauthorized", err)
		}
	})
	t.Run("logout", func(t *testing.T) {
		s := f.Login(t, "doc", cliniciantest.Password)
		other := f.Login(t, "doc", cliniciantest.Password)
		if err := f.Accounts.Logout(ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Accounts.SessionFor(ctx, s.Token); !errors.Is(err, clinician.ErrUnauthorized) {
			t.Fatalf("after logout: %v", err)
		}
		if _, _, err := f.Accounts.SessionFor(ctx, other.Token); err != nil {
			t.Fatalf("another session of the same clinician: %v", err)
		}
		if err := f.Accounts.Logout(ctx, s.Token); !errors.Is(err, clinician.ErrUnauthorized) {
			t.Errorf("second logout: %v, want ErrUnauthorized", err)
		}
		if _, ok := cliniciantest.FindAudit(f.AuditEntries(t), "logout", doc.Actor()); !ok {
			t.Error("no logout audit entry")
		}
	})
	t.Run("garbage tokens", func(t *testing.T) {
		for _, tok := range []string{"", "x", strings.Repeat("a", 43), strings.Repeat("a", 5000)} {
			if _, _, err := f.Accounts.SessionFor(ctx, tok); !errors.Is(err, clinician.ErrUnauthorized) {
				t.Errorf("SessionFor(%d chars) = %v", len(tok), err)
			}
		}
	})
	t.Run("disable ends sessions at once", func(t *testing.T) {
		s := f.Login(t, "doc", cliniciantest.Password)
		if err := f.Accounts.SetOnDuty(ctx, doc.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.Accounts.Disable(ctx, "clinician:999", "doc"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Accounts.SessionFor(ctx, s.Token); !errors.Is(err, clinician.ErrUnauthorized) {
			t.Fatalf("session after disable: %v, want ErrUnauthorized", err)
		}
		if on, err := f.Accounts.OnDuty(ctx); err != nil || len(on) != 0 {
			t.Errorf("on duty after disable: %v, %v", on, err)
		}
		e, ok := cliniciantest.FindAudit(f.AuditEntries(t), "clinician.disabled", doc.Actor())
		if !ok || e.Actor != "clinician:999" || e.Detail["sessions_revoked"] == float64(0) {
			t.Errorf("disable audit = %+v, %v", e, ok)
		}
		if err := f.Accounts.Disable(ctx, clinician.ActorCLI, "doc"); err != nil {
			t.Errorf("disabling twice: %v", err)
		}
		if err := f.Accounts.Disable(ctx, clinician.ActorCLI, "nobody"); !errors.Is(err, clinician.ErrNotFound) {
			t.Errorf("disabling an unknown user: %v, want ErrNotFound", err)
		}
		// Enabling again does not revive old sessions.
		if err := f.Accounts.Enable(ctx, clinician.ActorCLI, "doc"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Accounts.SessionFor(ctx, s.Token); !errors.Is(err, clinician.ErrUnauthorized) {
			t.Errorf("old session after re-enable: %v", err)
		}
	})
}

func TestRolesAndDuty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A long grace: this test moves the clock without a console renewing duty.
	f := cliniciantest.New(t, clinician.AccountOptions{DutyGrace: time.Hour})
	a := f.Create(t, "alice", clinician.RoleOncall)
	b := f.Create(t, "bob", clinician.RoleOncall, clinician.RoleReviewer)
	r := f.Create(t, "rev", clinician.RoleReviewer, clinician.RoleAdmin)

	if err := f.Accounts.SetOnDuty(ctx, r.ID, true); !errors.Is(err, clinician.ErrForbidden) {
		t.Errorf("reviewer going on duty: %v, want ErrForbidden", err)
	}
	if err := f.Accounts.SetOnDuty(ctx, 424242, true); !errors.Is(err, clinician.ErrNotFound) {
		t.Errorf("unknown clinician: %v, want ErrNotFound", err)
	}
	if err := f.Accounts.SetOnDuty(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Minute)
	if err := f.Accounts.SetOnDuty(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	on, err := f.Accounts.OnDuty(ctx)
	if err != nil || len(on) != 2 || on[0].Username != "bob" || on[1].Username != "alice" || on[0].OnDutySince == nil {
		t.Fatalf("OnDuty = %+v, %v; want bob then alice", on, err)
	}
	if err := f.Accounts.SetOnDuty(ctx, b.ID, false); err != nil {
		t.Fatal(err)
	}
	entries := f.AuditEntries(t)
	for _, want := range []struct{ action, target string }{
		{"clinician.on_duty", b.Actor()}, {"clinician.on_duty", a.Actor()}, {"clinician.off_duty", b.Actor()},
	} {
		if e, ok := cliniciantest.FindAudit(entries, want.action, want.target); !ok || e.Actor != want.target {
			t.Errorf("no %s audit entry for %s", want.action, want.target)
		}
	}

	// Losing oncall takes alice off duty.
	if err := f.Accounts.SetRoles(ctx, clinician.ActorCLI, "alice", []string{"reviewer"}); err != nil {
		t.Fatal(err)
	}
	if on, _ := f.Accounts.OnDuty(ctx); len(on) != 0 {
		t.Errorf("OnDuty after alice lost oncall: %+v", on)
	}
	if err := f.Accounts.SetRoles(ctx, clinician.ActorCLI, "alice", []string{"root"}); !errors.Is(err, clinician.ErrInvalid) {
		t.Errorf("bad role: %v", err)
	}
	list, err := f.Accounts.List(ctx)
	if err != nil || len(list) != 3 || list[0].Username != "alice" || strings.Join(list[0].Roles, ",") != "reviewer" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if _, err := f.Accounts.Get(ctx, 424242); !errors.Is(err, clinician.ErrNotFound) {
		t.Errorf("Get unknown: %v", err)
	}
	if _, err := f.Accounts.ByUsername(ctx, "nobody"); !errors.Is(err, clinician.ErrNotFound) {
		t.Errorf("ByUsername unknown: %v", err)
	}
}

func TestSetPasswordEndsSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := cliniciantest.New(t, clinician.AccountOptions{})
	f.Create(t, "doc", clinician.RoleOncall)
	s := f.Login(t, "doc", cliniciantest.Password)
	if err := f.Accounts.SetPassword(ctx, clinician.ActorCLI, "doc", "short"); !errors.Is(err, clinician.ErrWeakPassword) {
		t.Fatalf("weak new password: %v", err)
	}
	const next = "Granite-Meadow-Owl-77"
	if err := f.Accounts.SetPassword(ctx, clinician.ActorCLI, "doc", next); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Accounts.SessionFor(ctx, s.Token); !errors.Is(err, clinician.ErrUnauthorized) {
		t.Errorf("old session after password change: %v", err)
	}
	if _, err := f.Accounts.Login(ctx, "doc", cliniciantest.Password, "192.0.2.1"); !errors.Is(err, clinician.ErrInvalidCredentials) {
		t.Errorf("old password: %v", err)
	}
	f.Login(t, "doc", next)
}

// TestDutyFollowsPresence: duty lasts while the console renews it, lapses after the grace,
// and ends at once with logout or the end of the session; each end is audited with why.
func TestDutyFollowsPresence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		end    func(t *testing.T, f *cliniciantest.Kit, s clinician.Session) // after which the clinician must be off duty
		reason string
	}{
		{"console closed: the grace runs out", func(t *testing.T, f *cliniciantest.Kit, s clinician.Session) {
			f.Clock.Advance(21 * time.Second)
			if n, err := f.Accounts.EndLapsedDuty(ctx); err != nil || n != 1 {
				t.Errorf("EndLapsedDuty = %d, %v; want 1", n, err)
			}
		}, "console_closed"},
		{"logout", func(t *testing.T, f *cliniciantest.Kit, s clinician.Session) {
			if err := f.Accounts.Logout(ctx, s.Token); err != nil {
				t.Error(err)
			}
		}, "logout"},
		{"session expired", func(t *testing.T, f *cliniciantest.Kit, s clinician.Session) {
			// The console keeps renewing; the session's absolute expiry (2m here) ends it.
			for i := 0; i < 20; i++ {
				f.Clock.Advance(5 * time.Second)
				alive, err := f.Accounts.RenewDuty(ctx, s.Token)
				if err != nil {
					t.Fatal(err)
				}
				if !alive {
					if !f.Clock.Now().After(s.ExpiresAt.Add(-time.Second)) {
						t.Errorf("session ended at %v, before its expiry %v", f.Clock.Now(), s.ExpiresAt)
					}
					return
				}
			}
			t.Error("renewal never noticed the session's expiry")
		}, "session_ended"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := cliniciantest.New(t, clinician.AccountOptions{SessionTTL: 2 * time.Minute, IdleTimeout: 30 * time.Second})
			doc := f.Create(t, "doc", clinician.RoleOncall)
			s := f.Login(t, "doc", cliniciantest.Password)
			if err := f.Accounts.SetOnDuty(ctx, doc.ID, true); err != nil {
				t.Fatal(err)
			}
			// Renewed every 5s for a minute (twice the idle timeout, three graces): an open
			// console keeps an on-duty clinician on duty and signed in.
			for i := 0; i < 12; i++ {
				f.Clock.Advance(5 * time.Second)
				if alive, err := f.Accounts.RenewDuty(ctx, s.Token); err != nil || !alive {
					t.Fatalf("renew %d: %v, %v", i, alive, err)
				}
			}
			if on, err := f.Accounts.OnDuty(ctx); err != nil || len(on) != 1 {
				t.Fatalf("on duty while renewed: %v, %v", on, err)
			}
			tt.end(t, f, s)
			if on, err := f.Accounts.OnDuty(ctx); err != nil || len(on) != 0 {
				t.Errorf("still on duty: %v, %v", on, err)
			}
			var reason string
			if err := f.DB.Pool.QueryRow(ctx, `SELECT detail->>'reason' FROM audit_log WHERE action = 'clinician.off_duty' ORDER BY id DESC LIMIT 1`).Scan(&reason); err != nil || reason != tt.reason {
				t.Errorf("off-duty audit reason %q (%v), want %q", reason, err, tt.reason)
			}
		})
	}
}

// TestCounsellorRole: the counsellor permission is stored (the database's own check allows
// it), ordered with the others, explicit (it grants no other permission and none grants it)
// and, like reviewer, never puts anyone on duty.
func TestCounsellorRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := cliniciantest.New(t, clinician.AccountOptions{})
	c, err := f.Accounts.Create(ctx, "cara", "Cara", cliniciantest.Password, []string{"counsellor", "reviewer"})
	if err != nil {
		t.Fatalf("Create with counsellor: %v", err)
	}
	if got := strings.Join(c.Roles, ","); got != "reviewer,counsellor" {
		t.Errorf("roles %q, want reviewer,counsellor", got)
	}
	if !c.Has(clinician.RoleCounsellor) || c.Has(clinician.RoleOncall) || c.Has(clinician.RoleAdmin) {
		t.Errorf("Has: counsellor=%v oncall=%v admin=%v", c.Has(clinician.RoleCounsellor), c.Has(clinician.RoleOncall), c.Has(clinician.RoleAdmin))
	}
	if err := f.Accounts.SetOnDuty(ctx, c.ID, true); !errors.Is(err, clinician.ErrForbidden) {
		t.Errorf("a counsellor going on duty: %v, want ErrForbidden", err)
	}
	everyone := f.Create(t, "all", clinician.AllRoles...)
	if !everyone.Has(clinician.RoleCounsellor) || len(everyone.Roles) != len(clinician.AllRoles) {
		t.Errorf("every role: %v", everyone.Roles)
	}
	if err := f.Accounts.SetRoles(ctx, clinician.ActorCLI, "all", []string{"admin"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.Accounts.ByUsername(ctx, "all")
	if err != nil || got.Has(clinician.RoleCounsellor) {
		t.Errorf("after SetRoles(admin): %+v, %v", got.Roles, err)
	}
}
