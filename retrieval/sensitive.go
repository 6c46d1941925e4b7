package retrieval

import (
	"regexp"
	"strings"
)

// sensitiveSubjects are the documents about suicide loss, substance use, abuse and
// harassment, urgent help, someone else in danger and an impaired colleague, each with the subject a message must be about for the
// document to be returned. Quoting one of them to a message about something else (a hard
// night of admissions answered from the suicide-loss document) alarms and misleads, so a
// search drops them unless the message names their subject. The patterns are broad on
// purpose: a message that is about the subject in any words must keep its document. "Drug"
// alone is not the subject (clinicians ask about drug doses and interactions), but a named
// opioid is: a clinical question about one is kept from the substance-use document by the
// router's off-topic class, not by this pattern.
var sensitiveSubjects = map[string]*regexp.Regexp{
	"after-a-colleague-dies-by-suicide":    regexp.MustCompile(`suicid|\bkill(ed|s)? (him|her|them)sel(f|ves)\b|\btook (his|her|their) (own )?life\b|\bhanged\b|\bended (his|her|their) life\b|\bkms\b`),
	"substance-use-and-asking-for-help":    regexp.MustCompile(`\b(drink|drinks|drinking|drank|drunk|alcohol\w*|booze|boozing|wine|beers?|vodka|whiskey|tequila|shots|liquor|hungover|hangover|sober|sobriety|relapse\w*|drugs|drug use|drug habit|recreational|substances?|weed|cannabis|marijuana|edibles?|pot|coke|cocaine|opioids?|opiates?|fentanyl|oxys?|oxycodone|oxycontin|percs?|percocet|norco|vicodin|hydrocodone|dilaudid|hydromorphone|benzos?|xanax|adderall|stimulants?|pills?|high|using|addict\w*|dependen\w*|aa|na|recovery|diverting|diversion|impaired|impairment|php|physician health program)\b`),
	"harassment-and-discrimination":        regexp.MustCompile(`harass|discriminat|racis|sexis|homophob|transphob|misogyn|microaggress|\bslurs?\b|\bgrop|\btouch(ed|es|ing)? me\b|\btouch(ed|es|ing)? my (lower back|back|waist|legs?|thighs?|butt|hair|arms?|shoulders?|neck|face)\b|\basking (if|whether) (i'?m|i am) single\b|\bcomment(s|ed|ing)? on my (body|looks|weight|figure|appearance|chest)\b|\bhit(ting)? on me\b|\bcame on to me\b|\bcomments? about (my|her|his) (body|looks|weight|chest|race|accent|hair|skin|religion|hijab)|\bbecause (i'?m|i am|she'?s|he'?s) (a )?(woman|black|brown|gay|queer|trans|muslim|jewish|asian|latin[ao]|immigrant|pregnant|disabled)|\b(title ix|inappropriate|creepy|creep|unwanted|sexual|gross comments?|race|racial|pregnant|pregnancy|ethnicity|gender|accent|outfit|wearing|religion|religious|skin colou?r)\b|\b(would|will|could|might|it'd|it'll) ['"‘“]?(help|boost|bump|improve|fix) (my|your|her|his) (grade|grades|eval|evals|evaluation|evaluations|score)\b|\bmistaken for\b|\bassumed i was\b|\basked (if|whether) i was (the|a) (nurse|tech|interpreter|secretary|student)\b`),
	"urgent-help-right-now":                regexp.MustCompile(`suicid|\bkms\b|\bunalive|\b(kill|hurt|harm|cut) (myself|me)\b|\bend (it|it all|my life|things)\b|\b(want|wanna|wish) (to|i could|i was|i were) (die|dead|disappear|not wake up|not be here|not exist)|\bbetter off (without me|dead|gone)\b|\b(keep|keeping) (myself|me) safe\b|\bnot safe\b|\bunsafe\b|\bno reason to live\b|\bcan'?t go on\b|\bcrisis\b|\bemergency\b|\b(need|needs|want|help|talk|someone|somebody|safe|scared|terrified|panick?\w*|bad|dark|struggling|not ok(ay)?)\b[^.?!]{0,30}\bright now\b|\bhotline\b|\b988\b|\boverdos|\bplan to\b|\bgoodbye\b|\bself[- ]harm|\b(don'?t|do not) want to (be here|be alive|live|exist|wake up)\b|\bnumbers?\b|\b(really|so|very|pretty) (dark|bad)\b|\btalk to (someone|somebody|a person|a human)\b|\b(get|got|gets|getting) (really |very )?(bad|dark)\b|\bhow (i'?d|i would|to) (do it|end it)\b|\b(thinking|thought|think|thinkin) (about|of) (doing it|ending it|ending things)\b|(suicid\w*|killed (him|her|them)sel(f|ves))[^.?!]{0,80}\b(do|doing) the same\b`),
	"someone-in-danger-right-now":          regexp.MustCompile(`suicid|overdos|\bkms\b|\btook (a lot of |too many |a bunch of )?(pills|tablets)\b|\b(gun|guns|weapon|knife|rope)\b|\b(kill|hurt|harm|cut) (him|her|them)sel(f|ves)\b|\bin danger\b|\bnot safe\b|\bunsafe\b|\b(wants?|going) to die\b|\bend(ing)? (his|her|their) life\b|\b911\b|\b988\b|\bgoodbye\b|\bsorry for everything\b|\bwon'?t (matter|be (here|around)) (soon|much longer|anymore)\b|\bgave away (his|her|their) (stuff|things|belongings|pets?|cat|dog)\b`),
	"when-a-colleague-is-impaired-at-work": regexp.MustCompile(`\b(drunk|intoxicated|impaired|impairment|smell(s|ed)?( of| like)? (alcohol|booze|weed|vodka|liquor|beer|wine|whiskey)|under the influence|high at work|diverting|diversion|nodding off|slurr\w*|stumbl\w*|shak(y|ing|es)|trembl\w*|tremors?|glassy[- ]eyed|pinpoint pupils|unsafe to (work|practi[cs]e|operate)|drinking (at|before|on) (work|shift|call))\b`),
	"workplace-violence-for-nurses":        regexp.MustCompile(`violen|assault|\b(hit|hits|punch\w*|kick\w*|slapp?\w*|grabb?\w*|bit|bitten|spat|spit|choked|shoved|pushed|scratched|attacked|threat\w*|stalk\w*|beat)\b|\bswung at\b|\bcame at me\b`),
}

// Sensitive reports whether docID is returned only for messages about its subject.
func Sensitive(docID string) bool {
	_, ok := sensitiveSubjects[docID]
	return ok
}

// AboutSubject reports whether query is about the subject of the sensitive document
// docID. It is true for every document that is not sensitive.
func AboutSubject(docID, query string) bool {
	re, ok := sensitiveSubjects[docID]
	return !ok || re.MatchString(strings.ToLower(query))
}

// onSubject drops the chunks and phrasings of sensitive documents whose subject query is
// not about, before any of them counts as evidence that the question is answerable. A
// document the router gives at least routerSubjectProb (routed) counts as the subject.
func onSubject(query string, cands []candidate, hits []phraseHit, routed map[string]float64) ([]candidate, []phraseHit) {
	return keepDocs(cands, hits, func(doc string) bool {
		return AboutSubject(doc, query) || routed[doc] >= routerSubjectProb
	})
}

// keepDocs keeps the chunks and phrasings of the documents keep accepts.
func keepDocs(cands []candidate, hits []phraseHit, keep func(docID string) bool) ([]candidate, []phraseHit) {
	var keptC []candidate
	for _, c := range cands {
		if keep(c.DocID) {
			keptC = append(keptC, c)
		}
	}
	var keptH []phraseHit
	for _, h := range hits {
		if keep(h.docID) {
			keptH = append(keptH, h)
		}
	}
	return keptC, keptH
}
