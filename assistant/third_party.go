package assistant

import (
	"fmt"
	"strings"

	"nightfloat/safety"
)

// Replies for third-party risk: the resident is writing about someone else. When that
// person is in danger now, or a clinician is impaired while caring for patients now, a
// vetted reply on what to do comes first, before the handoff notice, so that the resident
// can act at once; the clinician who takes the handoff then helps them act. These texts
// are fixed, never generated.
//
// Sources:
//   - 988 Suicide & Crisis Lifeline, "Help someone else", https://988lifeline.org/help-someone-else/
//     (call or text 988 to get help for someone else; call 911 when someone's life is in
//     immediate danger).
//   - #BeThe1To, the Lifeline's five action steps (Ask, Be There, Keep Them Safe, Help Them
//     Connect, Follow Up), https://www.bethe1to.com/bethe1to-steps-evidence/
//   - AMA Code of Medical Ethics, Opinion 9.3.2 "Physician Responsibilities to Impaired
//     Colleagues", https://code-medical-ethics.ama-assn.org/ethics-opinions/physician-responsibilities-impaired-colleagues
//     (intervene in a timely manner so that the colleague stops practising; report to the
//     appropriate authority under the institution's policy).
//   - American Nurses Association, Code of Ethics for Nurses, Provision 3.6 (patient
//     protection and impaired practice), https://codeofethics.ana.org/provisions

// Reply kinds recorded in a third-party reply's Meta["reply"].
const (
	ReplyThirdPartyDanger  = "third_party_danger"
	ReplyColleagueImpaired = "colleague_impaired"
)

// DangerToSomeoneElse is the "someone is in danger right now" reply.
func (c CrisisResources) DangerToSomeoneElse() string {
	lines := []string{
		"Someone is in danger right now, so this comes first:",
		"If they have taken something, have a weapon, or you cannot reach them, call 911 now and give their location.",
		"Stay with them, in person or on the phone, and don't leave them alone. If you safely can, move pills, weapons or other means out of reach.",
		"Call or text 988 together (Suicide & Crisis Lifeline, US, 24/7). You can also call 988 yourself to ask how to help them.",
		"Tell your programme's on-call or chief now, so you are not carrying this alone" + c.oncallSuffix() + ".",
	}
	return lines[0] + "\n• " + strings.Join(lines[1:], "\n• ") +
		"\nI'm an AI, so I'm also bringing in a clinician — a person — to help you act."
}

// ImpairedColleague is the patient-safety reply for a clinician impaired while caring for
// patients now. It names the institution's impaired-practice policy as configured.
func (c CrisisResources) ImpairedColleague() string {
	policy := strings.TrimSpace(c.ImpairedPracticePolicy)
	if policy == "" {
		policy = "Your institution's own impaired-practice policy governs what happens next and who is told; your programme's wellbeing lead can tell you what it says."
	}
	lines := []string{
		"This is a patient-safety matter happening now, and it is right to act on it:",
		"Tell the supervisor in charge now, through your chain of command: the attending or charge nurse responsible, or the chief or on-call leader above the person. If a patient is at risk this minute, ask for the case or procedure to be paused.",
		"You don't need to confront the person yourself or be certain. Raising a concern in good faith is what the policy is for.",
		"Impaired-practice policy: " + policy,
	}
	return lines[0] + "\n• " + strings.Join(lines[1:], "\n• ") +
		"\nI'm an AI, so I'm also bringing in a clinician — a person — to help you with the next step."
}

func (c CrisisResources) oncallSuffix() string {
	if c.OncallPhone == "" {
		return ""
	}
	return fmt.Sprintf(" (%s: %s)", c.OncallLabel, c.OncallPhone)
}

// thirdPartyReplies returns the vetted replies that go before the handoff notice when the
// message itself (not the conversation's memory of earlier turns) shows someone else in
// danger now or a clinician impaired while caring for patients now; nil otherwise.
func (c CrisisResources) thirdPartyReplies(a safety.Assessment, replyTo int64) []Message {
	var danger, impaired bool
	for _, e := range a.Evidence {
		// Findings of earlier turns (memory, not located in this message) were
		// answered when they were written.
		if (e.Layer == safety.LayerMemory && e.Start < 0) || !e.Level.ForcesHandoff() {
			continue
		}
		danger = danger || e.Category == safety.ThirdPartyDanger
		impaired = impaired || e.Category == safety.ColleagueImpaired
	}
	var out []Message
	if danger {
		out = append(out, Message{Author: AuthorSystem, Kind: KindCrisis, ReplyTo: replyTo, Body: c.DangerToSomeoneElse(),
			Meta: map[string]any{"reply": ReplyThirdPartyDanger}})
	}
	if impaired {
		out = append(out, Message{Author: AuthorSystem, Kind: KindCrisis, ReplyTo: replyTo, Body: c.ImpairedColleague(),
			Meta: map[string]any{"reply": ReplyColleagueImpaired}})
	}
	return out
}

// worryOnly reports whether the message is a non-imminent worry about someone else and
// nothing about the writer: the reply then speaks to helping them, not to the writer's
// own distress.
func worryOnly(a safety.Assessment) bool {
	if a.Level != safety.Concern {
		return false
	}
	worry := false
	for _, c := range a.Categories {
		if c != safety.ThirdPartyWorry {
			return false
		}
		worry = true
	}
	return worry
}

// worryOpening opens a reply to a non-imminent worry about someone else.
const worryOpening = "It's good that you're looking out for them, and worrying about someone is heavy to carry too. "

// worryClose ends a reply to a non-imminent worry about someone else: when it becomes
// urgent and whom to call, and that clinicians will look at the conversation (it is
// queued for their review).
func (c CrisisResources) worryClose() string {
	return "\n\nIf it becomes urgent — they talk about a plan or a time, have taken something, or you can't reach them — " +
		"call or text 988 together (you can also call 988 yourself to ask how to help them), or call 911 if they are in danger now. " +
		"Telling your programme's on-call or chief is always all right" + c.oncallSuffix() + ". " +
		"This conversation goes to the queue that Nightfloat's supervising clinicians review."
}
