package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"nightfloat/postgres/postgrestest"
)

// TestUserCommandRoles: nightfloat user accepts every permission, counsellor included,
// through add and roles, and refuses one it does not know.
func TestUserCommandRoles(t *testing.T) {
	db := postgrestest.New(t)
	ctx := context.Background()
	var out, errb bytes.Buffer
	e := newEnv(&out, &errb, func(k string) string {
		switch k {
		case "DATABASE_URL":
			return db.URL
		case "NIGHTFLOAT_PASSWORD":
			return "Quiet-Harbor-Lantern-42"
		}
		return ""
	})
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user", "add", "--username", "cara", "--name", "Cara Counsellor", "--roles", "counsellor"}, 0, "roles counsellor"},
		{[]string{"user", "roles", "cara", "reviewer,counsellor"}, 0, "reviewer,counsellor"},
		{[]string{"user", "roles", "cara", "counselor"}, 1, "Unknown role"},
		{[]string{"user", "list"}, 0, "reviewer,counsellor"},
	} {
		out.Reset()
		errb.Reset()
		code := run(ctx, tc.args, e)
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("%v: exit %d (want %d), output %q %q (want %q)", tc.args, code, tc.code, out.String(), errb.String(), tc.want)
		}
	}
	var roles []string
	if err := db.Pool.QueryRow(ctx, `SELECT roles FROM clinicians WHERE username = 'cara'`).Scan(&roles); err != nil {
		t.Fatal(err)
	}
	if strings.Join(roles, ",") != "reviewer,counsellor" {
		t.Errorf("stored roles %v", roles)
	}
}
