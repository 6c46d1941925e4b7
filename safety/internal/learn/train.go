package learn

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Config holds the training hyper-parameters.
type Config struct {
	Epochs int     // passes over the data
	Rate   float64 // Adagrad learning rate
	L2     float64 // L2 penalty per update on the touched weights
	Seed   uint64  // shuffling seed
}

// DefaultConfig is what the committed model is trained with.
var DefaultConfig = Config{Epochs: 4, Rate: 0.2, L2: 1e-6, Seed: 20261207}

// Train fits the escalation head and the category heads on the examples of
// s whose index is in use (all when use is nil). It is deterministic: the
// same examples, order, configuration and seed give the same weights, and the
// weights are quantised as in the model file, so a trained model scores as it
// will once saved and loaded. Calibration and bands are left for the caller.
func Train(s *Set, use []int, id string, cfg Config) *Model {
	if use == nil {
		use = make([]int, s.Len())
		for i := range use {
			use[i] = i
		}
	}
	m := &Model{ID: id, CalA: 1}
	ys := make([]bool, len(use))
	for k, i := range use {
		ys[k] = s.y[i]
	}
	m.Bias, m.W = trainLR(s, use, ys, Buckets, Mask, cfg)
	// category heads: one-vs-rest over the escalations with a category
	var pos []int
	names := map[string]bool{}
	for _, i := range use {
		if s.y[i] && s.cat[i] != "" {
			pos = append(pos, i)
			names[s.cat[i]] = true
		}
	}
	var cats []string
	for c := range names {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		ys := make([]bool, len(pos))
		for k, i := range pos {
			ys[k] = s.cat[i] == c
		}
		h := CatHead{Name: c}
		h.Bias, h.W = trainLR(s, pos, ys, 1<<CatBits, CatMask, cfg)
		m.Cats = append(m.Cats, h)
	}
	return quantised(m)
}

// quantised round-trips m through the file format.
func quantised(m *Model) *Model {
	b, err := m.MarshalBinary()
	if err != nil {
		panic(err)
	}
	out, err := Parse(b)
	if err != nil {
		panic(err)
	}
	return out
}

// trainLR fits weighted, L2-regularised logistic regression by Adagrad SGD.
// Arithmetic is written with explicit conversions so that no fused
// multiply-add changes the result between architectures.
func trainLR(s *Set, use []int, ys []bool, size int, mask uint32, cfg Config) (float64, []float32) {
	w := make([]float64, size)
	g2 := make([]float64, size)
	var bias, gb float64
	order := make([]int, len(use))
	for k := range order {
		order[k] = k
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	const eps = 1e-8
	for ep := 0; ep < cfg.Epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			i := use[k]
			lo, hi := s.off[i], s.off[i+1]
			z := bias
			for f := lo; f < hi; f++ {
				z = float64(z + float64(w[s.idx[f]&mask]*float64(s.val[f])))
			}
			p := 1 / (1 + math.Exp(-z))
			g := p
			if ys[k] {
				g = float64(p - 1)
			}
			g = float64(g * float64(s.w[i]))
			gb = float64(gb + float64(g*g))
			bias = float64(bias - float64(cfg.Rate*g)/(math.Sqrt(gb)+eps))
			for f := lo; f < hi; f++ {
				j := s.idx[f] & mask
				gj := float64(float64(g*float64(s.val[f])) + float64(cfg.L2*w[j]))
				g2[j] = float64(g2[j] + float64(gj*gj))
				w[j] = float64(w[j] - float64(cfg.Rate*gj)/(math.Sqrt(g2[j])+eps))
			}
		}
	}
	out := make([]float32, size)
	for i, x := range w {
		out[i] = float32(x)
	}
	return bias, out
}

// Calibrate fits Platt scaling, probability = sigmoid(a*logit + b), to
// logits and labels by weighted Newton iterations, and returns a and b. When
// the scores separate the labels completely, plain maximum likelihood has no
// finite answer; the fit then uses Platt's smoothed targets ((n+ + 1)/(n+ + 2)
// for positives, 1/(n- + 2) for negatives), which keep a and b finite.
func Calibrate(logits []float64, ys []bool, ws []float64) (a, b float64) {
	hi, lo := 1.0, 0.0
	if a, b, ok := platt(logits, ys, ws, hi, lo); ok {
		return a, b
	}
	var np, nn float64
	for i := range ys {
		if ys[i] {
			np += ws[i]
		} else {
			nn += ws[i]
		}
	}
	hi, lo = (np+1)/(np+2), 1/(nn+2)
	a, b, _ = platt(logits, ys, ws, hi, lo)
	return a, b
}

// platt runs the Newton iterations with targets hi (positives) and lo
// (negatives); ok is false when the fit does not converge to a finite, sensible answer.
func platt(logits []float64, ys []bool, ws []float64, hi, lo float64) (a, b float64, ok bool) {
	a, b = 1, 0
	converged := false
	for it := 0; it < 100; it++ {
		var ga, gb, haa, hab, hbb float64
		for i, z := range logits {
			p := 1 / (1 + math.Exp(-(a*z + b)))
			t := lo
			if ys[i] {
				t = hi
			}
			w := ws[i]
			d := (p - t) * w
			ga += d * z
			gb += d
			h := p * (1 - p) * w
			haa += h * z * z
			hab += h * z
			hbb += h
		}
		haa += 1e-9
		hbb += 1e-9
		det := haa*hbb - hab*hab
		if det == 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		// damp large steps so that a flat likelihood cannot throw the fit far away
		if m := math.Max(math.Abs(da), math.Abs(db)); m > 5 {
			da, db = da*5/m, db*5/m
		}
		a -= da
		b -= db
		if math.Abs(da) < 1e-9 && math.Abs(db) < 1e-9 {
			converged = true
			break
		}
	}
	ok = converged && !math.IsNaN(a) && !math.IsNaN(b) && a > 0 && a < 1e3 && math.Abs(b) < 1e3
	return a, b, ok
}
