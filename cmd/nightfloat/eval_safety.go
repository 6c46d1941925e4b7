package main

import (
	"context"

	"nightfloat/evals"
)

// runEvalSafety is `nightfloat eval safety`: the safety classifier over the labelled
// cases, offline (see docs/evals.md). The runner lives in package evals, where its tests
// are.
func runEvalSafety(ctx context.Context, e *env, args []string) int {
	return evals.SafetyCommand(ctx, args, e.stdout, e.stderr)
}
