package main

import (
	"context"

	"nightfloat/evals"
)

// runEvalSources is `nightfloat eval sources`: leave-one-source-out
// generalisation of the safety classifier (see docs/sources.md). The runner
// lives in package evals.
func runEvalSources(ctx context.Context, e *env, args []string) int {
	return evals.SourcesCommand(ctx, args, e.stdout, e.stderr)
}
