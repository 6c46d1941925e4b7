package safety

import (
	"math"
	"math/rand/v2"
)

// StatExample is one labelled case for TrainStat.
type StatExample struct {
	History  []Turn
	Message  string
	Escalate bool
	Category Category // for escalations: the category the case is about (may be empty)
}

// StatTrainConfig holds the training hyper-parameters.
type StatTrainConfig struct {
	Epochs int     // passes over the data
	Rate   float64 // Adagrad learning rate
	L2     float64 // L2 penalty per update on the touched weights
	Seed   uint64  // shuffling seed
}

// DefaultStatTrainConfig is what the committed model is trained with.
var DefaultStatTrainConfig = StatTrainConfig{Epochs: 20, Rate: 0.1, L2: 1e-5, Seed: 20261122}

// StatVectors are examples turned into feature vectors, so that training
// several models on subsets of the same data (cross-validation) hashes once.
type StatVectors struct {
	feats [][]statFeat
	y     []bool
	cat   []Category
}

// VectorizeStat computes the feature vectors of examples.
func VectorizeStat(ex []StatExample) *StatVectors {
	v := &StatVectors{feats: make([][]statFeat, len(ex)), y: make([]bool, len(ex)), cat: make([]Category, len(ex))}
	for i, e := range ex {
		sv := statVectorize(e.History, e.Message)
		v.feats[i] = append([]statFeat(nil), sv.feats...)
		sv.release()
		v.y[i], v.cat[i] = e.Escalate, e.Category
	}
	return v
}

// TrainStat trains a model on the examples whose index is in use (all when
// use is nil). Training is deterministic: the same data, configuration and
// seed give the same weights. The weights are quantised as in the model
// file, so a trained model scores exactly as it will once saved and loaded.
// The threshold is left at 0 (probability 1/2); the caller chooses it.
func TrainStat(v *StatVectors, use []int, cfg StatTrainConfig) *StatModel {
	if use == nil {
		use = make([]int, len(v.y))
		for i := range use {
			use[i] = i
		}
	}
	m := &StatModel{id: StatModelID, histW: statHistWeight}
	ys := make([]bool, len(use))
	for k, i := range use {
		ys[k] = v.y[i]
	}
	m.bias, m.w = trainLR(v, use, ys, statBuckets, statMask, cfg)
	// category heads: one-vs-rest over the escalations with a category
	var pos []int
	for _, i := range use {
		if v.y[i] && v.cat[i] != "" {
			pos = append(pos, i)
		}
	}
	for _, c := range AllCategories() {
		ys := make([]bool, len(pos))
		any := false
		for k, i := range pos {
			ys[k] = v.cat[i] == c
			any = any || ys[k]
		}
		if !any {
			continue
		}
		h := statCatHead{cat: c}
		h.bias, h.w = trainLR(v, pos, ys, 1<<statCatBits, statCatMask, cfg)
		m.cats = append(m.cats, h)
	}
	// round-trip through the file format so in-memory and loaded models agree
	b, _ := m.MarshalBinary()
	out, err := ParseStatModel(b)
	if err != nil {
		panic(err)
	}
	return out
}

// trainLR fits L2-regularised logistic regression by Adagrad SGD.
// Arithmetic is written with explicit conversions so that no fused
// multiply-add changes the result between architectures.
func trainLR(v *StatVectors, use []int, ys []bool, size int, mask uint32, cfg StatTrainConfig) (float64, []float32) {
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
			fs := v.feats[use[k]]
			z := bias
			for _, f := range fs {
				z = float64(z + float64(w[f.idx&mask]*float64(f.val)))
			}
			p := 1 / (1 + math.Exp(-z))
			g := p
			if ys[k] {
				g = float64(p - 1)
			}
			gb = float64(gb + float64(g*g))
			bias = float64(bias - float64(cfg.Rate*g)/(math.Sqrt(gb)+eps))
			for _, f := range fs {
				i := f.idx & mask
				gi := float64(float64(g*float64(f.val)) + float64(cfg.L2*w[i]))
				g2[i] = float64(g2[i] + float64(gi*gi))
				w[i] = float64(w[i] - float64(cfg.Rate*gi)/(math.Sqrt(g2[i])+eps))
			}
		}
	}
	out := make([]float32, size)
	for i, x := range w {
		out[i] = float32(x)
	}
	return bias, out
}

// Score returns the logit of example i under m (for cross-validation).
func (v *StatVectors) Score(m *StatModel, i int) float64 { return m.logit(v.feats[i]) }

// Len is the number of examples.
func (v *StatVectors) Len() int { return len(v.y) }

// StatMaxWeightDiff returns the largest difference, in quanta of a's scale,
// between the escalation-head weights of two models.
func StatMaxWeightDiff(a, b *StatModel) int {
	scale := 0.0
	for _, x := range a.w {
		scale = math.Max(scale, math.Abs(float64(x)))
	}
	scale /= 32767
	if scale == 0 {
		scale = 1
	}
	d := 0.0
	for i := range a.w {
		d = math.Max(d, math.Abs(float64(a.w[i])-float64(b.w[i]))/scale)
	}
	return int(math.Round(d))
}
