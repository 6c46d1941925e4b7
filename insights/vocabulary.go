package insights

// The words of other owners' tables that insights matches in SQL or names in a report.
// insights may not import their owners (assistant and review write), so each is named once
// here, beside the owner's constant it stands for; vocabulary_test.go holds them equal.
// Levels, categories and evidence layers are not listed here: they come from nightfloat and
// safety.
const (
	handoffWaiting  = "waiting"  // assistant.HandoffWaiting
	handoffResolved = "resolved" // assistant.HandoffResolved
	authorResident  = "resident" // assistant.AuthorResident
	kindWithheld    = "withheld" // assistant.KindWithheld
	subjectMessage  = "message"  // assistant's assessments.subject of a resident message (a literal there)

	referralHandoff    = "handoff"     // assistant.ReferralHandoff
	referralUnattended = "unattended"  // assistant.ReferralUnattended
	referralResolved   = "resolved"    // assistant.ReferralResolved
	referralConcern    = "concern"     // assistant.ReferralConcern
	referralWithheld   = "withheld"    // assistant.ReferralWithheld
	referralClosed     = "closed"      // assistant.ReferralClosed
	referralFailClosed = "fail_closed" // assistant.ReferralFailClosed

	itemDone                = "done"           // review.StatusDone
	escalationMissed        = "missed"         // review.EscalationMissed
	escalationOverEscalated = "over_escalated" // review.EscalationOverEscalated
	ratingHarmful           = "harmful"        // review.RatingHarmful
	ratingUnhelpful         = "unhelpful"      // review.RatingUnhelpful
)
