package evals

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"
)

// Rate is a proportion in [0, 1]. It is NaN when there is nothing to divide by, and
// NaN is written to JSON as null (and read back from null), so a report never claims
// a recall of 0 or 1 for an empty set of cases.
type Rate float64

// ratio returns k/n, or NaN when n is 0.
func ratio(k, n int) Rate {
	if n == 0 {
		return Rate(math.NaN())
	}
	return Rate(float64(k) / float64(n))
}

// Defined reports whether the rate has a value (it had cases to count).
func (r Rate) Defined() bool { return !math.IsNaN(float64(r)) }

// MarshalJSON writes the rate rounded to 6 decimals, or null when undefined.
func (r Rate) MarshalJSON() ([]byte, error) {
	if !r.Defined() || math.IsInf(float64(r), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, round6(float64(r)), 'f', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as undefined.
func (r *Rate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*r = Rate(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*r = Rate(f)
	return nil
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// Interval is a two-sided confidence interval [lo, hi] on a proportion.
type Interval [2]Rate

// wilson returns the 95% Wilson score interval for k successes out of n trials. Unlike
// the normal approximation it stays inside [0, 1] and is informative at k = n (a recall
// of 1.0 on 30 cases still has a lower bound near 0.89). For n = 0 it is [0, 1]: no
// data, no information.
func wilson(k, n int) Interval {
	if n == 0 {
		return Interval{0, 1}
	}
	const z = 1.959963984540054 // two-sided 95%
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	lo, hi := centre-half, centre+half
	// Exact at the boundaries (the formula gives 1e-17 noise there).
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return Interval{Rate(math.Max(0, lo)), Rate(math.Min(1, hi))}
}

// LatencyStats summarises per-case classification time in milliseconds.
type LatencyStats struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// latencyStats computes nearest-rank percentiles of the durations.
func latencyStats(ds []time.Duration) LatencyStats {
	if len(ds) == 0 {
		return LatencyStats{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return LatencyStats{
		P50:  ms(percentile(s, 0.50)),
		P90:  ms(percentile(s, 0.90)),
		P99:  ms(percentile(s, 0.99)),
		Max:  ms(s[len(s)-1]),
		Mean: ms(sum / time.Duration(len(s))),
	}
}

// percentile is the nearest-rank percentile of sorted durations: the smallest value
// with at least q of the values at or below it.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

// ms converts a duration to milliseconds, rounded to the microsecond.
func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

// HistogramBin is one bar of a latency histogram: cases that took [From, To) ms.
type HistogramBin struct {
	FromMS float64 `json:"from_ms"`
	ToMS   float64 `json:"to_ms"`
	Count  int     `json:"count"`
}

// latencyHistogram buckets durations on a logarithmic scale (three bins per decade, from
// 1 µs), so fast rules and a slow model layer both read well on one chart. Empty bins at
// either end are dropped.
func latencyHistogram(ds []time.Duration) []HistogramBin {
	if len(ds) == 0 {
		return nil
	}
	edges := []float64{0}
	for e := 0.001; e < 1e6; e *= math.Pow(10, 1.0/3) {
		edges = append(edges, math.Round(e*1e6)/1e6)
	}
	edges = append(edges, math.Inf(1))
	bins := make([]HistogramBin, len(edges)-1)
	for i := range bins {
		bins[i] = HistogramBin{FromMS: edges[i], ToMS: edges[i+1]}
	}
	for _, d := range ds {
		v := float64(d) / float64(time.Millisecond)
		i := sort.Search(len(edges), func(i int) bool { return edges[i] > v }) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(bins) {
			i = len(bins) - 1
		}
		bins[i].Count++
	}
	lo, hi := 0, len(bins)-1
	for lo < hi && bins[lo].Count == 0 {
		lo++
	}
	for hi > lo && bins[hi].Count == 0 {
		hi--
	}
	out := bins[lo : hi+1]
	if math.IsInf(out[len(out)-1].ToMS, 1) {
		out[len(out)-1].ToMS = out[len(out)-1].FromMS * 2
	}
	return out
}
