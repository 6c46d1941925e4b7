package retrieval

import (
	"regexp"
	"strings"
	"unicode"
)

// phraseExpansions rewrites how residents and nurses type into the words the content uses.
// Applied to lower-cased text before tokenising; the original wording is kept beside the
// expansion, so nothing is lost when the guess is wrong.
var phraseExpansions = []struct {
	re  *regexp.Regexp
	add string
}{
	{regexp.MustCompile(`\bm ?& ?m\b`), "morbidity mortality conference"},
	{regexp.MustCompile(`\bpost[- ]?call\b`), "post call after call"},
	{regexp.MustCompile(`\b(burnt|burned|burning) out\b`), "burnout"},
	{regexp.MustCompile(`\bw/o\b`), "without"},
	{regexp.MustCompile(`\bb/c\b`), "because"},
	{regexp.MustCompile(`\bw/`), "with "},
	{regexp.MustCompile(`\b24 ?(h|hr|hrs|hour)\b`), "24 hour"},
	{regexp.MustCompile(`\bq ?(\d)\b`), "every $1 nights call"},
	{regexp.MustCompile(`\b(ms|m)([1-4])\b`), "medical student"},
	{regexp.MustCompile(`\bpgy ?-? ?1\b`), "intern first year resident"},
	{regexp.MustCompile(`\bpgy ?-? ?[2-9]\b`), "resident senior"},
	{regexp.MustCompile(`\bnight[- ]shift\b`), "night shift nights"},
	{regexp.MustCompile(`\b(kill|killing|hurt|hurting|harm|harming|end|ending) (myself|my life|it all)\b`), "suicide suicidal thoughts ending your life self harm"},
	{regexp.MustCompile(`\b(want|wanting|wish|wished) (to|i could|i was) (die|dead|disappear|not wake up)\b`), "suicide suicidal thoughts"},
	{regexp.MustCompile(`\b(kms|unalive|suicidal)\b`), "suicide suicidal thoughts"},
	{regexp.MustCompile(`\bcan'?t\b`), "cannot"},
	{regexp.MustCompile(`\bwon'?t\b`), "will not"},
	{regexp.MustCompile(`\bdon'?t\b`), "do not"},
}

// wordExpansions maps one token to the words it stands for.
var wordExpansions = map[string]string{
	"nf":          "night float",
	"ite":         "in training exam",
	"ites":        "in training exam",
	"attg":        "attending",
	"attd":        "attending",
	"attendings":  "attending",
	"pt":          "patient",
	"pts":         "patients",
	"eap":         "employee assistance program",
	"burnt":       "burnout",
	"gme":         "graduate medical education",
	"pd":          "program director",
	"apd":         "associate program director",
	"rn":          "nurse",
	"rns":         "nurses",
	"np":          "nurse practitioner",
	"nps":         "nurse practitioners",
	"pa":          "physician assistant",
	"pas":         "physician assistants",
	"app":         "advanced practice provider",
	"apps":        "advanced practice providers",
	"md":          "doctor physician",
	"docs":        "doctors",
	"doc":         "doctor",
	"dr":          "doctor",
	"resi":        "resident",
	"resis":       "residents",
	"intern":      "intern resident",
	"interns":     "interns residents",
	"hrs":         "hours",
	"hr":          "hours",
	"wk":          "week",
	"wks":         "weeks",
	"mins":        "minutes",
	"min":         "minutes",
	"mh":          "mental health",
	"psych":       "psychiatry mental health",
	"icu":         "intensive care unit",
	"ed":          "emergency department",
	"er":          "emergency department",
	"ot":          "overtime",
	"abt":         "about",
	"bc":          "because",
	"u":           "you",
	"ur":          "your",
	"r":           "are",
	"tmrw":        "tomorrow",
	"tonite":      "tonight",
	"2nite":       "tonight",
	"idk":         "do not know",
	"cant":        "cannot",
	"dont":        "do not",
	"im":          "i am",
	"exhausted":   "exhausted tired fatigue",
	"knackered":   "exhausted tired fatigue",
	"wrecked":     "exhausted tired",
	"zonked":      "exhausted tired",
	"sleepy":      "sleepy drowsy",
	"drowsy":      "drowsy sleepy",
	"program":     "program programme",
	"programme":   "program programme",
	"counselor":   "counselor counsellor",
	"counsellor":  "counselor counsellor",
	"counseling":  "counseling counselling",
	"counselling": "counseling counselling",
	"behavior":    "behavior behaviour",
	"behaviour":   "behavior behaviour",
}

// stopwords carry no topic; dropping them keeps hashed vectors about what a text is about.
var stopwords = setOf(`a about above after again all am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves also get got really
s t ll re ve d m even still ok okay like just please thing things something anyone someone`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// normalizeTokens lower-cases text, expands abbreviations and slang, strips punctuation and
// returns the words in order (stop words included; callers decide).
func normalizeTokens(text string) []string {
	s := strings.ToLower(text)
	s = strings.NewReplacer("’", "'", "‘", "'", "–", " ", "—", " ").Replace(s)
	for _, e := range phraseExpansions {
		s = e.re.ReplaceAllStringFunc(s, func(m string) string {
			return m + " " + e.re.ReplaceAllString(m, e.add) + " "
		})
	}
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out = append(out, w)
		if exp, ok := wordExpansions[w]; ok {
			for _, x := range strings.Fields(exp) {
				if x != w {
					out = append(out, x)
				}
			}
		}
	}
	return out
}

// stem strips common English suffixes. It is deliberately light: character n-grams catch
// what it misses, and over-stemming merges unrelated words.
func stem(w string) string {
	n := len(w)
	switch {
	case n <= 3:
		return w
	case strings.HasSuffix(w, "ies") && n > 4:
		w = w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case strings.HasSuffix(w, "ness") && n > 6:
		w = w[:n-4]
	case strings.HasSuffix(w, "ing") && n > 5:
		w = undouble(w[:n-3])
	case strings.HasSuffix(w, "edly") && n > 6:
		w = undouble(w[:n-4])
	case strings.HasSuffix(w, "ed") && n > 4:
		w = undouble(w[:n-2])
	case strings.HasSuffix(w, "ly") && n > 5:
		w = w[:n-2]
	case strings.HasSuffix(w, "ment") && n > 7:
		w = w[:n-4]
	}
	if n := len(w); n > 4 && strings.HasSuffix(w, "e") {
		w = w[:n-1] // "sleepe"/"sleep", "tire"/"tir": make the -ed/-ing and base forms meet
	}
	if n := len(w); n > 3 && strings.HasSuffix(w, "y") {
		w = w[:n-1] + "i"
	}
	return w
}

func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}
