package assistant

import (
	"fmt"
	"nightfloat"
	"slices"
	"strconv"
	"strings"
	"time"

	"nightfloat/safety"
	"nightfloat/screening"
)

// Screens: the questionnaires (package screening) a resident fills in on the screening
// page, stored with their conversation (table screens). A screen is stored in one
// transaction with the message that tells the resident the result, the raise of the
// conversation's risk state and, when PHQ-9 item 9 is answered above "Not at all", the
// handoff it opens, exactly as a red-flag message opens one. A counsellor reads new screens
// in the console and writes a personal reply, which becomes a message of the conversation.

// Screen is one questionnaire as stored.
type Screen struct {
	ID             int64
	ConversationID string
	Pseudonym      string
	Role           nightfloat.Role
	Version        string // screening.Instrument.Version the answers were given to
	// Result is the scored screen. An incomplete screen (kept only because an alert
	// question was answered) has Instrument, Level, Alerts and Answers set, and no total.
	Result     screening.Result
	Complete   bool
	SummarySeq int64 // the message that told the resident the result
	HandoffID  int64 // the handoff it opened or raised; 0 for none
	ReplyDueAt time.Time
	RepliedAt  *time.Time
	ReplySeq   int64  // the counsellor's reply message; 0 until replied
	NextStep   string // the next step the reply suggested; "" for none
	ReAlerts   int    // re-alerts sent since the reply fell due
	CreatedAt  time.Time
}

// Replied reports whether a counsellor has answered the screen.
func (s Screen) Replied() bool { return s.RepliedAt != nil }

// Overdue reports whether the reply was due before now and has not been written.
func (s Screen) Overdue(now time.Time) bool { return s.RepliedAt == nil && now.After(s.ReplyDueAt) }

// NextStep is a next step a counsellor may suggest with a reply: its code, its label in
// the console, and the line the resident reads under the reply.
type NextStep struct {
	Code  string
	Label string
	Text  string
}

// The next steps, in the order the console offers them. The Physician Support Line's
// number, who it serves and that it is free and confidential were checked on
// physiciansupportline.com/faq and in the Ohio Psychiatric Physicians Association's notice
// of the line (ohiopsychiatry.org); its hours are left to its website, which keeps them.
var NextSteps = []NextStep{
	{"peer_support", "Peer support",
		"Suggested next step: peer support — a colleague trained to listen, through your programme's or hospital's peer support programme."},
	{"programme_counselling", "Programme counselling",
		"Suggested next step: your programme's confidential counselling (your GME office, or your school's student mental health service, can tell you how to book)."},
	{"physician_support_line", "Physician Support Line (1-888-409-0141)",
		"Suggested next step: the Physician Support Line, 1-888-409-0141 — free, confidential peer support from volunteer psychiatrists for US physicians and medical students; no appointment needed (its hours are on physiciansupportline.com)."},
	{"eap", "Employee Assistance Programme (EAP)",
		"Suggested next step: your Employee Assistance Programme (EAP) — free, confidential counselling through your employer."},
	{"appointment", "A booked appointment",
		"Suggested next step: the appointment described above. If it doesn't suit you, reply here and it can be changed."},
}

// nextStep returns the next step with code; "" is none.
func nextStep(code string) (NextStep, bool) {
	for _, n := range NextSteps {
		if n.Code == code {
			return n, true
		}
	}
	return NextStep{}, code == ""
}

// screenSummary is the message that tells the resident what their screen came to and that
// a counsellor will write back. refused says why an incomplete screen was not scored.
func screenSummary(in screening.Instrument, r screening.Result, complete bool, refused string, within time.Duration) string {
	var b strings.Builder
	if complete {
		meaning := screening.Meaning(r)
		if len(r.Alerts) > 0 {
			// A low total must not read as reassurance next to an item-9 answer.
			meaning = "What you answered to " + alertQuestions(in, r) + " matters more than the total."
		}
		fmt.Fprintf(&b, "You answered the %s, a questionnaire about %s: %s, in the %s range. %s %s",
			in.Name, in.Topic, scoreText(r), screening.BandLabel(r.Band), meaning, screening.NotADiagnosis)
	} else {
		fmt.Fprintf(&b, "You answered part of the %s, a questionnaire about %s. It could not be scored: %s.", in.Name, in.Topic, strings.TrimSuffix(refused, "."))
	}
	fmt.Fprintf(&b, "\nA counsellor — a person, not the AI — will read your answers and write back here within %s.", HumanDuration(within))
	return b.String()
}

// alertQuestions names the questions that raised the level by themselves: "question 9".
func alertQuestions(in screening.Instrument, r screening.Result) string {
	var nums []string
	for _, q := range in.Items {
		if slices.Contains(r.Alerts, q.ID) {
			nums = append(nums, strconv.Itoa(q.Number))
		}
	}
	if len(nums) == 1 {
		return "question " + nums[0]
	}
	return "questions " + strings.Join(nums, " and ")
}

// scoreText is a total as people read it: "12 out of 27", "3 on a scale of 1 to 5".
func scoreText(r screening.Result) string {
	if r.Min == 0 {
		return fmt.Sprintf("%d out of %d", r.Total, r.Max)
	}
	return fmt.Sprintf("%d on a scale of %d to %d", r.Total, r.Min, r.Max)
}

// HumanDuration says a deadline in words, as the resident is told it: "24 hours", "2 days", "90 minutes".
func HumanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	default:
		return plural(int64((d+time.Minute-1)/time.Minute), "minute")
	}
}

// screenHandoffNotice is what the resident reads when an item-9 answer hands off: what
// was heard, that a person is coming (or already there), and people to reach now.
func (c CrisisResources) screenHandoffNotice(alreadyHuman bool) string {
	heard := "You answered that you've had thoughts that you would be better off dead or of hurting yourself. Thank you for saying so. "
	if alreadyHuman {
		return heard + "The clinician with this conversation can see your answer. If you need someone right now:\n" + c.Text(safety.Urgent)
	}
	return heard + "I'm connecting you with a clinician now — a person, not the AI. While you wait, you can reach someone right away:\n" + c.Text(safety.Urgent)
}

// screenAssessment is the red flag an alert answer raises in the conversation's risk state:
// suicidal ideation at the screen's level, with the "ideation" signal every suicide finding
// raises, so that a later means or time combines with it as it would with a message.
func screenAssessment(r screening.Result, version string) safety.Assessment {
	a := safety.Assessment{Level: r.Level, Categories: []safety.Category{safety.SuicidalIdeation},
		Signals: []string{"ideation"}, Version: version}
	for _, q := range r.Alerts {
		a.Evidence = append(a.Evidence, safety.Evidence{Layer: ScreenLayer, RuleID: ScreenLayer + "." + q,
			Category: safety.SuicidalIdeation, Level: r.Level, Start: -1, End: -1})
	}
	return a
}

// ScreenLayer names the evidence a screen's alert answer carries in the risk state.
const ScreenLayer = "screening"
