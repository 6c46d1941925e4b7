package selfhelp

// The safety plan's limits.
const (
	MaxPlanEntries    = 10   // entries kept per section
	MaxPlanEntryChars = 280  // characters per entry
	MaxPlanChars      = 5000 // characters in the whole plan
)

// PlanIntro is shown before the first step of the safety plan.
const PlanIntro = "A safety plan is a short list you write now, while things are calmer, for the moments " +
	"when they're not. Fill in what you can; a few words per line is plenty, and you can come back " +
	"and change or delete it whenever you like. If you're in danger right now, use the crisis " +
	"options at the top of the screen instead."

// PlanSteps returns the seven sections of the safety plan, in the order they are asked.
// The first six follow the steps of the Safety Planning Intervention (Stanley & Brown
// 2012); the seventh was asked for in issue 19. The wording is the project's own.
func PlanSteps() []Step {
	list := func(field, title, prompt, help string, examples ...string) Step {
		return Step{Field: field, Kind: StepList, Title: title, Prompt: prompt, Help: help, Examples: examples,
			MaxChars: MaxPlanEntryChars, MaxEntries: MaxPlanEntries}
	}
	return []Step{
		list("warning_signs", "Warning signs",
			"What tells you things are starting to slide? Thoughts, feelings, or things you catch yourself doing.",
			"Noticing early gives you more time to use the rest of this plan.",
			"Replaying a case in bed for hours", "Not answering friends' texts", "Skipping meals after nights"),
		list("on_my_own", "Things I can do on my own",
			"What helps, even a little, when you're by yourself? Small and easy is perfect.",
			"Pick things you could still manage at 3 a.m. after a rough shift, with nothing left in the tank.",
			"A hot shower", "A walk round the block", "Music loud in the car", "Two minutes of slow breathing"),
		list("distractions", "People and places that take my mind off things",
			"Where could you go, or who could you be around, to feel less alone for a while? You don't have to talk about how you feel.",
			"Places with other people around count, even if you don't talk to anyone.",
			"The coffee place near the hospital", "Gaming online with my brother", "The climbing gym"),
		list("ask_for_help", "People I can tell when it's hard",
			"Who could you tell that you're having a hard time? A friend, family, a co-resident, a mentor.",
			"A first name or nickname is enough. Keep their numbers in your phone's contacts rather than here.",
			"Sam from my intern year", "My sister", "My mentor"),
		list("professionals", "Professionals and crisis lines",
			"Who is trained to help, and how would you reach them? Your programme's wellness or counselling service, your own doctor or therapist, your employee assistance programme, a physician support line, or a crisis line.",
			"Crisis lines answer around the clock. Nightfloat's crisis options stay one tap away at the top of the screen.",
			"Programme counselling service", "Employee assistance programme", "My therapist"),
		list("safer_environment", "Making my surroundings safer",
			"When things are at their worst, what could be out of reach for a while? Think of what you could hand to someone you trust, lock away, or keep somewhere else.",
			"This can feel awkward to write, especially when you work with medicines every day. Small steps count, and a clinician here can help you think it through.",
			"Ask my partner to keep the spare medication", "Leave work supplies at work"),
		list("reasons", "My reasons to keep going",
			"What matters to you, now or later on? People, pets, plans, or small things you look forward to.",
			"",
			"My dog", "Seeing my niece grow up", "The trip in the spring"),
	}
}
