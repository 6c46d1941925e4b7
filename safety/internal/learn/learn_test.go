package learn

import (
	"bytes"
	"fmt"
	"math"
	"testing"
)

// toy is a small labelled set: escalations share words the negatives lack.
func toy() []Example {
	var ex []Example
	for i := 0; i < 60; i++ {
		ex = append(ex,
			Example{Text: fmt.Sprintf("i want to end my life tonight %d", i), Escalate: true, Category: "suicidal_ideation"},
			Example{Text: fmt.Sprintf("i will hurt him with a knife %d", i), Escalate: true, Category: "harm_to_others"},
			Example{Text: fmt.Sprintf("long shift, tired but fine, coffee helps %d", i)},
			Example{Text: fmt.Sprintf("i am not going to end anything, just venting %d", i)},
		)
	}
	return ex
}

func TestTrainIsDeterministic(t *testing.T) {
	s := NewSet(toy())
	a, _ := Train(s, nil, "t", DefaultConfig).MarshalBinary()
	b, _ := Train(NewSet(toy()), nil, "t", DefaultConfig).MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Fatal("two trainings on the same data differ")
	}
	cfg := DefaultConfig
	cfg.Seed++
	c, _ := Train(s, nil, "t", cfg).MarshalBinary()
	if bytes.Equal(a, c) {
		t.Fatal("a different seed gave identical weights: the seed is not used")
	}
}

func TestTrainedModelSeparatesAndNamesCategories(t *testing.T) {
	m := Train(NewSet(toy()), nil, "t", DefaultConfig)
	tests := []struct {
		text string
		esc  bool
		cat  string
	}{
		{"i want to end my life", true, "suicidal_ideation"},
		{"going to hurt him with a knife", true, "harm_to_others"},
		{"tired after a long shift, coffee helps", false, ""},
	}
	for _, tt := range tests {
		fs := Vectorize(nil, tt.text)
		z := m.Logit(fs)
		if got := z > 0; got != tt.esc {
			t.Errorf("%q: logit %.2f, want escalate=%v", tt.text, z, tt.esc)
		}
		if tt.esc {
			if got := m.Category(fs); got != tt.cat {
				t.Errorf("%q: category %q, want %q", tt.text, got, tt.cat)
			}
		}
	}
}

func TestModelFileRoundTrip(t *testing.T) {
	m := Train(NewSet(toy()), nil, "round", DefaultConfig)
	m.CalA, m.CalB, m.Handoff, m.Review = 1.5, -0.5, 0.8, 0.4
	m.DataSum[0] = 7
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := got.MarshalBinary()
	if !bytes.Equal(b, b2) || got.ID != "round" || got.Handoff != 0.8 || got.Review != 0.4 || got.DataSum[0] != 7 {
		t.Fatal("round trip changed the model")
	}
	for _, bad := range [][]byte{nil, []byte("NFLEARN1\n"), b[:len(b)-1], append(append([]byte{}, b...), 0)} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse accepted a corrupt file of %d bytes", len(bad))
		}
	}
	m.Review = 0.9 // above handoff
	b, _ = m.MarshalBinary()
	if _, err := Parse(b); err == nil {
		t.Error("Parse accepted a review band above the handoff band")
	}
}

func TestCalibrateFitsProbabilities(t *testing.T) {
	// labels drawn so that P(y|z) = sigmoid(2z - 1)
	var zs []float64
	var ys []bool
	var ws []float64
	for i := 0; i < 400; i++ {
		z := float64(i-200) / 50
		p := 1 / (1 + math.Exp(-(2*z - 1)))
		n := 100
		k := int(math.Round(p * float64(n)))
		for j := 0; j < n; j++ {
			zs, ys, ws = append(zs, z), append(ys, j < k), append(ws, 1)
		}
	}
	a, b := Calibrate(zs, ys, ws)
	if math.Abs(a-2) > 0.1 || math.Abs(b+1) > 0.1 {
		t.Fatalf("Calibrate = %.3f, %.3f; want about 2, -1", a, b)
	}
}

func TestWeighCapsAndBoosts(t *testing.T) {
	var items []Labelled
	for i := 0; i < 1000; i++ {
		items = append(items, Labelled{Example: Example{Text: fmt.Sprintf("big %d", i)}, Source: "big"})
	}
	for i := 0; i < 10; i++ {
		items = append(items, Labelled{Example: Example{Text: fmt.Sprintf("small %d", i), Escalate: true}, Source: "small"})
	}
	ex, train := Balance{Cap: 100, Boost: 4}.Weigh(items)
	kept := 0
	for i := 0; i < 1000; i++ {
		if train[i] {
			kept++
			if ex[i].Weight != 1 {
				t.Fatalf("subsampled row weight %v, want 1", ex[i].Weight)
			}
		}
	}
	if kept < 60 || kept > 140 {
		t.Errorf("kept %d of 1000 with cap 100", kept)
	}
	for i := 1000; i < 1010; i++ {
		if !train[i] || ex[i].Weight != 4 {
			t.Fatalf("small group: train=%v weight=%v, want true and 4 (boost cap)", train[i], ex[i].Weight)
		}
	}
}

func TestChooseBandsRespectsTargets(t *testing.T) {
	var items []Labelled
	var prob []float64
	// source a: positives score high; negatives spread, 10% above 0.7
	for i := 0; i < 100; i++ {
		items = append(items, Labelled{Example: Example{Escalate: true}, Source: "a"})
		prob = append(prob, 0.9)
		items = append(items, Labelled{Source: "a"})
		prob = append(prob, float64(i)/100*0.78)
	}
	h, r := ChooseBands(items, prob, Targets{MaxMacroFalse: 0.05, MaxReviewFalse: 0.20})
	if _, f := Macro(Tally(items, prob, h, 1)); f > 0.05 {
		t.Errorf("handoff %.3f gives false rate %.3f > 0.05", h, f)
	}
	if _, f := Macro(Tally(items, prob, h-0.01, 1)); f <= 0.05 {
		t.Errorf("handoff %.3f is not the lowest threshold within the target", h)
	}
	if r > h {
		t.Errorf("review %.3f above handoff %.3f", r, h)
	}
	fs := Tally(items, prob, h, r)
	if rate := float64(fs[0].FalseEsc+fs[0].Review) / float64(fs[0].Negatives); rate > 0.20 {
		t.Errorf("review band reaches %.3f of negatives, target 0.20", rate)
	}
}

func TestNegationScopeIsAFeature(t *testing.T) {
	a := Vectorize(nil, "i want to die")
	b := Vectorize(nil, "i dont want to die")
	set := map[uint32]bool{}
	for _, f := range a {
		set[f.Idx] = true
	}
	extra := 0
	for _, f := range b {
		if !set[f.Idx] {
			extra++
		}
	}
	// "dont" adds its own word and n-grams, and "want", "to", "die" each add a negated word
	if extra < 3+3 {
		t.Errorf("negated text adds %d features, want the negation-scope words too", extra)
	}
}

func TestFastTextLearnsAndIsDeterministic(t *testing.T) {
	s := NewSet(toy())
	cfg := DefaultConfig
	cfg.Rate = 0.5
	cfg.Epochs = 10
	a := TrainFastText(s, allOf(s), 8, 12, cfg)
	b := TrainFastText(s, allOf(s), 8, 12, cfg)
	for i := 0; i < s.Len(); i++ {
		za, zb := a.Logit(s, i), b.Logit(s, i)
		if za != zb {
			t.Fatalf("example %d: %v then %v: training is not deterministic", i, za, zb)
		}
		if (za > 0) != s.y[i] {
			t.Errorf("example %d: logit %.2f, label %v", i, za, s.y[i])
		}
	}
}

func allOf(s *Set) []int {
	out := make([]int, s.Len())
	for i := range out {
		out[i] = i
	}
	return out
}

func TestCalibrateStaysFiniteWhenScoresSeparate(t *testing.T) {
	zs := []float64{-3, -2, -1, 1, 2, 3}
	ys := []bool{false, false, false, true, true, true}
	ws := []float64{1, 1, 1, 1, 1, 1}
	a, b := Calibrate(zs, ys, ws)
	if math.IsNaN(a) || a <= 0 || a > 100 || math.Abs(b) > 100 {
		t.Fatalf("Calibrate on separable scores = %v, %v; want a finite, positive slope", a, b)
	}
	m := &Model{CalA: a, CalB: b}
	if p := m.Prob(3); p < 0.6 || p >= 1 {
		t.Errorf("p(3) = %v, want confident but below 1", p)
	}
}
