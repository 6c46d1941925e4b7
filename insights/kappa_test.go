package insights

import (
	"math"
	"testing"
)

func pairs(counts map[[2]string]int) [][2]string {
	var out [][2]string
	for p, n := range counts {
		for range n {
			out = append(out, p)
		}
	}
	return out
}

// The textbook 2x2 example: 50 items, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
// Observed 0.7, expected 0.5*0.6 + 0.5*0.4 = 0.5, kappa 0.4.
func TestKappaTextbook(t *testing.T) {
	k := CohenKappa(pairs(map[[2]string]int{{"yes", "yes"}: 20, {"yes", "no"}: 5, {"no", "yes"}: 10, {"no", "no"}: 15}))
	if !k.Defined || k.N != 50 {
		t.Fatalf("kappa %+v: want defined over 50 items", k)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"observed", k.Observed, 0.7}, {"expected", k.Expected, 0.5}, {"kappa", k.Kappa, 0.4}} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestKappaEdges(t *testing.T) {
	if k := CohenKappa(nil); k.Defined || k.N != 0 {
		t.Errorf("no pairs: %+v, want undefined", k)
	}
	// Both raters always say the same single label: chance agreement is 1, kappa undefined.
	if k := CohenKappa(pairs(map[[2]string]int{{"appropriate", "appropriate"}: 7})); k.Defined {
		t.Errorf("one label only: %+v, want undefined", k)
	}
	// Perfect agreement over several labels is 1; systematic disagreement is negative.
	if k := CohenKappa(pairs(map[[2]string]int{{"missed", "missed"}: 3, {"appropriate", "appropriate"}: 5, {"n/a", "n/a"}: 2})); !k.Defined || math.Abs(k.Kappa-1) > 1e-12 {
		t.Errorf("perfect agreement: %+v, want 1", k)
	}
	if k := CohenKappa(pairs(map[[2]string]int{{"missed", "appropriate"}: 5, {"appropriate", "missed"}: 5})); !k.Defined || k.Kappa >= 0 {
		t.Errorf("total disagreement: %+v, want negative", k)
	}
}
