package selfhelp

// Limits of a thought record's text.
const (
	MaxExerciseChars = 1000 // characters in one longer answer
	MaxShortChars    = 200  // characters in a short answer (an emotion, a time)
)

// ThoughtRecord is one worked thought record: a hard moment, the thought it brought, the
// feeling and how strong it was, the evidence on each side, a more balanced thought, and
// the feeling re-rated. JSON keys are the Field of each ThoughtRecordSteps step; an
// unanswered rating is null.
type ThoughtRecord struct {
	Situation        string `json:"situation"`
	AutomaticThought string `json:"automatic_thought"`
	Emotion          string `json:"emotion"`
	Intensity        *int   `json:"intensity"` // 0-100
	EvidenceFor      string `json:"evidence_for"`
	EvidenceAgainst  string `json:"evidence_against"`
	BalancedThought  string `json:"balanced_thought"`
	Rerated          *int   `json:"rerated_intensity"` // 0-100
}

// ThoughtRecordIntro is shown before the first step of a thought record.
const ThoughtRecordIntro = "A thought record slows down one hard moment so you can look at the thought it brought, " +
	"side by side with the facts. Pick one moment from a recent shift; a few words per step is enough. " +
	"It is practice, not a test, and you can stop at any step."

// ThoughtRecordSteps returns the steps of a thought record, in the order they are asked.
func ThoughtRecordSteps() []Step {
	text := func(field, title, prompt string, maxChars int, required bool, examples ...string) Step {
		return Step{Field: field, Kind: StepText, Title: title, Prompt: prompt, Examples: examples, MaxChars: maxChars, Required: required}
	}
	rating := func(field, title, prompt string, required bool) Step {
		return Step{Field: field, Kind: StepRating, Title: title, Prompt: prompt, Required: required,
			Min: 0, Max: 100, MinLabel: "not at all", MaxLabel: "the strongest I can imagine"}
	}
	return []Step{
		text("situation", "What happened",
			"Briefly, what was going on? Where were you, and what had just happened?", MaxExerciseChars, true,
			"My attending corrected my plan in front of the team on rounds."),
		text("automatic_thought", "The thought",
			"What went through your mind right then? Write it the way it sounded in your head.", MaxExerciseChars, true,
			"Everyone can see I don't know what I'm doing."),
		text("emotion", "The feeling",
			"What did you feel? One or two words is enough.", MaxShortChars, true,
			"Ashamed", "Anxious", "Angry"),
		rating("intensity", "How strong",
			"How strong was that feeling, from 0 to 100?", true),
		text("evidence_for", "What fits the thought",
			"What facts back the thought up? Stick to what happened, not how it felt.", MaxExerciseChars, false),
		text("evidence_against", "What doesn't fit",
			"What facts don't fit the thought? What would you say to a co-resident who told you the same thing?", MaxExerciseChars, false),
		text("balanced_thought", "A fairer way to see it",
			"Looking at both sides, what's a fairer way to put it? It doesn't have to be positive, just more accurate.", MaxExerciseChars, false,
			"I got one part of the plan wrong and was corrected; that's how residents learn."),
		rating("rerated_intensity", "How strong now",
			"Now, how strong is the feeling, from 0 to 100? Any change counts, and no change is fine too.", false),
	}
}

func (r *ThoughtRecord) answers() map[string]answer {
	return map[string]answer{
		"situation":         {text: &r.Situation},
		"automatic_thought": {text: &r.AutomaticThought},
		"emotion":           {text: &r.Emotion},
		"intensity":         {rating: &r.Intensity},
		"evidence_for":      {text: &r.EvidenceFor},
		"evidence_against":  {text: &r.EvidenceAgainst},
		"balanced_thought":  {text: &r.BalancedThought},
		"rerated_intensity": {rating: &r.Rerated},
	}
}

// Normalize returns the record as it will be kept, every text trimmed. It refuses, with a
// *nightfloat.Error of CodeInvalid wrapping a *FieldError, text that is not valid UTF-8,
// contains a NUL character or is over its step's MaxChars, a rating outside 0-100, and a
// record with nothing filled in. A record may be kept before it is complete (see Missing).
func (r ThoughtRecord) Normalize() (ThoughtRecord, error) {
	if err := normalizeAnswers(ThoughtRecordSteps(), r.answers()); err != nil {
		return ThoughtRecord{}, err
	}
	return r, nil
}

// Fields lists the filled-in text answers with their paths, for the safety classifier.
func (r ThoughtRecord) Fields() []Field { return textFields(ThoughtRecordSteps(), r.answers()) }

// Missing lists the required steps not yet answered.
func (r ThoughtRecord) Missing() []string { return missing(ThoughtRecordSteps(), r.answers()) }
