package assistant

import (
	"fmt"
	"strings"

	"nightfloat/safety"
)

// CrisisResources is the vetted, never generated, text that points a person to humans. The
// numbers are the US national services plus the institution's own line from configuration.
//
// Sources: 988 Suicide & Crisis Lifeline, https://988lifeline.org (call or text 988, 24/7);
// Crisis Text Line, https://www.crisistextline.org (text HOME to 741741, 24/7);
// Physician Support Line, https://www.physiciansupportline.com (1-888-409-0141, free and
// confidential, for US physicians and medical students).
type CrisisResources struct {
	Institution string
	OncallPhone string
	OncallLabel string
	// ImpairedPracticePolicy names the institution's impaired-practice policy and who is
	// told (NIGHTFLOAT_IMPAIRED_PRACTICE_POLICY); the impaired-colleague reply quotes it.
	ImpairedPracticePolicy string
}

// Lines returns the resources as short lines, emergency first when level is Emergency.
func (c CrisisResources) Lines(level safety.Level) []string {
	var lines []string
	if level >= safety.Emergency {
		lines = append(lines, "If you are in immediate danger, call 911 or go to the nearest emergency department now.")
	}
	lines = append(lines,
		"Call or text 988 (Suicide & Crisis Lifeline, US, 24/7).",
		"Text HOME to 741741 (Crisis Text Line, 24/7).",
		"Physician Support Line: 1-888-409-0141 (free, confidential; for physicians and medical students).",
	)
	if c.OncallPhone != "" {
		lines = append(lines, fmt.Sprintf("%s: %s.", c.OncallLabel, c.OncallPhone))
	}
	if level < safety.Emergency {
		lines = append(lines, "In an emergency, call 911 or go to the nearest emergency department.")
	}
	return lines
}

// Text joins Lines for a message body.
func (c CrisisResources) Text(level safety.Level) string {
	return "• " + strings.Join(c.Lines(level), "\n• ")
}

// FailureMessage is what a resident sees when a turn fails: the failure said plainly, and
// people to reach.
func (c CrisisResources) FailureMessage() string {
	return "Sorry — something went wrong on our side and I can't answer safely right now. Your message is saved. " +
		"If you need someone now, please reach a person:\n" + c.Text(safety.Concern)
}

// Disclosure is the plain statement that this is an AI, shown at the start of every
// conversation, again at the configured interval, and whenever the resident asks.
func (c CrisisResources) Disclosure() string {
	return fmt.Sprintf("You're talking with Nightfloat, an AI assistant — not a person. Clinicians at %s supervise it and review conversations, "+
		"and a clinician takes over if you need urgent help. It is not an emergency service: if you are in danger, call or text 988, or call 911.",
		c.Institution)
}
