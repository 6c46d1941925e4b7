package learn

import "sort"

// Figures are one source's counts under a verdict.
type Figures struct {
	Source      string
	Positives   int // labelled escalate
	Caught      int // escalate rows handed off
	Negatives   int // labelled no_escalate
	FalseEsc    int // no_escalate rows handed off
	Review      int // no_escalate rows in the review band (not handed off)
	RulesCaught int // escalate rows the rules alone hand off
	RulesFalse  int // no_escalate rows the rules alone hand off
}

// Recall is Caught/Positives, or -1 without positives.
func (f Figures) Recall() float64 {
	if f.Positives == 0 {
		return -1
	}
	return float64(f.Caught) / float64(f.Positives)
}

// FalseRate is FalseEsc/Negatives, or -1 without negatives.
func (f Figures) FalseRate() float64 {
	if f.Negatives == 0 {
		return -1
	}
	return float64(f.FalseEsc) / float64(f.Negatives)
}

// Tally counts, per source, the verdict "the rules hand off, or the model's
// probability is at or above handoff"; review counts negatives at or above
// review that are not handed off.
func Tally(items []Labelled, prob []float64, handoff, review float64) []Figures {
	by := map[string]*Figures{}
	for i, it := range items {
		f := by[it.Source]
		if f == nil {
			f = &Figures{Source: it.Source}
			by[it.Source] = f
		}
		hit := it.HandedOff(prob[i], handoff)
		if it.Escalate {
			f.Positives++
			if hit {
				f.Caught++
			}
			if it.Rules {
				f.RulesCaught++
			}
		} else {
			f.Negatives++
			if hit {
				f.FalseEsc++
			} else if prob[i] >= review {
				f.Review++
			}
			if it.Rules {
				f.RulesFalse++
			}
		}
	}
	out := make([]Figures, 0, len(by))
	for _, f := range by {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

// Macro averages recall over the sources with positives and the false rate
// over the sources with negatives.
func Macro(fs []Figures) (recall, falseRate float64) {
	var nr, nf int
	for _, f := range fs {
		if r := f.Recall(); r >= 0 {
			recall += r
			nr++
		}
		if x := f.FalseRate(); x >= 0 {
			falseRate += x
			nf++
		}
	}
	if nr > 0 {
		recall /= float64(nr)
	}
	if nf > 0 {
		falseRate /= float64(nf)
	}
	return recall, falseRate
}

// Targets bound the thresholds chosen by ChooseBands. Per-source bounds apply to
// one source's own out-of-source figures.
type Targets struct {
	MaxMacroFalse  float64            // the handoff band: macro false rate at most this
	MaxReviewFalse float64            // the review band: macro rate of negatives reaching review or handoff at most this
	SourceFalse    map[string]float64 // the handoff band: these sources' false rates at most this
	SourceReview   map[string]float64 // the review band: these sources' rates of negatives reaching review or handoff at most this
}

// DefaultTargets is what the committed model's bands are chosen with. The
// project's own cases, the voice the product serves, are held to the bound
// set for everyday conversation: a resident's plain question must not come
// back with a crisis block.
var DefaultTargets = Targets{
	MaxMacroFalse: 0.05, MaxReviewFalse: 0.08,
	SourceFalse:  map[string]float64{"nightfloat-cases": 0.03},
	SourceReview: map[string]float64{"nightfloat-cases": 0.05},
}

// ChooseBands picks, on leave-one-source-out probabilities, the lowest handoff
// threshold whose whole verdict (rules or model) keeps the macro false rate and
// the named sources' false rates within the targets, and the lowest review
// threshold at or below it whose rates of negatives reaching review or handoff
// (macro, and the named sources') stay within theirs.
func ChooseBands(items []Labelled, prob []float64, t Targets) (handoff, review float64) {
	grid := make([]float64, 0, 199)
	for k := 1; k < 200; k++ {
		grid = append(grid, float64(k)/200)
	}
	handoff = 1
	for _, h := range grid {
		fs := Tally(items, prob, h, 1)
		if _, f := Macro(fs); f <= t.MaxMacroFalse && within(fs, t.SourceFalse, false) {
			handoff = h
			break
		}
	}
	review = handoff
	for _, r := range grid {
		if r > handoff {
			break
		}
		fs := Tally(items, prob, handoff, r)
		var sum float64
		var n int
		for _, f := range fs {
			if f.Negatives > 0 {
				sum += reached(f)
				n++
			}
		}
		if n > 0 && sum/float64(n) <= t.MaxReviewFalse && within(fs, t.SourceReview, true) {
			review = r
			break
		}
	}
	return handoff, review
}

// reached is the share of a source's negatives handed off or in the review band.
func reached(f Figures) float64 {
	return float64(f.FalseEsc+f.Review) / float64(f.Negatives)
}

// within reports whether every named source's rate (false escalations, or
// with review also the review band) is within its bound.
func within(fs []Figures, bounds map[string]float64, review bool) bool {
	for _, f := range fs {
		b, ok := bounds[f.Source]
		if !ok || f.Negatives == 0 {
			continue
		}
		rate := f.FalseRate()
		if review {
			rate = reached(f)
		}
		if rate > b {
			return false
		}
	}
	return true
}
