// Package learn is the safety classifier's learned layer: text features, the
// model (an escalation head with calibration and two thresholds, and one head
// per category), its file format, and deterministic training. Package safety
// wraps a Model as a Layer; the training command (safety/internal/train)
// reads the external corpus and the project's cases and writes the weights.
//
// Nothing here knows about rules, levels or conversations: a Model maps one
// text to a calibrated probability that it should escalate, a band, and the
// name of the most likely category.
package learn
