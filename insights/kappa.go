package insights

// Kappa is Cohen's kappa for two raters over the same items.
type Kappa struct {
	Kappa    float64 // undefined (0) when !Defined
	Observed float64 // share of items the raters agreed on
	Expected float64 // agreement expected by chance from each rater's marginals
	N        int     // items rated by both
	Defined  bool    // false with no items, or when chance agreement is 1 (both raters used one label only)
}

// CohenKappa computes kappa from pairs of labels (rater A's, rater B's) for the same items.
// Labels are compared as strings; any number of categories is allowed.
func CohenKappa(pairs [][2]string) Kappa {
	k := Kappa{N: len(pairs)}
	if k.N == 0 {
		return k
	}
	a, b := map[string]int{}, map[string]int{}
	agree := 0
	for _, p := range pairs {
		a[p[0]]++
		b[p[1]]++
		if p[0] == p[1] {
			agree++
		}
	}
	n := float64(k.N)
	k.Observed = float64(agree) / n
	for label, na := range a {
		k.Expected += float64(na) / n * float64(b[label]) / n
	}
	if k.Expected >= 1 {
		return k
	}
	k.Kappa = (k.Observed - k.Expected) / (1 - k.Expected)
	k.Defined = true
	return k
}
