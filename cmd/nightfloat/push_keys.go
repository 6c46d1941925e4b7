package main

import (
	"context"
	"flag"
	"fmt"

	"nightfloat/push"
)

// runPushKeys prints a new VAPID key pair for web-push notifications, as the lines of an
// environment file. The private key is a secret: keep it in a file named by
// NIGHTFLOAT_VAPID_PRIVATE_KEY_FILE rather than in the environment where you can.
func runPushKeys(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("push-keys", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: nightfloat push-keys\n\nPrints a new VAPID key pair for web-push check-in notifications (README, \"Follow-up after a handoff\").")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	keys, err := push.GenerateKeys()
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat push-keys: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "NIGHTFLOAT_VAPID_PUBLIC_KEY=%s\nNIGHTFLOAT_VAPID_PRIVATE_KEY=%s\n", keys.Public, keys.Private)
	return 0
}
