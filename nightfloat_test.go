package nightfloat_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"nightfloat"
)

func TestLevelRoundTrips(t *testing.T) {
	for _, l := range nightfloat.Levels {
		got, err := nightfloat.ParseLevel(" " + l.String() + " ")
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l, got, err)
		}
		b, err := json.Marshal(l)
		if err != nil || string(b) != `"`+l.String()+`"` {
			t.Errorf("json %s = %s, %v", l, b, err)
		}
		var scanned nightfloat.Level
		v, _ := l.Value()
		if err := scanned.Scan(v); err != nil || scanned != l {
			t.Errorf("Scan(Value(%s)) = %v, %v", l, scanned, err)
		}
	}
	if !nightfloat.LevelUrgent.ForcesHandoff() || nightfloat.LevelConcern.ForcesHandoff() {
		t.Error("only urgent and above force a handoff")
	}
	for _, bad := range []any{"severe", 3, nil} {
		var l nightfloat.Level
		if err := l.Scan(bad); err == nil {
			t.Errorf("Scan(%v) accepted", bad)
		}
	}
	if _, err := nightfloat.Level(9).MarshalText(); err == nil {
		t.Error("an out-of-range level marshalled")
	}
}

func TestRoles(t *testing.T) {
	for _, r := range nightfloat.Roles {
		if got, err := nightfloat.ParseRole(string(r)); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, bad := range []string{"", "Resident", "admin", "oncall"} {
		if _, err := nightfloat.ParseRole(bad); err == nil {
			t.Errorf("ParseRole(%q) accepted", bad)
		}
	}
}

func TestErrorCodes(t *testing.T) {
	limited := &nightfloat.Error{Code: nightfloat.CodeRateLimited, Message: "Too many attempts.", RetryAfter: time.Minute}
	wrapped := fmt.Errorf("login: %w", limited)
	cases := []struct {
		name      string
		err       error
		code      nightfloat.Code
		message   string
		retry     time.Duration
		isLimited bool
	}{
		{"wrapped", wrapped, nightfloat.CodeRateLimited, "Too many attempts.", time.Minute, true},
		{"plain error", errors.New("db down"), nightfloat.CodeInternal, "Something went wrong on our side.", 0, false},
		{"Errorf", nightfloat.Errorf(nightfloat.CodeNotFound, "no conversation %d", 7), nightfloat.CodeNotFound, "no conversation 7", 0, false},
	}
	if got := nightfloat.ErrorCode(nil); got != "" {
		t.Errorf("ErrorCode(nil) = %q, want none", got)
	}
	sentinel := &nightfloat.Error{Code: nightfloat.CodeRateLimited}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := nightfloat.ErrorCode(c.err); got != c.code {
				t.Errorf("code %q, want %q", got, c.code)
			}
			if got := nightfloat.ErrorMessage(c.err); got != c.message {
				t.Errorf("message %q, want %q", got, c.message)
			}
			if got := nightfloat.RetryAfter(c.err); got != c.retry {
				t.Errorf("retry %v, want %v", got, c.retry)
			}
			if got := errors.Is(c.err, sentinel); got != c.isLimited {
				t.Errorf("errors.Is(rate limited) = %v", got)
			}
		})
	}
}

func TestNetwork(t *testing.T) {
	cases := []struct{ in, want string }{
		{"198.51.100.7", "198.51.100.7"},
		{"::ffff:198.51.100.7", "198.51.100.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	}
	for _, c := range cases {
		if got := nightfloat.Network(netip.MustParseAddr(c.in)); got != c.want {
			t.Errorf("Network(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestRoleLabels: every role has a label people read in the "I am a" choice, and no two
// roles share one.
func TestRoleLabels(t *testing.T) {
	seen := map[string]nightfloat.Role{}
	for _, r := range nightfloat.Roles {
		l := r.Label()
		if l == string(r) || l == "" {
			t.Errorf("role %q has no label", r)
		}
		if other, dup := seen[l]; dup {
			t.Errorf("roles %q and %q are both labelled %q", other, r, l)
		}
		seen[l] = r
	}
	if got := nightfloat.Role("janitor").Label(); got != "janitor" {
		t.Errorf("an unknown role is labelled %q", got)
	}
}
