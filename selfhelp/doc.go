// Package selfhelp owns the shapes of what a resident writes for themselves: a safety plan
// they keep, and two guided exercises from cognitive behavioural therapy, a thought record
// and behavioural-activation steps.
//
// For each it gives the guided steps (Steps: titles, prompts and help written by the
// project, in plain words for a tired resident on a phone), validation that returns the
// text as it will be kept or a *nightfloat.Error of CodeInvalid naming the field, and
// Fields, which lists every free-text field with a stable path ("warning_signs[2]",
// "situation") so the caller can run each one through the safety classifier. A red flag in
// any field must hand off like any message; this package only shapes and checks the text.
//
// The safety plan's six steps follow the structure of the Safety Planning Intervention
// (Stanley & Brown 2012), with a seventh, reasons to keep going, asked for in issue 19; the
// wording is the project's own, not the Stanley-Brown template's. docs/instruments.md gives
// the evidence base. None of this content has had a clinical review.
//
// Decode reads a form's answers as a page sends them and returns them as they will be kept.
//
// It owns the table selfhelp_forms (Store): each form as its JSON answers, under the
// conversation's id only, deleted with the conversation. Store's ...In methods run inside
// the transaction of the conversation's owner, package assistant, which records every save
// as a message and judges its text (assistant/service_forms.go); nothing else writes it.
// Everything else here is pure: no I/O, no state.
package selfhelp
