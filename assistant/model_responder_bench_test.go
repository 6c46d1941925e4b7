package assistant_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/llm"
	"nightfloat/llm/llmtest"
	"nightfloat/retrieval/retrievaltest"
)

// benchPieces is a reply streamed one word a chunk: three sentences, 31 chunks.
var benchPieces = strings.SplitAfter("That sounds like a long night, and it makes sense that you feel wrung out. "+
	"Many people on nights find the first few days the hardest. "+
	"One small step could be to protect a single block of sleep tomorrow and tell one colleague how it went.", " ")

// BenchmarkStreamOverhead measures what the server itself adds to a streamed reply: the
// time from the model server writing the chunk that lets a sentence through the output
// gate to that sentence reaching a subscriber of the conversation, with 100 conversations
// streaming at once from a model that sends one chunk every 20 ms. The path measured is
// the real one: HTTP and SSE parsing (go-openai), citation filtering, the sentence-by-
// sentence safety check, and the hub. One op is one round of 100 concurrent replies.
//
// p50-ms and p99-ms are that overhead (final-* for the last sentence of each reply, which
// also waits for the usage to be recorded; mid-p99-ms for the others). sentence-p50-ms is,
// for comparison, the time from the chunk that ends a sentence to its delivery: it also
// holds the wait for the next chunk, which the gate needs to see that the sentence is
// complete.
func BenchmarkStreamOverhead(b *testing.B) {
	const conversations = 100
	const every = 20 * time.Millisecond
	db, _ := retrievaltest.ContentDB(b, "../content")

	var sentMu sync.Mutex
	sent := map[string][]time.Time{} // marker in the resident message → when each chunk was written
	model := &llmtest.Server{Steps: []llmtest.Step{{Pieces: benchPieces, Every: every}}}
	model.OnChunk = func(req llmtest.Request, i int) {
		now := time.Now()
		key := benchKey(req.Last())
		sentMu.Lock()
		ts := sent[key]
		if ts == nil {
			ts = make([]time.Time, len(benchPieces)+1)
			sent[key] = ts
		}
		ts[i] = now
		sentMu.Unlock()
	}
	e := mrSetup(b, model, mrConfig{db: db, context: 16384,
		chat: func(o *llm.ChatOptions) {
			o.FirstTokenTimeout, o.IdleTimeout, o.Timeout = 20*time.Second, 5*time.Second, 40*time.Second
		},
		opts: assistant.Options{TurnTimeout: 60 * time.Second, TurnLease: 10 * time.Second, RateLimitPerMinute: 1000},
	})
	want := strings.Join(benchPieces, "")
	cum := make([]int, len(benchPieces)) // cum[i]: text length after chunk i
	n := 0
	for i, p := range benchPieces {
		n += len(p)
		cum[i] = n
	}
	// chunkAt is the chunk holding byte k of the reply; the end of the reply is the finish chunk.
	chunkAt := func(k int) int {
		i, _ := slices.BinarySearch(cum, k+1)
		return i
	}

	type delivery struct {
		at  time.Time
		end int // reply length up to the end of this delta
	}
	var overhead, sentence, final, mid []time.Duration
	ctx := context.Background()
	b.ResetTimer()
	for round := 0; round < b.N; round++ {
		b.StopTimer()
		convs := make([]assistant.Conversation, conversations)
		got := make([][]delivery, conversations)
		texts := make([]strings.Builder, conversations)
		var mu sync.Mutex
		var unsubs []func()
		for c := range convs {
			conv, _, err := e.svc.Start(ctx, "resident")
			if err != nil {
				b.Fatal(err)
			}
			convs[c] = conv
			unsubs = append(unsubs, e.svc.Hub().Subscribe(conv.ID, func(ev assistant.Event) bool {
				if ev.Kind != assistant.EventDelta {
					return true
				}
				at := time.Now()
				mu.Lock()
				texts[c].WriteString(ev.Text)
				got[c] = append(got[c], delivery{at: at, end: texts[c].Len()})
				mu.Unlock()
				return true
			}, nil))
		}
		b.StartTimer()
		ids := make([]string, conversations)
		for c, conv := range convs {
			ids[c] = conv.ID
			text := fmt.Sprintf("Long stretch of nights this week and I feel wrung out (%s)", benchMarker(round, c))
			if _, _, err := e.svc.Submit(ctx, conv, "bench", text); err != nil {
				b.Fatal(err)
			}
		}
		benchWait(b, e, ids)
		b.StopTimer()
		for _, u := range unsubs {
			u()
		}
		for c := range convs {
			if texts[c].String() != want {
				b.Fatalf("conversation %d streamed %q, want the model's reply", c, texts[c].String())
			}
			sentMu.Lock()
			ts := sent[benchMarker(round, c)]
			sentMu.Unlock()
			for _, d := range got[c] {
				trigger := len(benchPieces) // the final sentence is released when the stream ends
				if d.end < len(want) {
					trigger = chunkAt(d.end)
				}
				overhead = append(overhead, d.at.Sub(ts[trigger]))
				if trigger == len(benchPieces) {
					final = append(final, d.at.Sub(ts[trigger]))
				} else {
					mid = append(mid, d.at.Sub(ts[trigger]))
				}
				sentence = append(sentence, d.at.Sub(ts[chunkAt(strings.LastIndexAny(want[:d.end], ".!?"))]))
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(ms(percentile(overhead, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(overhead, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(sentence, 0.50)), "sentence-p50-ms")
	b.ReportMetric(float64(len(overhead))/float64(b.N), "deltas/op")
	b.ReportMetric(ms(percentile(final, 0.50)), "final-p50-ms")
	b.ReportMetric(ms(percentile(final, 0.99)), "final-p99-ms")
	b.ReportMetric(ms(percentile(mid, 0.99)), "mid-p99-ms")
}

func benchMarker(round, c int) string { return fmt.Sprintf("bench-%d-%d", round, c) }

// benchKey finds the marker in a resident message.
func benchKey(msg string) string {
	i := strings.Index(msg, "(bench-")
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(msg[i+1:], ")")
}

// benchWait waits until every conversation's turn is answered and stored.
func benchWait(b *testing.B, e *mrEnv, ids []string) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var done int
		err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE conversation_id = ANY($1::uuid[])
			AND author = 'resident' AND turn_state <> 'pending'`, ids).Scan(&done)
		if err != nil {
			b.Fatal(err)
		}
		if done == len(ids) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d turns answered", done, len(ids))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
