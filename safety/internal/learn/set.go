package learn

import (
	"runtime"
	"sync"
)

// Example is one labelled text.
type Example struct {
	Text     string
	Escalate bool
	Category string  // for escalations: the category (may be empty)
	Weight   float32 // training weight; 0 counts as 1
}

// Set is a list of examples turned into feature vectors once, so that many
// models (one per held-out source) can be trained on subsets of it.
type Set struct {
	off []int // feature range of example i: off[i]:off[i+1]
	idx []uint32
	val []float32
	y   []bool
	w   []float32
	cat []string
}

// NewSet vectorises the examples, in parallel, in order.
func NewSet(ex []Example) *Set {
	vecs := make([][]Feat, len(ex))
	Parallel(len(ex), func(i int) { vecs[i] = Vectorize(nil, ex[i].Text) })
	s := &Set{off: make([]int, 1, len(ex)+1), y: make([]bool, len(ex)), w: make([]float32, len(ex)), cat: make([]string, len(ex))}
	n := 0
	for _, v := range vecs {
		n += len(v)
	}
	s.idx, s.val = make([]uint32, 0, n), make([]float32, 0, n)
	for i, v := range vecs {
		for _, f := range v {
			s.idx = append(s.idx, f.Idx)
			s.val = append(s.val, f.Val)
		}
		s.off = append(s.off, len(s.idx))
		s.y[i], s.cat[i] = ex[i].Escalate, ex[i].Category
		s.w[i] = ex[i].Weight
		if s.w[i] == 0 {
			s.w[i] = 1
		}
	}
	return s
}

// Parallel calls fn for every index below n, on GOMAXPROCS goroutines, and
// returns when all calls have returned.
func Parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := k; i < n; i += workers {
				fn(i)
			}
		}(k)
	}
	wg.Wait()
}

// Len is the number of examples.
func (s *Set) Len() int { return len(s.y) }

// Logit scores example i with m.
func (s *Set) Logit(m *Model, i int) float64 {
	z := m.Bias
	for k := s.off[i]; k < s.off[i+1]; k++ {
		z += float64(m.W[s.idx[k]]) * float64(s.val[k])
	}
	return z
}
