//go:build !race

package safety

// raceSlowdown scales latency budgets: the race detector slows code 10-50x.
const raceSlowdown = 1

// corpusStride: the anchored-matching equivalence test checks every corpus
// text without the race detector (scripts/test.sh runs it so) and every
// tenth with it, where the plain regexp searches it compares against are
// ~15x slower.
const corpusStride = 1
