package learn

import (
	"math"
	"sort"
	"strings"
)

// Band is what a score asks for.
type Band int

// The bands, from lowest to highest.
const (
	BandNone    Band = iota // nothing to act on
	BandReview              // answer supportively with resources; queue for clinician review
	BandHandoff             // a clinician takes over
)

// Model is a trained learned layer.
type Model struct {
	ID string
	// Escalation head: logit = Bias + W·x.
	Bias float64
	W    []float32 // Buckets
	// Calibration: probability = sigmoid(CalA*logit + CalB), fitted on
	// leave-one-source-out scores.
	CalA, CalB float64
	// Probability thresholds of the bands, chosen on leave-one-source-out
	// figures: Handoff at or above, Review at or above (and below Handoff).
	Handoff, Review float64
	Cats            []CatHead
	DataSum         [32]byte // SHA-256 of the training inputs and configuration
}

// CatHead is a one-vs-rest head naming the category of an escalation.
type CatHead struct {
	Name string
	Bias float64
	W    []float32 // 1<<CatBits
}

// Logit is the escalation head's raw score of a feature vector.
func (m *Model) Logit(fs []Feat) float64 {
	s := m.Bias
	for _, f := range fs {
		s += float64(m.W[f.Idx]) * float64(f.Val)
	}
	return s
}

// Prob is the calibrated probability of a logit.
func (m *Model) Prob(logit float64) float64 {
	return 1 / (1 + math.Exp(-(m.CalA*logit + m.CalB)))
}

// BandOf places a calibrated probability in a band.
func (m *Model) BandOf(p float64) Band {
	switch {
	case p >= m.Handoff:
		return BandHandoff
	case p >= m.Review:
		return BandReview
	}
	return BandNone
}

// Category names the most likely category of a feature vector ("" when the
// model has no category heads).
func (m *Model) Category(fs []Feat) string {
	best, bestS := "", math.Inf(-1)
	for _, h := range m.Cats {
		s := h.Bias
		for _, f := range fs {
			s += float64(h.W[f.Idx&CatMask]) * float64(f.Val)
		}
		if s > bestS {
			best, bestS = h.Name, s
		}
	}
	return best
}

// TopGrams names the text's words and word pairs that push the escalation
// score up most, in their normalised form, joined by ", ".
func (m *Model) TopGrams(text string, n int) string {
	buf := normalize(nil, text)
	words := wordsInto(nil, buf)
	type gram struct {
		s string
		w float32
	}
	var gs []gram
	seen := map[string]bool{}
	add := func(seed uint32, b []byte) {
		s := string(b)
		if seen[s] {
			return
		}
		seen[s] = true
		if w := m.W[hash(seed, b)&Mask]; w > 0 {
			gs = append(gs, gram{s, w})
		}
	}
	for i, w := range words {
		add(nsWord, buf[w[0]:w[1]])
		if i > 0 {
			add(nsBigram, buf[words[i-1][0]:w[1]])
		}
	}
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].w > gs[j].w })
	if len(gs) > n {
		gs = gs[:n]
	}
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.s
	}
	return strings.Join(out, ", ")
}
