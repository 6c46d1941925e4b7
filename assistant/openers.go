package assistant

import (
	"regexp"
	"strings"

	"nightfloat/safety"
)

// opener is a family of first sentences for a reply, picked when its pattern matches what
// the resident wrote. The variants say the same thing in different words, so a
// conversation never gets the same opening twice in a row.
type opener struct {
	name     string
	pattern  *regexp.Regexp
	variants []string
}

// openers are tried in order; the first whose pattern matches the message is used. They
// acknowledge what was said without claiming to know more than the message says, and
// plain questions (how to sleep after nights, what the duty-hour rules are) get none.
var openers = []opener{
	{"loss", regexp.MustCompile(`\b(died|dies|dying|death|deaths|passed away|lost (a|my|our|the|another) (pt|patient|baby|kid|child)|coded|funeral|grief|grieving)\b`), []string{
		"I'm sorry. A death at work can stay with you long after the shift.",
		"That's a hard thing to carry home.",
		"I'm sorry you went through that.",
	}},
	{"error", regexp.MustCompile(`\b(mistake|mistakes|error|errors|missed|messed up|screwed up|wrong (dose|patient|med|order)|my fault|near miss)\b`), []string{
		"Thinking about a mistake like this is painful, and it says you care about getting it right.",
		"That's a heavy thing to replay.",
		"It makes sense that this is sitting with you.",
	}},
	{"mistreated", regexp.MustCompile(`\b(yell\w*|scream\w*|shout\w*|belittl\w*|humiliat\w*|berat\w*|called me|mocked|laughed at|demean\w*|harass\w*|discriminat\w*|grabbed|hit me|threaten\w*)\b`), []string{
		"Nobody should be treated like that at work.",
		"That's not okay, and it's not on you.",
		"I'm sorry that happened to you.",
	}},
	{"exhausted", regexp.MustCompile(`\b(exhausted|so tired|too tired|wiped|wrecked|running on empty|no sleep|haven'?t slept|havent slept|hour \d\d|post[- ]?call)\b`), []string{
		"Running on that little rest is hard on anyone.",
		"That kind of tired makes everything harder.",
	}},
	{"exam", regexp.MustCompile(`\b(exam|exams|boards|step ?[123]|shelf|ite|in-training|failed|failing|fail)\b`), []string{
		"Exam pressure can take over everything else.",
		"That's a lot of pressure to be under.",
	}},
	{"alone", regexp.MustCompile(`\b(lonely|alone|isolated|no friends|don'?t know (anyone|anybody|a single person))\b`), []string{
		"Feeling alone with this is hard.",
		"That sounds isolating.",
	}},
	{"feelings", regexp.MustCompile(`\b(hate|dread\w*|miserable|hopeless|numb|empty|cry\w*|cried|overwhelm\w*|burn(ed|t)? ?out|burnout|can'?t do this|scared|terrified|anxious|panic\w*|angry|snapp\w*|short with)\b`), []string{
		"That sounds really hard.",
		"Thank you for saying it plainly. That's a lot to carry.",
		"It makes sense to feel this way with what you're dealing with.",
	}},
}

// concernOpeners are for a message the classifier marked as concerning when no family
// above fits what was said.
var concernOpeners = []string{
	"Thank you for telling me. That sounds like a lot.",
	"I'm glad you said something.",
	"That sounds hard to sit with.",
}

// chooseOpener returns the first sentence for a reply to message, or "" when a plain
// answer fits better. It never returns a sentence that opened the previous reply.
func chooseOpener(message string, level safety.Level, previous string) string {
	m := strings.ToLower(message)
	variants := []string(nil)
	for _, o := range openers {
		if o.pattern.MatchString(m) {
			variants = o.variants
			break
		}
	}
	if variants == nil && level >= safety.Concern {
		variants = concernOpeners
	}
	for _, v := range variants {
		if !strings.Contains(previous, v) {
			return v
		}
	}
	return ""
}

// lastAssistantReply is the text of the most recent assistant message in history.
func lastAssistantReply(history []Message) string {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Author == AuthorAssistant {
			return history[i].Body
		}
	}
	return ""
}
