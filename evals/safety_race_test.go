//go:build race

package evals

// raceEnabled: the race detector slows the classifier several times over, so timing
// budgets are checked only without it.
const raceEnabled = true
