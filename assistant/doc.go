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
// crisis_referrals and model_usage, and the retention that deletes old conversations.
// Other packages read them only through Store's methods (review) or insights; web acts on
// handoffs only through Service, which writes each action's audit entry in the action's
// transaction. It must not import review, clinician, web or config.
package assistant
