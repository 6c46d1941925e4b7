// Package screening owns the validated questionnaires a resident can fill in on the
// screening page and their deterministic scoring:
//
//   - PHQ-9 (depression; Kroenke, Spitzer & Williams 2001) with its unscored
//     functional-difficulty question;
//   - GAD-7 (anxiety; Spitzer, Kroenke, Williams & Löwe 2006);
//   - the single-item burnout measure of the Physician Worklife Study (Rohland, Kruse &
//     Rohrer 2004; Dolan et al. 2015).
//
// Each Instrument carries its published wording, response options, severity bands,
// licence statement and the sources every fact was checked against (docs/instruments.md
// lists them too). Score turns a resident's Responses into a Result: total, band, whether
// the screen is positive, and a nightfloat.Level. An answer above 0 to PHQ-9 item 9 raises
// the level to nightfloat.LevelUrgent so the caller opens a handoff at once; SafetyLevel
// computes that from any answers, complete or not, so an incomplete or invalid screen never
// hides it. Incomplete screens are refused, never scored with missing answers as 0.
//
// Meaning says what a result's band means in plain words, and Instrument.Version names the
// wording and scoring a screen was answered with (a hash of them), for storage.
//
// The package is pure: no I/O, no state. The screens residents fill in are stored by
// assistant (table screens), in the transaction that also raises the conversation's risk
// state and opens a handoff when item 9 asks for one. None of this content has had a
// clinical review.
package screening
