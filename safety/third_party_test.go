package safety

import "testing"

// TestThirdParty checks the three kinds of third-party risk, each with its level, and
// that talk about patients stays clinical context.
func TestThirdParty(t *testing.T) {
	runAssessCases(t, []assessCase{
		{name: "colleague suicidal tonight", msg: "my co-resident texted me that he wants to kill himself tonight", level: Emergency, cat: ThirdPartyDanger, cssrs: 0},
		{name: "friend took pills", msg: "my friend just told me she took a bottle of pills", level: Emergency, cat: ThirdPartyDanger, cssrs: 0},
		{name: "goodbye text", msg: "my co-intern just sent me a goodbye text", level: Emergency, cat: ThirdPartyDanger, cssrs: 0},
		{name: "worry then tonight", history: []string{"my co-intern said she wants to die"}, msg: "she just texted me that it's tonight", level: Emergency, cat: ThirdPartyDanger, cssrs: 0},
		{name: "attending drunk operating", msg: "my attending came in drunk and is operating right now", level: Emergency, cat: ColleagueImpaired, cssrs: 0},
		{name: "senior about to start a line", msg: "my senior smells like alcohol and is about to start a central line", level: Emergency, cat: ColleagueImpaired, cssrs: 0},
		{name: "worry not imminent", msg: "my friend said he wants to kill himself, what do I do?", level: Concern, cat: ThirdPartyWorry, cssrs: 0},
		{name: "colleague drinking before cases", msg: "I think my attending is drinking before cases", level: Concern, cat: ThirdPartyWorry, cssrs: 0},
		{name: "drunk at a party, not at work", msg: "my attending was drunk at the party last night", level: Concern, cat: ThirdPartyWorry, cssrs: 0},
		{name: "patient suicidal tonight", msg: "my patient says he wants to kill himself tonight, who do I page?", level: None, cssrs: 0},
		{name: "patient overdose workup", msg: "my patient took a bottle of pills, what's the tox workup", level: None, cssrs: 0},
		{name: "patient drunk", msg: "the patient came in drunk and the attending is operating on him now", level: None, cssrs: 0},
	})
}

// TestEmergencyMeansImminentDanger checks that emergency is kept for imminent danger:
// fear of harming a patient through a mistake, exhaustion and an old episode that is
// over are not emergencies (issue 14, levels), while intent with a time still is.
func TestEmergencyMeansImminentDanger(t *testing.T) {
	runAssessCases(t, []assessCase{
		{name: "fear of a mistake", msg: "I'm terrified I'll kill a patient by making a mistake on nights", level: Concern, cat: Distress, cssrs: 0},
		{name: "fear of missing something", msg: "so scared i'll make a mistake and hurt someone", level: Concern, cat: Distress, cssrs: 0},
		{name: "fear of hurting a patient", msg: "I'm scared I'm going to hurt a patient", level: Urgent, cat: HarmToOthers, cssrs: 0},
		{name: "exhaustion", msg: "I'm so exhausted I could collapse", level: Concern, cat: Distress, cssrs: 0},
		{name: "old episode", msg: "I tried to kill myself in college but that's long over", level: Urgent, cat: SuicidalIdeation, cssrs: -1},
		{name: "intent with a time", msg: "I'm going to hurt my attending tonight", level: Emergency, cat: HarmToOthers, cssrs: 0},
	})
}
