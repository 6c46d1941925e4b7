package clinician_test

import (
	"context"
	"errors"
	"nightfloat"
	"nightfloat/clinician"
	"nightfloat/clinician/cliniciantest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestAuditIsInsertOnly(t *testing.T) {
	t.Parallel()
	f := cliniciantest.New(t, clinician.AccountOptions{})
	ctx := context.Background()
	if err := f.Audit.Record(ctx, clinician.ActorSystem, "test.entry", "thing:1", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_log SET action = 'rewritten'`,
		`UPDATE audit_log SET detail = '{}' WHERE id = (SELECT min(id) FROM audit_log)`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE action = 'test.entry'`,
		`TRUNCATE audit_log`,
		`TRUNCATE audit_log, clinicians CASCADE`,
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := f.DB.Pool.Exec(ctx, stmt)
			var pg *pgconn.PgError
			if err == nil || !strings.Contains(err.Error(), "audit_log is insert-only") {
				t.Fatalf("%s: err = %v, want the insert-only refusal", stmt, err)
			}
			if !errors.As(err, &pg) || pg.Code != "42501" {
				t.Errorf("SQLSTATE = %v, want 42501", err)
			}
		})
	}
	entries, err := f.Audit.List(ctx, time.Time{}, 10)
	if err != nil || len(entries) != 1 || entries[0].Action != "test.entry" || entries[0].Detail["n"] != float64(1) {
		t.Fatalf("entries after the attempts = %+v, %v", entries, err)
	}
}

func TestAuditRecordAndList(t *testing.T) {
	t.Parallel()
	f := cliniciantest.New(t, clinician.AccountOptions{})
	ctx := context.Background()
	if err := f.Audit.Record(ctx, "", "x", "", nil); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
		t.Errorf("no actor: %v", err)
	}
	if err := f.Audit.Record(ctx, clinician.ActorCLI, " ", "", nil); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
		t.Errorf("no action: %v", err)
	}
	for i := 0; i < 5; i++ {
		if err := f.Audit.Record(ctx, clinician.ActorCLI, "step", "", map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.Audit.List(ctx, time.Time{}, 3)
	if err != nil || len(got) != 3 || got[0].Detail["i"] != float64(0) || got[2].Detail["i"] != float64(2) {
		t.Fatalf("List limit 3 = %+v, %v", got, err)
	}
	if got[0].Detail == nil || got[0].At.IsZero() || got[0].ID >= got[1].ID {
		t.Errorf("entry fields: %+v", got[0])
	}
	later, err := f.Audit.List(ctx, time.Now().Add(time.Hour), 10)
	if err != nil || len(later) != 0 {
		t.Errorf("List since the future = %+v, %v", later, err)
	}
}
