package screening

import (
	"strconv"

	"nightfloat"
)

// frequency is the four answers the PHQ-9 and GAD-7 share, with their published scores.
func frequency() []Option {
	return []Option{
		{0, "Not at all"},
		{1, "Several days"},
		{2, "More than half the days"},
		{3, "Nearly every day"},
	}
}

// phq9 is the Patient Health Questionnaire-9 as printed on the Pfizer form at
// phqscreeners.com, with its unscored difficulty question.
func phq9() Instrument {
	texts := []string{
		"Little interest or pleasure in doing things",
		"Feeling down, depressed, or hopeless",
		"Trouble falling or staying asleep, or sleeping too much",
		"Feeling tired or having little energy",
		"Poor appetite or overeating",
		"Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
		"Trouble concentrating on things, such as reading the newspaper or watching television",
		"Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
		"Thoughts that you would be better off dead or of hurting yourself in some way",
	}
	items := make([]Question, 0, len(texts)+1)
	for i, t := range texts {
		items = append(items, Question{ID: itemID(PHQ9, i+1), Number: i + 1, Text: t, Options: frequency(), Scored: true})
	}
	// Item 9: any answer above "Not at all" hands off at once. Urgent, not Emergency: the
	// item asks about thoughts, not intent, a plan or preparation, which the safety rules
	// reserve for Emergency; see docs/instruments.md.
	items[8].Alert = nightfloat.LevelUrgent
	items = append(items, Question{
		ID:     "phq9_difficulty",
		Number: 10,
		Text:   "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?",
		Options: []Option{
			{0, "Not difficult at all"},
			{1, "Somewhat difficult"},
			{2, "Very difficult"},
			{3, "Extremely difficult"},
		},
	})
	return Instrument{
		ID:       PHQ9,
		Name:     "PHQ-9",
		Topic:    "depression",
		Measures: "how often, over the last two weeks, the nine DSM-IV symptoms of depression bothered the person",
		Stem:     "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
		Items:    items,
		Bands: []Band{
			{0, 4, "minimal"},
			{5, 9, "mild"},
			{10, 14, "moderate"},
			{15, 19, "moderately_severe"},
			{20, 27, "severe"},
		},
		PositiveAt: 10,
		Licence:    "Public domain: \"No permission required to reproduce, translate, display or distribute.\" Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc.",
		Sources:    []Source{srcPHQ9Form, srcPHQManual, srcKroenke2001, srcSimon2013},
	}
}

// itemID is the answer key of an instrument's numbered question, e.g. "phq9_9".
func itemID(id ID, n int) string {
	return string(id) + "_" + strconv.Itoa(n)
}
