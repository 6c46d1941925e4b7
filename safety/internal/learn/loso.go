package learn

import (
	"math"
	"runtime"
	"sort"
	"sync"
)

// Labelled is one example with where it came from and whether the rules
// alone already hand it off.
type Labelled struct {
	Example
	Source string
	Genre  string
	Rules  bool
}

// HandedOff reports whether the whole classifier hands the example off: the rules
// do, or the learned layer's calibrated probability p reaches the handoff band.
func (l Labelled) HandedOff(p, handoff float64) bool { return l.Rules || p >= handoff }

// Balance says how examples are weighted so that no source dominates: each
// (source, label) group larger than Cap is subsampled to about Cap examples
// (deterministically, by a hash of the text); a smaller group is weighted up
// by Cap/size, at most Boost times. Source multiplies the weights of a named
// source's examples.
type Balance struct {
	Cap    float64
	Boost  float64
	Source map[string]float64
}

// DefaultBalance is what the committed model is trained with. The project's
// own cases are weighted up: they are the voice the product serves, and its
// hard negatives (idioms, clinical talk, someone else's risk) are rare in the
// public sources.
var DefaultBalance = Balance{Cap: 3000, Boost: 4, Source: map[string]float64{"nightfloat-cases": 5}}

// Weigh sets each example's weight and reports which examples are trained on.
func (b Balance) Weigh(items []Labelled) (ex []Example, train []bool) {
	type key struct {
		src string
		esc bool
	}
	n := map[key]int{}
	for _, it := range items {
		n[key{it.Source, it.Escalate}]++
	}
	ex = make([]Example, len(items))
	train = make([]bool, len(items))
	for i, it := range items {
		g := float64(n[key{it.Source, it.Escalate}])
		w := 1.0
		if g > b.Cap {
			train[i] = float64(fnv32(it.Text)%1000000)/1e6 < b.Cap/g
		} else {
			train[i] = true
			w = math.Min(b.Boost, b.Cap/g)
		}
		if m, ok := b.Source[it.Source]; ok {
			w *= m
		}
		ex[i] = it.Example
		ex[i].Weight = float32(w)
	}
	return ex, train
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// Sources lists the distinct sources of items, sorted.
func Sources(items []Labelled) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if !seen[it.Source] {
			seen[it.Source] = true
			out = append(out, it.Source)
		}
	}
	sort.Strings(out)
	return out
}

// LeaveOneSourceOut trains one linear model per source on every other source
// and returns each example's logit under the model that did not see its
// source. progress, when not nil, is called after each source. Folds run in
// parallel; the result does not depend on their order.
func LeaveOneSourceOut(s *Set, items []Labelled, train []bool, cfg Config, progress func(source string)) []float64 {
	return LeaveOneSourceOutWith(s, items, train, func(use []int) func(i int) float64 {
		m := Train(s, use, "fold", cfg)
		return func(i int) float64 { return s.Logit(m, i) }
	}, progress)
}

// LeaveOneSourceOutWith is LeaveOneSourceOut with any learner: fit trains on
// the examples in use and returns a scorer of example indices.
func LeaveOneSourceOutWith(s *Set, items []Labelled, train []bool, fit func(use []int) func(i int) float64, progress func(source string)) []float64 {
	logits := make([]float64, len(items))
	sources := Sources(items)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var mu sync.Mutex
	for _, src := range sources {
		wg.Add(1)
		go func(src string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var use []int
			for i, it := range items {
				if it.Source != src && train[i] {
					use = append(use, i)
				}
			}
			score := fit(use)
			for i, it := range items {
				if it.Source == src {
					logits[i] = score(i)
				}
			}
			if progress != nil {
				mu.Lock()
				progress(src)
				mu.Unlock()
			}
		}(src)
	}
	wg.Wait()
	return logits
}
