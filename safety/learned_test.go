package safety

import (
	"context"
	"math"
	"testing"
	"time"

	"nightfloat/safety/internal/learn"
)

// TestLearnedBands checks what each band of the learned layer reports: a
// model whose every score is its bias lands in the band the bias sets.
func TestLearnedBands(t *testing.T) {
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	tests := []struct {
		p         float64
		wantLevel Level
		wantRule  string
	}{
		{0.95, Urgent, "t"},
		{0.60, Concern, "t.review"},
		{0.10, None, ""},
	}
	for _, tt := range tests {
		m := &learn.Model{ID: "t", Bias: logit(tt.p), W: make([]float32, learn.Buckets), CalA: 1, Handoff: 0.8, Review: 0.5}
		a, err := (&learnedLayer{m: m}).Assess(context.Background(), nil, "anything at all")
		if err != nil {
			t.Fatal(err)
		}
		if a.Level != tt.wantLevel {
			t.Errorf("p=%.2f: level %v, want %v", tt.p, a.Level, tt.wantLevel)
		}
		if tt.wantRule == "" {
			if len(a.Evidence) != 0 {
				t.Errorf("p=%.2f: evidence %v, want none", tt.p, a.Evidence)
			}
			continue
		}
		if len(a.Evidence) != 1 || a.Evidence[0].RuleID != tt.wantRule || a.Evidence[0].Layer != LayerLearned || a.Evidence[0].Level != tt.wantLevel {
			t.Errorf("p=%.2f: evidence %+v, want one %s finding at %v", tt.p, a.Evidence, tt.wantRule, tt.wantLevel)
		}
	}
}

// TestLearnedModelLoads checks the committed model: it parses, is not the
// build placeholder, and loads well within a second.
func TestLearnedModelLoads(t *testing.T) {
	t0 := time.Now()
	m, err := learn.Parse(embeddedLearned)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("loading took %v", d)
	}
	if m.ID == "placeholder" || len(m.Cats) == 0 || m.Handoff >= 1 {
		t.Fatalf("committed model %q (%d category heads, handoff %.3f) is not a trained model", m.ID, len(m.Cats), m.Handoff)
	}
	if m.Review > m.Handoff {
		t.Errorf("review band %.3f above handoff %.3f", m.Review, m.Handoff)
	}
}

// BenchmarkLearnedLoad measures decoding the embedded weights, as New does once.
func BenchmarkLearnedLoad(b *testing.B) {
	for b.Loop() {
		if _, err := learn.Parse(embeddedLearned); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLearnedLayer is the learned layer alone on a 2,000-character message.
func BenchmarkLearnedLayer(b *testing.B) {
	m, err := loadEmbeddedLearned()
	if err != nil {
		b.Fatal(err)
	}
	l := &learnedLayer{m: m}
	msg := longMessage()
	ctx := context.Background()
	reportLatency(b, func() { _, _ = l.Assess(ctx, nil, msg) })
}
