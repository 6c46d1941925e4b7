//go:build race

package safety

// raceSlowdown scales latency budgets: the race detector slows code 10-50x.
const raceSlowdown = 100

// corpusStride: see race_off_test.go.
const corpusStride = 10
