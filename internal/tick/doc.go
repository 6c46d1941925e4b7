// Package tick runs the service's periodic work: the handoff, screen and check-in watches,
// turn recovery and lease renewal, duty expiry, review sampling, report batches and the
// console's refreshes. Each was the same ticker loop written again.
//
// It owns nothing and imports nothing of the module.
package tick
