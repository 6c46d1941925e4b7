package main

import (
	"context"
	"fmt"

	"nightfloat/evals"
)

// runEvalSafety is `nightfloat eval safety`: the safety classifier over the labelled
// cases, offline (see docs/evals.md). The runner lives in package evals, where its tests
// are.
func runEvalSafety(ctx context.Context, e *env, args []string) int {
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	layer, err := newSafetyModelLayer(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat eval safety: %v\n", err)
		return 2
	}
	return evals.SafetyCommand(ctx, args, e.stdout, e.stderr, layer)
}
