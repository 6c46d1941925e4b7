package safety

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"
)

// longMessage is a ~2,000-character rambling message with a red flag buried
// in the middle, the worst realistic case for the rules engine.
func longMessage() string {
	filler := "So tonight was a lot, we had three admissions back to back and the ED kept calling about boarders, my co-intern was swamped, the pharmacy called about a heparin drip, and the family in 12 wanted an update at midnight. "
	var b strings.Builder
	for b.Len() < 900 {
		b.WriteString(filler)
	}
	b.WriteString("Somewhere around 2am I realised I keep thinking about how easy it would be to just step off the top landing of the stairwell. ")
	for b.Len() < 2000 {
		b.WriteString(filler)
	}
	return b.String()[:2000]
}

const longReply = "I'm really sorry tonight has been so heavy. It makes sense that you feel drained after three admissions and a difficult family meeting. " +
	"If any part of you is thinking about suicide, please call or text 988 now, or the Physician Support Line at 1-888-409-0141. " +
	"For the next hour, it may help to eat something, drink water, and try slow breathing: in for four, out for six. " +
	"Would you like me to connect you with a clinician on call tonight? You don't have to go through this alone."

// latencies measures fn n times and returns sorted durations.
func latencies(n int, fn func()) []time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		t0 := time.Now()
		fn()
		d[i] = time.Since(t0)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(p * float64(len(d)-1))
	return d[i]
}

// reportLatency adds p50/p99 (microseconds) and messages/second to a benchmark.
func reportLatency(b *testing.B, fn func()) {
	b.Helper()
	b.ReportAllocs()
	t0 := time.Now()
	for b.Loop() {
		fn()
	}
	elapsed := time.Since(t0)
	d := latencies(2000, fn)
	b.ReportMetric(float64(percentile(d, 0.50).Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(percentile(d, 0.99).Nanoseconds())/1e3, "p99-µs")
	if elapsed > 0 {
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	}
}

// BenchmarkAssessRules is the target: a 2,000-character message,
// rules only (with conversation memory; no learned or model layer).
func BenchmarkAssessRules(b *testing.B) {
	c, err := New(WithoutLearned())
	if err != nil {
		b.Fatal(err)
	}
	msg := longMessage()
	ctx := context.Background()
	reportLatency(b, func() { _, _ = c.Assess(ctx, nil, msg) })
}

// BenchmarkAssess is the default classifier (rules and learned layer) on the
// same message: the whole classifier, model included.
func BenchmarkAssess(b *testing.B) {
	c := testClassifier(b)
	msg := longMessage()
	ctx := context.Background()
	reportLatency(b, func() { _, _ = c.Assess(ctx, nil, msg) })
}

func BenchmarkAssessShort(b *testing.B) {
	c := testClassifier(b)
	ctx := context.Background()
	h := []Turn{{AuthorResident, "rough night, nothing will get better"}, {AuthorResident, "anyway"}}
	reportLatency(b, func() { _, _ = c.Assess(ctx, h, "I have a lot of propofol access") })
}

func BenchmarkCheckReply(b *testing.B) {
	c := testClassifier(b)
	ctx := context.Background()
	reportLatency(b, func() { _, _ = c.CheckReply(ctx, longReply) })
}

// TestLatencyBudget guards against pathological slow-downs. The target is a
// p99 under 1 ms for a 2,000-character message; on shared, loaded CI the
// tail is dominated by scheduling noise, so the test asserts on the median
// (which a regex blow-up or a lost prefilter would still push far out).
func TestLatencyBudget(t *testing.T) {
	c := testClassifier(t)
	msg := longMessage()
	if len(msg) != 2000 {
		t.Fatalf("message is %d bytes", len(msg))
	}
	a, _ := c.Assess(context.Background(), nil, msg)
	if a.Level < Urgent {
		t.Fatalf("buried red flag not found: %+v", a)
	}
	d := latencies(500, func() { _, _ = c.Assess(context.Background(), nil, msg) })
	p99 := percentile(d, 0.99)
	t.Logf("Assess 2,000 chars: p50 %v p99 %v", percentile(d, 0.5), p99)
	if p50 := percentile(d, 0.5); p50 > 3*time.Millisecond*raceSlowdown {
		t.Errorf("median %v exceeds 3ms (target p99 1ms)", p50)
	}
}

// longCorpusMessages makes 2,000-character messages from the labelled cases
// (red flags, hard negatives, idioms, clinical talk, run together), so the
// latency is measured over many different long messages, not one.
func longCorpusMessages(tb testing.TB) []string {
	texts := corpusTexts(tb)
	var out []string
	var b strings.Builder
	for i := 0; i < len(texts) && len(out) < 500; i++ {
		t := texts[(i*7919)%len(texts)] // a fixed shuffle
		if len(t) > 600 {
			continue // content documents are not messages
		}
		b.WriteString(t)
		b.WriteString(" ")
		if b.Len() >= 2000 {
			s := b.String()[:2000]
			out = append(out, strings.ToValidUTF8(s, ""))
			b.Reset()
		}
	}
	return out
}

// BenchmarkAssessRulesCorpus: rules only, 2,000-character messages made of
// the labelled cases; p99 is over the per-message latencies.
func BenchmarkAssessRulesCorpus(b *testing.B) {
	c, err := New(WithoutLearned())
	if err != nil {
		b.Fatal(err)
	}
	msgs := longCorpusMessages(b)
	ctx := context.Background()
	i := 0
	reportLatency(b, func() {
		_, _ = c.Assess(ctx, nil, msgs[i%len(msgs)])
		i++
	})
}
