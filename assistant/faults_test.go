package assistant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/llm/llmtest"
)

// TestModelFaultsUnderLoad: the model endpoint hangs before its first token, stalls part way,
// answers 500, or sends garbage, while a dozen conversations are waiting on it at once. Every
// turn must still end with a stored answer (vetted content with the "model unavailable"
// note, a reply cut short, or an error notice with crisis resources), within the turn
// bound, and no assistant reply may be stored without the whole-reply output check.
func TestModelFaultsUnderLoad(t *testing.T) {
	pieces := []string{"That first", " week of nights", " is brutal.", " Broken day-sleep", " after it is", " really common.", " One thing", " that helps", " is an anchor", " sleep window."}
	cases := []struct {
		name string
		step llmtest.Step
		note string // the note the stored reply must carry; "" for none
	}{
		{"hangs before the first token", llmtest.Step{Delay: 20 * time.Second, Pieces: pieces}, assistant.NoteModelUnavailable},
		{"stalls part way", llmtest.Step{Pieces: pieces, Every: 5 * time.Millisecond, StallAfter: 4}, assistant.NoteCutShort},
		{"answers 500", llmtest.Step{Status: 500, Body: `{"error":{"message":"upstream overloaded","type":"server_error"}}`}, assistant.NoteModelUnavailable},
		{"sends garbage", llmtest.Step{Raw: "data: {\"choices\": [{\"delta\": <html>502 Bad Gateway</html>\n\n", NoFinish: true}, assistant.NoteModelUnavailable},
		{"sends a non-SSE body", llmtest.Step{Raw: "<html><body>gateway timeout</body></html>", NoFinish: true}, assistant.NoteModelUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := mrSetup(t, &llmtest.Server{Steps: []llmtest.Step{tc.step}}, mrConfig{opts: assistant.Options{TurnTimeout: 20 * time.Second}})
			ctx := context.Background()
			const n = 12
			type pending struct {
				conv assistant.Conversation
				seq  int64
				at   time.Time
			}
			var ps []pending
			for i := 0; i < n; i++ {
				conv, _, err := e.svc.Start(ctx, "resident")
				if err != nil {
					t.Fatal(err)
				}
				msg, _, err := e.svc.Submit(ctx, conv, fmt.Sprintf("f%d", i), nightFloatQuestion)
				if err != nil {
					t.Fatal(err)
				}
				ps = append(ps, pending{conv, msg.Seq, time.Now()})
			}
			deadline := time.Now().Add(40 * time.Second)
			var slowest time.Duration
			for _, p := range ps {
				for {
					msgs, err := e.svc.Store().After(ctx, p.conv.ID, p.seq, 20)
					if err != nil {
						t.Fatal(err)
					}
					var reply *assistant.Message
					for i := range msgs {
						if msgs[i].ReplyTo == p.seq && msgs[i].Kind != assistant.KindDisclosure {
							reply = &msgs[i]
						}
					}
					if reply != nil {
						slowest = max(slowest, time.Since(p.at))
						switch {
						case reply.Kind == assistant.KindError:
							if !strings.Contains(reply.Body, "555-0100") {
								t.Errorf("error notice without crisis resources: %q", reply.Body)
							}
						case tc.note != "" && !strings.Contains(reply.Body, tc.note):
							t.Errorf("reply lacks the note %q: %q", tc.note, reply.Body)
						}
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("no answer stored for a turn after 40s (turn bound 20s); have %+v", msgs)
					}
					time.Sleep(25 * time.Millisecond)
				}
			}
			t.Logf("%d concurrent turns answered; slowest %s", n, slowest.Round(time.Millisecond))
			assertAllRepliesChecked(t, e)
		})
	}
}

// assertAllRepliesChecked fails when any stored assistant reply lacks meta.output_checked,
// or when any resident message is left without an answer.
func assertAllRepliesChecked(t *testing.T, e *mrEnv) {
	t.Helper()
	ctx := context.Background()
	rows, err := e.db.Pool.Query(ctx, `SELECT conversation_id::text, seq, meta FROM messages WHERE author = 'assistant'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	checked := 0
	for rows.Next() {
		var conv string
		var seq int64
		var raw []byte
		if err := rows.Scan(&conv, &seq, &raw); err != nil {
			t.Fatal(err)
		}
		var meta map[string]any
		_ = json.Unmarshal(raw, &meta)
		if meta["output_checked"] != true {
			t.Errorf("assistant reply %s/%d was stored without the output check: meta %s", conv, seq, raw)
		}
		checked++
	}
	var unanswered int
	if err := e.db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE author = 'resident' AND turn_state = 'pending'`).Scan(&unanswered); err != nil {
		t.Fatal(err)
	}
	if unanswered > 0 {
		t.Errorf("%d resident messages left unanswered", unanswered)
	}
	t.Logf("%d assistant replies, all with output_checked", checked)
}
