//go:build !race

package safety

// raceSlowdown scales latency budgets: the race detector slows code 10-50x.
const raceSlowdown = 1
