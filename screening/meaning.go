package screening

import "strings"

// What a result means, in plain words for the person who filled in the screen. The words
// are the project's own, built on the published cut-offs (docs/instruments.md): a total
// at or above PositiveAt is where the developers recommend a closer look by a
// professional. They name no diagnosis. No clinician has reviewed them.

// NotADiagnosis is said beside every score.
const NotADiagnosis = "This is a screening score, not a diagnosis."

// meanings holds, per instrument and band, what the band means.
var meanings = map[ID]map[string]string{
	PHQ9: {
		"minimal":           "Few or no signs of depression over the last two weeks.",
		"mild":              "Some signs of depression. Scores like this are common in a hard stretch; it is worth noticing how the next weeks go.",
		"moderate":          "Signs of depression at the level where the questionnaire's authors recommend talking it through with a professional.",
		"moderately_severe": "Many signs of depression. Talking with a professional soon is recommended.",
		"severe":            "Signs of depression at the top of the scale. Please talk with a professional soon.",
	},
	GAD7: {
		"minimal":  "Few or no signs of anxiety over the last two weeks.",
		"mild":     "Some signs of anxiety. Common in a hard stretch; worth keeping an eye on.",
		"moderate": "Signs of anxiety at the level where the questionnaire's authors recommend talking it through with a professional.",
		"severe":   "Many signs of anxiety. Talking with a professional soon is recommended.",
	},
	Burnout: {
		"no_burnout": "No burnout, by your own description.",
		"burnout":    "By your own description you are burning out or burned out. That is worth talking through with someone: a counsellor, a peer or your programme.",
	},
}

// Meaning says in plain words what a scored result's band means; "" for a result that was
// not scored (no band).
func Meaning(r Result) string {
	return meanings[r.Instrument][r.Band]
}

// BandLabel is a band's name as people read it: "moderately severe", "no burnout".
func BandLabel(band string) string {
	return strings.ReplaceAll(band, "_", " ")
}
