// Package pulse is what a resident tells the programme, as opposed to the assistant: the
// weekly one-tap check-in and the reports to leadership (mistreatment, duty-hour
// violations, unsafe staffing). It owns pulse_checkins, leadership_reports and
// leadership_report_batches.
//
// It is its own owner, not assistant, because neither is part of a conversation's
// transcript: nothing here is shown back in the chat, to on-call clinicians or to
// reviewers, and the two follow privacy rules of their own. A check-in is kept against the
// conversation (so that it is asked at most once per ISO week) but only ever read as a
// suppressed weekly aggregate, by insights. A report is stored redacted (redact.Text),
// with no link to the conversation that sent it, and stays unreleased until Release puts
// it in a batch: at least MinBatch reports that have each waited at least Delay, all
// released at the batch's time, so that neither a single report nor its timing can point
// at its sender. Leadership reads released batches only (Released).
//
// It may import nightfloat, postgres and redact.
package pulse
