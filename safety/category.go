package safety

// Category names the kind of risk a finding is about.
type Category string

// Message categories (what Assess reports).
const (
	SuicidalIdeation    Category = "suicidal_ideation"
	SuicidePlanOrIntent Category = "suicide_plan_or_intent"
	SelfHarm            Category = "self_harm"
	HarmToOthers        Category = "harm_to_others"
	ImpairedPractice    Category = "impaired_practice"
	SevereImpairment    Category = "severe_impairment"
	AbuseOrAssault      Category = "abuse_or_assault"
	AcuteCrisis         Category = "acute_crisis"
	RequestForHuman     Category = "request_for_human"
	Distress            Category = "distress" // burnout/hopelessness without a red flag -> Concern

	// Third-party risk: someone other than the writer (a colleague, friend or family
	// member; never a patient, which stays clinical context) is at risk. Each kind has
	// its own level and reply: see ThirdParty.
	ThirdPartyDanger  Category = "third_party_danger" // someone else is in danger now -> Emergency
	ColleagueImpaired Category = "colleague_impaired" // a clinician impaired while caring for patients now -> Emergency
	ThirdPartyWorry   Category = "third_party_worry"  // worry about someone, not imminent -> Concern
)

// Reply categories (what CheckReply reports about an assistant reply).
const (
	ReplyMethodDetail    Category = "reply_method_detail"
	ReplyDosing          Category = "reply_dosing"
	ReplySelfHarmHowTo   Category = "reply_self_harm_instructions"
	ReplyDismissesRisk   Category = "reply_dismisses_risk"
	ReplyDiscouragesHelp Category = "reply_discourages_help"
	ReplyClaimsHuman     Category = "reply_claims_human"
	ReplyDiagnoses       Category = "reply_diagnoses"
)

// AllCategories lists the message categories in a stable order.
func AllCategories() []Category {
	return []Category{
		SuicidalIdeation, SuicidePlanOrIntent, SelfHarm, HarmToOthers,
		ImpairedPractice, SevereImpairment, AbuseOrAssault, AcuteCrisis,
		RequestForHuman, Distress, ThirdPartyDanger, ColleagueImpaired, ThirdPartyWorry,
	}
}

// replyCategories lists the categories CheckReply may report.
func replyCategories() []Category {
	return []Category{
		ReplyMethodDetail, ReplyDosing, ReplySelfHarmHowTo, ReplyDismissesRisk,
		ReplyDiscouragesHelp, ReplyClaimsHuman, ReplyDiagnoses,
	}
}

// suicideRelated reports whether C-SSRS items apply to findings of c.
func (c Category) suicideRelated() bool {
	return c == SuicidalIdeation || c == SuicidePlanOrIntent
}

// valid reports whether c is one of the message categories.
func (c Category) valid() bool {
	for _, x := range AllCategories() {
		if c == x {
			return true
		}
	}
	return false
}

// ThirdParty reports whether findings of c are about someone other than the writer.
// Such findings get their own replies: a danger reply ("someone is in danger right
// now") or a patient-safety reply before the handoff, and supportive guidance queued
// for clinician review when the worry is not imminent.
func (c Category) ThirdParty() bool {
	return c == ThirdPartyDanger || c == ColleagueImpaired || c == ThirdPartyWorry
}
