package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"nightfloat/postgres/postgrestest"
)

// TestMetricHandoffGaugesFromDatabase serves the handoff figures read through insights.
func TestMetricHandoffGaugesFromDatabase(t *testing.T) {
	db := postgrestest.New(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `WITH c AS (
			INSERT INTO conversations (token_hash, role, pseudonym) VALUES ('\x00', 'resident', 'p') RETURNING id)
		INSERT INTO handoffs (conversation_id, level, categories, trigger_seq, status)
		SELECT id, 'urgent', '{}', 1, 'waiting' FROM c`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(db.Pool).Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"nightfloat_database_up 1",
		"nightfloat_handoffs_open 1",
		"nightfloat_handoffs_waiting 1",
		"nightfloat_handoff_time_to_claim_seconds_count 0",
		`nightfloat_handoff_time_to_claim_seconds_bucket{le="3600"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, grep(string(body), "nightfloat_handoff"))
		}
	}
}
