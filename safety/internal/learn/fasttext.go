package learn

import (
	"math"
	"math/rand/v2"
)

// FastText is the richer model the linear one is compared with: supervised
// embeddings in the manner of fastText. Each feature bucket has a small dense
// vector; a text is the weighted sum of its features' vectors, and a logistic
// output reads that sum. It learns which n-grams behave alike, which the
// linear model cannot.
type FastText struct {
	Dim  int
	Mask uint32
	E    []float32 // (Mask+1) × Dim
	W    []float32 // Dim
	B    float64
}

// TrainFastText fits a FastText model with Dim dimensions over 2^bits buckets
// by SGD with a linearly decaying rate, deterministically.
func TrainFastText(s *Set, use []int, dim, bits int, cfg Config) *FastText {
	n := 1 << bits
	f := &FastText{Dim: dim, Mask: uint32(n - 1), E: make([]float32, n*dim), W: make([]float32, dim)}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x51ed2701))
	for i := range f.E {
		f.E[i] = float32((rng.Float64()*2 - 1) / float64(dim))
	}
	order := make([]int, len(use))
	copy(order, use)
	h := make([]float64, dim)
	total := cfg.Epochs * len(order)
	step := 0
	for ep := 0; ep < cfg.Epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			lr := cfg.Rate * (1 - float64(step)/float64(total))
			step++
			for d := range h {
				h[d] = 0
			}
			lo, hi := s.off[i], s.off[i+1]
			for k := lo; k < hi; k++ {
				row := int(s.idx[k]&f.Mask) * dim
				v := float64(s.val[k])
				for d := 0; d < dim; d++ {
					h[d] += v * float64(f.E[row+d])
				}
			}
			z := f.B
			for d := 0; d < dim; d++ {
				z += float64(f.W[d]) * h[d]
			}
			p := 1 / (1 + math.Exp(-z))
			g := p
			if s.y[i] {
				g = p - 1
			}
			g *= float64(s.w[i]) * lr
			f.B -= g
			for k := lo; k < hi; k++ {
				row := int(s.idx[k]&f.Mask) * dim
				v := float64(s.val[k])
				for d := 0; d < dim; d++ {
					f.E[row+d] -= float32(g * v * float64(f.W[d]))
				}
			}
			for d := 0; d < dim; d++ {
				f.W[d] -= float32(g * h[d])
			}
		}
	}
	return f
}

// Logit scores example i of s.
func (f *FastText) Logit(s *Set, i int) float64 {
	z := f.B
	for d := 0; d < f.Dim; d++ {
		var h float64
		for k := s.off[i]; k < s.off[i+1]; k++ {
			h += float64(s.val[k]) * float64(f.E[int(s.idx[k]&f.Mask)*f.Dim+d])
		}
		z += float64(f.W[d]) * h
	}
	return z
}
