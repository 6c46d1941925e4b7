// Package assistant owns conversations and the turn pipeline:
//
//	resident message → persist → safety check → retrieval → responder → output check → persist → stream
//
// and the state a conversation is in (the AI answering, or a clinician handoff open).
// Every resident message is committed before it is acknowledged or processed, and every
// failure in a turn fails closed: the resident gets crisis resources and a clear message,
// never an unchecked reply.
//
// It owns the tables conversations, messages, assessments, handoffs, conversation_risk,
// crisis_referrals, model_usage, screens and checkins, and the retention that deletes old
// conversations. A screen (a questionnaire from package screening) is kept here, not in
// screening, because storing it is one transaction with assistant's own rows: the message
// that tells the resident the result, the risk state it raises and the handoff PHQ-9 item 9
// opens; the counsellor's reply to it is a message. A check-in (follow-up after a handoff,
// service_checkins.go) is written in the resolve's transaction. A resident's safety plan and
// exercises are kept by package selfhelp, inside the transaction of the message that
// records each save, after their text is judged like a message (service_forms.go).
// Other packages read them only through Store's read methods (review) or insights. web
// goes through Service, which does not hand out its Store: a clinician's claim, message or
// resolve is written in one transaction with its audit entry (Deps.Audit), or not at all.
// It must not import review, clinician, web or config.
package assistant
