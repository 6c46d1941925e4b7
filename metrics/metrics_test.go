package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMetricNilSetIsANoOp(t *testing.T) {
	var s *Set
	ctx := s.StartTurn(context.Background(), time.Now())
	s.Responder(ctx)()
	s.Outcome(ctx, "handoff", nil)
	s.EndTurn(ctx)
	s.Socket()()
	s.Resident()()
	s.Closed(true)
	s.Assessed("urgent")
	s.DBError("lease")
	s.ModelReply("x", "x")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Fatalf("nil set /metrics = %d, want 404", rec.Code)
	}
}

func TestMetricTurnSplitAndTextFormat(t *testing.T) {
	s := New(nil)
	closeSock := s.Socket()
	closeRes := s.Resident()
	s.Socket() // a console socket
	ctx := s.StartTurn(context.Background(), time.Now().Add(-30*time.Millisecond))
	stop := s.Responder(ctx)
	time.Sleep(20 * time.Millisecond)
	stop()
	s.Outcome(ctx, "text", nil)
	s.Outcome(ctx, "failed", io.EOF) // an error leaves the outcome as it was
	s.EndTurn(ctx)
	s.Closed(true)
	s.Closed(false)
	s.ModelReply("The AI model was unavailable, so...", "The AI model was unavailable")
	s.ModelReply("This reply reached its length limit", "The AI model was unavailable")
	s.Assessed("urgent")
	s.DBError("lease_turn")
	closeRes()
	closeSock()

	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		`nightfloat_turns_total{outcome="answered"} 1`,
		`nightfloat_turn_seconds_count{part="queue"} 1`,
		`nightfloat_turn_seconds_count{part="server"} 1`,
		`nightfloat_turn_seconds_count{part="responder"} 1`,
		`nightfloat_websocket_connections{kind="console"} 1`,
		`nightfloat_websocket_connections{kind="resident"} 0`,
		`nightfloat_slow_clients_dropped_total 1`,
		`nightfloat_model_errors_total 1`,
		`nightfloat_safety_assessments_total{level="urgent"} 1`,
		`nightfloat_database_errors_total{op="lease_turn"} 1`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The responder's 20 ms is not server time: the server part must be well under it.
	if !strings.Contains(text, `nightfloat_turn_seconds_bucket{part="server",le="0.015"} 1`) {
		t.Errorf("server part counted the responder's time:\n%s", grep(text, `part="server"`))
	}
}

func grep(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
