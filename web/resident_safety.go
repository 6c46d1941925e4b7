package web

import (
	"fmt"
	"net/http"
	"time"

	"nightfloat/assistant"
	"nightfloat/safety"
)

// SafetyInfo is what the public /safety page states about this deployment. serve fills it
// from the running configuration, so the page never promises what the service is not set
// up to do.
type SafetyInfo struct {
	DisclosureEvery   time.Duration // how often the "this is an AI" disclosure is repeated (at most 3h)
	RetentionDays     int           // conversations are deleted this many days after their last message; 0: no automatic deletion is configured
	PagerConfigured   bool          // a paging system is alerted on every handoff
	HandoffReAlert    time.Duration // an unclaimed handoff is re-alerted this often
	HandoffUnattended time.Duration // the resident is told plainly when nobody has joined after this long
	// Processors names each outside service that receives message text in order to do its
	// job, such as "the language model endpoint at api.openai.com"; empty when everything
	// runs on the institution's own servers (the default vetted responder and local search).
	Processors []string
	// ImpairedPracticePolicy says what happens when a conversation shows impaired practice
	// that endangers patients. Empty: DefaultImpairedPracticePolicy.
	ImpairedPracticePolicy string
}

// DefaultImpairedPracticePolicy is stated when the institution has configured no text of its own.
const DefaultImpairedPracticePolicy = "If a conversation shows that someone is practising while impaired in a way that puts patients in danger now, " +
	"the on-call clinician follows the institution's own policy on impaired practice. That policy, not this service, governs what happens next and who is told. " +
	"You can ask your programme's wellbeing lead, or the Physician Support Line, what the policy says before you ever need it."

// categoryWords are the classifier's categories in plain words, for the page.
var categoryWords = map[safety.Category]string{
	safety.SuicidalIdeation:    "thoughts of suicide or of not wanting to be alive",
	safety.SuicidePlanOrIntent: "a plan, means or intent to end your life",
	safety.SelfHarm:            "hurting yourself",
	safety.HarmToOthers:        "thoughts of harming someone else",
	safety.ImpairedPractice:    "working while impaired (by alcohol, drugs or exhaustion) in a way that could harm patients",
	safety.SevereImpairment:    "being too unwell to keep yourself safe (for example not eating, not sleeping for days, losing touch with reality)",
	safety.AbuseOrAssault:      "abuse, assault or harassment that is happening to you",
	safety.AcuteCrisis:         "an acute crisis such as a panic you cannot get out of, or being in danger right now",
	safety.RequestForHuman:     "asking to talk to a person",
	safety.Distress:            "burnout, exhaustion and hopelessness without a red flag: the AI answers supportively and shows where to reach a person",
	safety.ThirdPartyDanger:    "someone else (a colleague, friend or family member) in danger right now: you are told what to do at once, then a clinician joins",
	safety.ColleagueImpaired:   "a clinician impaired while caring for patients right now: you are pointed to the chain of command and the impaired-practice policy below, then a clinician joins",
	safety.ThirdPartyWorry:     "worry about someone else that is not urgent: the AI answers with guidance on helping them, and a clinician reviews the conversation later",
}

type safetyPageData struct {
	Institution     string
	OncallLabel     string
	OncallPhone     string
	Disclosure      string
	DisclosureEvery string
	RedFlags        []string
	Distress        string
	RetentionDays   int
	Pager           bool
	ReAlert         string
	Unattended      string
	Impaired        string
	Processors      []string
	CrisisLines     []string
}

// safetyData builds the page from the configuration.
func safetyData(crisis assistant.CrisisResources, info SafetyInfo) safetyPageData {
	d := safetyPageData{
		Institution:     crisis.Institution,
		OncallLabel:     crisis.OncallLabel,
		OncallPhone:     crisis.OncallPhone,
		Disclosure:      crisis.Disclosure(),
		DisclosureEvery: plainDuration(info.DisclosureEvery, 3*time.Hour),
		RetentionDays:   info.RetentionDays,
		Pager:           info.PagerConfigured,
		ReAlert:         plainDuration(info.HandoffReAlert, 2*time.Minute),
		Unattended:      plainDuration(info.HandoffUnattended, 5*time.Minute),
		Impaired:        info.ImpairedPracticePolicy,
		Processors:      info.Processors,
		CrisisLines:     crisis.Lines(safety.Emergency),
	}
	if d.Impaired == "" {
		d.Impaired = DefaultImpairedPracticePolicy
	}
	for _, c := range safety.AllCategories() {
		switch c {
		case safety.Distress, safety.ThirdPartyWorry: // answered by the AI, not handed off
			if d.Distress != "" {
				d.Distress += "; "
			}
			d.Distress += categoryWords[c]
		default:
			d.RedFlags = append(d.RedFlags, categoryWords[c])
		}
	}
	return d
}

// plainDuration writes 3h as "3 hours", 90s as "90 seconds"; zero takes def.
func plainDuration(v, def time.Duration) string {
	if v <= 0 {
		v = def
	}
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case v%time.Hour == 0:
		return unit(int64(v/time.Hour), "hour")
	case v%time.Minute == 0:
		return unit(int64(v/time.Minute), "minute")
	default:
		return unit(int64(v.Round(time.Second)/time.Second), "second")
	}
}

// safetyPage is the public crisis protocol: what is screened for, what happens on a red
// flag, who is alerted, what reviewers see, how long anything is kept, and the narrow
// cases in which anything leaves the conversation. It needs no sign-in and no script.
func (s *Server) safetyPage(w http.ResponseWriter, _ *http.Request) {
	s.render(w, "safety.html", safetyData(s.crisis, s.safety))
}
