package selfhelp

// Activation is one behavioural-activation step: an activity that used to matter, a small
// version of it, when, what might get in the way, and afterwards how it went with mood
// before and after. JSON keys are the Field of each ActivationSteps step; an unanswered
// rating is null.
type Activation struct {
	Activity     string `json:"activity"`
	SmallVersion string `json:"small_version"`
	When         string `json:"when"`
	Obstacles    string `json:"obstacles"`
	MoodBefore   *int   `json:"mood_before"` // 0-10
	HowItWent    string `json:"how_it_went"`
	MoodAfter    *int   `json:"mood_after"` // 0-10
}

// ActivationIntro is shown before the first step of behavioural activation.
const ActivationIntro = "When everything feels flat, waiting to feel like doing things can keep you stuck. " +
	"This plans one small thing that used to matter, at a real time between shifts. " +
	"Come back afterwards to note how it went; doing part of it counts."

// ActivationSteps returns the steps of behavioural activation, in the order they are asked:
// the first four plan the activity, the last three are filled in after trying it.
func ActivationSteps() []Step {
	text := func(field, title, prompt string, maxChars int, required bool, examples ...string) Step {
		return Step{Field: field, Kind: StepText, Title: title, Prompt: prompt, Examples: examples, MaxChars: maxChars, Required: required}
	}
	mood := func(field, title, prompt string) Step {
		return Step{Field: field, Kind: StepRating, Title: title, Prompt: prompt,
			Min: 0, Max: 10, MinLabel: "the lowest", MaxLabel: "the best"}
	}
	return []Step{
		text("activity", "Something that used to matter",
			"What's something you used to enjoy or care about that has dropped away lately?", MaxExerciseChars, true,
			"Running", "Calling my grandmother", "Cooking a real meal"),
		text("small_version", "A small version",
			"What's the smallest version you could actually do this week? Think ten minutes, not an hour.", MaxExerciseChars, true,
			"Walk for ten minutes", "Send her a voice note"),
		text("when", "When",
			"When could you do it? Pick a real time that fits around your shifts.", MaxShortChars, true,
			"Saturday, after I wake up post-call"),
		text("obstacles", "What might get in the way",
			"What might stop you, and what could you do about it ahead of time?", MaxExerciseChars, false,
			"Too tired after call, so I'll leave my shoes by the door"),
		mood("mood_before", "Mood before",
			"Just before you start, how's your mood, from 0 to 10?"),
		text("how_it_went", "How it went",
			"How did it go? Doing part of it counts.", MaxExerciseChars, false),
		mood("mood_after", "Mood after",
			"And afterwards, from 0 to 10?"),
	}
}

func (a *Activation) answers() map[string]answer {
	return map[string]answer{
		"activity":      {text: &a.Activity},
		"small_version": {text: &a.SmallVersion},
		"when":          {text: &a.When},
		"obstacles":     {text: &a.Obstacles},
		"mood_before":   {rating: &a.MoodBefore},
		"how_it_went":   {text: &a.HowItWent},
		"mood_after":    {rating: &a.MoodAfter},
	}
}

// Normalize returns the step as it will be kept, every text trimmed. It refuses, with a
// *nightfloat.Error of CodeInvalid wrapping a *FieldError, text that is not valid UTF-8,
// contains a NUL character or is over its step's MaxChars, a mood outside 0-10, and a step
// with nothing filled in. It may be kept before it is complete (see Missing).
func (a Activation) Normalize() (Activation, error) {
	if err := normalizeAnswers(ActivationSteps(), a.answers()); err != nil {
		return Activation{}, err
	}
	return a, nil
}

// Fields lists the filled-in text answers with their paths, for the safety classifier.
func (a Activation) Fields() []Field { return textFields(ActivationSteps(), a.answers()) }

// Missing lists the required steps not yet answered.
func (a Activation) Missing() []string { return missing(ActivationSteps(), a.answers()) }
