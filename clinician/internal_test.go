package clinician

import (
	"context"
	"nightfloat/postgres/postgrestest"
	"strings"
	"testing"
)

func TestStaleHashIsUpgraded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := postgrestest.New(t)
	accounts := NewAccounts(db.Pool, NewAudit(db.Pool), AccountOptions{})
	const goodPassword = "Quiet-Harbor-Lantern-42"
	c, err := accounts.Create(ctx, "doc", "Dr Doc", goodPassword, []string{RoleOncall})
	if err != nil {
		t.Fatal(err)
	}
	old := newHasher(argonParams{memory: 19 * 1024, time: 2, threads: 1, keyLen: 32, saltLen: 16}, 1)
	h, err := old.hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE clinicians SET password_hash = $2 WHERE id = $1`, c.ID, h); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Login(ctx, "doc", goodPassword, "192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	var now string
	if err := db.Pool.QueryRow(ctx, `SELECT password_hash FROM clinicians WHERE id = $1`, c.ID).Scan(&now); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(now, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Errorf("hash not upgraded: %s", now[:30])
	}
}

func TestDecodePHCRejectsTampering(t *testing.T) {
	for _, s := range []string{
		"", "plain", "$2a$12$abcdefghijklmnopqrstuv",
		"$argon2id$v=19$m=4194304,t=3,p=4$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=65536,t=3,p=4$$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2i$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
	} {
		if _, _, _, err := decodePHC(s); err == nil {
			t.Errorf("decodePHC(%q) accepted", s)
		}
	}
}

func TestThrottleAddress(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":            "192.0.2.1",
		"::ffff:192.0.2.1":     "192.0.2.1",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"[2001:db8::1]:443":    "2001:db8::/64",
		"192.0.2.1:5555":       "192.0.2.1",
		"":                     "unknown",
	} {
		if got := throttleAddress(in); got != want {
			t.Errorf("throttleAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
