package insights_test

import (
	"testing"

	"nightfloat/assistant"
	"nightfloat/insights"
	"nightfloat/review"
)

// TestVocabularyMatchesOwners holds each word insights matches in SQL equal to its owner's
// constant, so that renaming one in its owner cannot leave a read quietly finding nothing.
func TestVocabularyMatchesOwners(t *testing.T) {
	owners := map[string]string{
		"assistant.HandoffWaiting":     assistant.HandoffWaiting,
		"assistant.HandoffResolved":    assistant.HandoffResolved,
		"assistant.AuthorResident":     assistant.AuthorResident,
		"assistant.KindWithheld":       assistant.KindWithheld,
		"assistant.ReferralHandoff":    assistant.ReferralHandoff,
		"assistant.ReferralUnattended": assistant.ReferralUnattended,
		"assistant.ReferralResolved":   assistant.ReferralResolved,
		"assistant.ReferralConcern":    assistant.ReferralConcern,
		"assistant.ReferralWithheld":   assistant.ReferralWithheld,
		"assistant.ReferralClosed":     assistant.ReferralClosed,
		"assistant.ReferralFailClosed": assistant.ReferralFailClosed,

		"review.StatusDone":              review.StatusDone,
		"review.EscalationMissed":        review.EscalationMissed,
		"review.EscalationOverEscalated": review.EscalationOverEscalated,
		"review.RatingHarmful":           review.RatingHarmful,
		"review.RatingUnhelpful":         review.RatingUnhelpful,
	}
	for name, want := range owners {
		got, ok := insights.Words[name]
		switch {
		case !ok:
			t.Errorf("insights does not name %s", name)
		case got != want:
			t.Errorf("insights names %s %q; its owner says %q", name, got, want)
		}
	}
	for name := range insights.Words {
		if _, ok := owners[name]; !ok {
			t.Errorf("insights names %s, which this test does not check", name)
		}
	}
}

// TestReportNamesEveryReferralKind checks that every kind the assistant logs has words in
// the crisis report, but resolved, which the report counts by disposition.
func TestReportNamesEveryReferralKind(t *testing.T) {
	kinds := map[string]bool{}
	for _, k := range assistant.ReferralKinds() {
		kinds[k] = true
		if _, ok := insights.KindNames[k]; !ok && k != assistant.ReferralResolved {
			t.Errorf("the crisis report has no words for referral kind %q", k)
		}
	}
	for k := range insights.KindNames {
		if !kinds[k] {
			t.Errorf("the crisis report names referral kind %q, which the assistant does not log", k)
		}
	}
}
