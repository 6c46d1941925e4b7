package screening

import "cmp"

// Compare orders results for the counsellor's queue, most pressing first: the higher
// Level first, then a positive screen before a negative one, then the larger share of the
// instrument's range of totals. It returns a negative number when a comes before b, a
// positive one when after, and 0 when neither is more pressing; it suits slices.SortFunc.
func Compare(a, b Result) int {
	if c := cmp.Compare(b.Level, a.Level); c != 0 {
		return c
	}
	if a.Positive != b.Positive {
		if a.Positive {
			return -1
		}
		return 1
	}
	// (a.Total-a.Min)/(a.Max-a.Min) against the same for b, without division.
	return cmp.Compare((b.Total-b.Min)*span(a), (a.Total-a.Min)*span(b))
}

// span is the width of a result's range of totals, at least 1.
func span(r Result) int { return max(r.Max-r.Min, 1) }
