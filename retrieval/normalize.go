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
	// Concepts people describe in many words. General vocabulary, not any one question.
	{regexp.MustCompile(`\b(killed|kill|hanged|shot) (himself|herself|themselves|themself)\b`), "suicide died by suicide"},
	{regexp.MustCompile(`\b(took|take|taken) (his|her|their|my) (own )?life\b`), "suicide died by suicide"},
	{regexp.MustCompile(`\b(don'?t|do not|dont) want to (be here|be alive|live|exist|wake up)\b`), "suicide suicidal thoughts"},
	{regexp.MustCompile(`\bbetter off (without me|dead|gone)\b`), "suicide suicidal thoughts"},
	{regexp.MustCompile(`\b(keep|keeping) (myself|me) safe\b`), "suicide not safe crisis"},
	{regexp.MustCompile(`\b(tore|ripped|laid) into\b|\bchewed (me )?out\b|\btalk(ed|s|ing)? down to\b|\brolled (his|her|their) eyes\b`), "belittled yelled humiliated"},
	{regexp.MustCompile(`\b(passed away|passed on)\b`), "died death"},
	{regexp.MustCompile(`\b(lost|losing) (a|my|the|our|another) (pt|patient|one)\b`), "patient died death"},
	{regexp.MustCompile(`\b(screwed|messed|fucked) up\b`), "mistake error"},
	{regexp.MustCompile(`\bwrong (dose|med|meds|medication|patient|bag|drug|order|side)\b`), "medication error mistake"},
	{regexp.MustCompile(`\b(felt|feel|feeling) (nothing|zero|empty|dead inside)\b|\bdon'?t feel anything\b|\bdont feel anything\b`), "numb numbness"},
	{regexp.MustCompile(`\b(stopped|stop|not) caring\b|\bdon'?t care anymore\b`), "cynicism detachment numb"},
	{regexp.MustCompile(`\brunning on empty\b|\bdead tired\b|\bwiped out\b`), "exhausted tired fatigue"},
	{regexp.MustCompile(`\bpanic attacks?\b|\bfreaking out\b|\bfreak out\b`), "panic anxiety"},
	{regexp.MustCompile(`\bno friends\b|\bzero friends\b|\bdon'?t know (anyone|anybody|a soul)\b`), "lonely loneliness friends"},
	{regexp.MustCompile(`\b(pick|picking|picked) up (extra )?(shifts|shift|ot)\b|\bstay over\b|\bmandated\b`), "overtime extra shifts"},
	{regexp.MustCompile(`\bloan forgiveness\b`), "student loans pslf"},
	{regexp.MustCompile(`\b(comments?|remarks?|jokes?) about (my|her|his) (body|looks|weight|chest|outfit|clothes|race|accent)\b`), "harassment discrimination"},
	{regexp.MustCompile(`\b(hit|hitting|came|coming) on me\b`), "sexual harassment"},
	{regexp.MustCompile(`\b(5|five) things\b`), "grounding senses"},
	{regexp.MustCompile(`\b(without|not|don'?t want|dont want|do not want|so) (my |the |our )?(manager|pd|program director|boss|program|programme|school|dean|chief|attending|supervisor|employer|hr)s? (to )?(know|knowing|find out|finding out|finds out|seeing|sees)\b`), "confidential private"},
	{regexp.MustCompile(`\bbutt(ing|ed)? heads\b|\bat odds\b|\bclash(es|ed|ing)?\b|\bnot getting along\b`), "conflict friction tension"},
	{regexp.MustCompile(`\b(hit|struck|grabbed|bitten|scratched|beaten|beat up) by (a|an|the|my|our)? ?(pt|patient|visitor|family member|relative)\b`), "violence assaulted"},
	{regexp.MustCompile(`\bfaking it\b|\bfake it\b`), "imposter fraud"},
	{regexp.MustCompile(`\bfull code\b|\bdo everything\b|\beverything done\b`), "aggressive treatment prolonging suffering"},
	{regexp.MustCompile(`\bgraveyard shifts?\b|\bovernights\b`), "nights night shift"},
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
	// Being shouted at or put down.
	"screamed":      "yelled shouted",
	"screaming":     "yelled shouting",
	"scream":        "yell shout",
	"shouted":       "yelled screamed",
	"shouting":      "yelling",
	"berated":       "yelled belittled",
	"berating":      "yelling belittling",
	"mocked":        "belittled humiliated",
	"demeaning":     "belittling humiliating",
	"demeaned":      "belittled humiliated",
	"condescending": "belittling",
	"bullied":       "belittled mistreatment",
	"bullying":      "belittling mistreatment",
	"bully":         "mistreatment",
	"humiliated":    "humiliated belittled",
	// Physical violence.
	"punched":   "hit violence assaulted",
	"slapped":   "hit violence assaulted",
	"shoved":    "pushed violence assaulted",
	"kicked":    "kicked violence assaulted",
	"choked":    "violence assaulted",
	"bit":       "bitten violence",
	"attacked":  "assaulted violence",
	"assault":   "assaulted violence",
	"assaulted": "assaulted violence",
	"swung":     "violence",
	"spit":      "spat violence",
	// Harassment and discrimination.
	"racist":     "racism discrimination harassment",
	"racism":     "discrimination harassment",
	"sexist":     "sexism discrimination harassment",
	"homophobic": "discrimination harassment",
	"slur":       "discrimination harassment",
	"slurs":      "discrimination harassment",
	"groped":     "touching sexual harassment",
	"creepy":     "harassment",
	"catcalled":  "sexual harassment",
	// Alcohol and drugs.
	"booze":     "alcohol drinking",
	"beer":      "alcohol drinking",
	"beers":     "alcohol drinking",
	"wine":      "alcohol drinking",
	"drunk":     "alcohol drinking",
	"hungover":  "alcohol drinking",
	"hangover":  "alcohol drinking",
	"weed":      "cannabis substance drug use",
	"marijuana": "cannabis substance drug use",
	"edibles":   "cannabis substance drug use",
	"pills":     "substance drug use",
	"benzos":    "substance drug use",
	"impaired":  "impaired substance",
	"sober":     "drinking substance",
	// Money.
	"loans":     "loans debt money",
	"debt":      "debt money loans",
	"broke":     "money",
	"paycheck":  "salary money",
	"salary":    "salary money",
	"rent":      "rent money",
	"bills":     "money",
	"pslf":      "public service loan forgiveness",
	"budget":    "money",
	"financial": "financial money",
	// Getting home.
	"uber":  "rideshare taxi",
	"lyft":  "rideshare taxi",
	"cab":   "taxi",
	"taxi":  "taxi rideshare",
	"drive": "drive driving",
	// Parents.
	"pump":          "pumping lactation",
	"pumping":       "pumping lactation",
	"breastfeeding": "lactation",
	"newborn":       "baby parent",
	"pregnant":      "pregnancy parental",
	"maternity":     "parental leave",
	"paternity":     "parental leave",
	// Feelings and states.
	"fried":         "exhausted tired",
	"drained":       "exhausted drained",
	"lonely":        "lonely loneliness",
	"isolated":      "lonely isolated",
	"panicky":       "panic anxiety",
	"numb":          "numb numbness",
	"robot":         "numb",
	"cynical":       "cynicism",
	"furious":       "angry anger",
	"snapping":      "snapping irritable anger",
	"snapped":       "snapped irritable anger",
	"irritable":     "irritable irritability",
	"cranky":        "irritable",
	"grumpy":        "irritable",
	"fraud":         "imposter fraud",
	"impostor":      "imposter",
	"flawless":      "perfect perfectionism",
	"perfect":       "perfect perfectionism",
	"perfectionist": "perfectionism",
	"insomnia":      "sleep",
	"sleepless":     "sleep",
	"wiped":         "exhausted tired",
	"spent":         "exhausted",
	"humiliation":   "humiliated belittled",
	"humiliating":   "humiliated belittled",
	"argue":         "argument fight",
	"arguing":       "argument fight",
	"arguments":     "argument fight",
	"fights":        "fight argument",
	"fighting":      "fight argument",
	"notified":      "alerted",
	"notify":        "alerted",
	// People and roles.
	"mom":          "parent family",
	"mum":          "parent family",
	"dad":          "parent family",
	"kids":         "children family",
	"kid":          "child family",
	"coworker":     "colleague",
	"coworkers":    "colleagues",
	"classmate":    "classmate colleague",
	"classmates":   "classmates colleagues",
	"wife":         "partner",
	"husband":      "partner",
	"spouse":       "partner",
	"boyfriend":    "partner",
	"girlfriend":   "partner",
	"fiance":       "partner",
	"fiancee":      "partner",
	"therapist":    "therapist counselling",
	"therapy":      "therapy counselling",
	"shrink":       "therapist",
	"psychiatrist": "psychiatrist mental health",
	"consultant":   "attending",
	"hotline":      "crisis line",
	"helpline":     "crisis line",
	// Exams.
	"boards":  "boards exam",
	"usmle":   "step exam",
	"comlex":  "exam",
	"uworld":  "question bank exam",
	"qbank":   "question bank exam",
	"shelf":   "shelf exam",
	"shelves": "shelf exam",
	"flunk":   "fail",
	"flunked": "fail",
	// Nights and getting home.
	"nocturnist":  "nights night shift",
	"nocturnists": "nights night shift",
	"highway":     "driving road",
	"freeway":     "driving road",
	"commute":     "driving commute",
	"wheel":       "driving wheel",
	// Wellbeing words.
	"hobbies":  "hobbies activities enjoy",
	"hobby":    "hobby activities enjoy",
	"cpr":      "code resuscitation",
	"futile":   "futile aggressive treatment suffering",
	"buddy":    "buddy peer support",
	"phony":    "imposter fraud",
	"imposter": "imposter fraud",
	// Mistakes.
	"mistake":      "mistake error",
	"error":        "error mistake",
	"misdiagnosis": "mistake error",
	"behaviour":    "behavior behaviour",
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
