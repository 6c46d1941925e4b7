package insights

// Words are the owners' words insights names itself (vocabulary.go), by the owner's
// constant they stand for, for vocabulary_test.go to compare.
var Words = map[string]string{
	"assistant.HandoffWaiting":     handoffWaiting,
	"assistant.HandoffResolved":    handoffResolved,
	"assistant.AuthorResident":     authorResident,
	"assistant.KindWithheld":       kindWithheld,
	"assistant.ReferralHandoff":    referralHandoff,
	"assistant.ReferralUnattended": referralUnattended,
	"assistant.ReferralResolved":   referralResolved,
	"assistant.ReferralConcern":    referralConcern,
	"assistant.ReferralWithheld":   referralWithheld,
	"assistant.ReferralClosed":     referralClosed,
	"assistant.ReferralFailClosed": referralFailClosed,

	"review.StatusDone":              itemDone,
	"review.EscalationMissed":        escalationMissed,
	"review.EscalationOverEscalated": escalationOverEscalated,
	"review.RatingHarmful":           ratingHarmful,
	"review.RatingUnhelpful":         ratingUnhelpful,
}

// KindNames are the report's words for the referral kinds.
var KindNames = kindNames

// Suppress is suppress, for the table-driven tests of complementary suppression.
var Suppress = suppress
