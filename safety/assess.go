package safety

// Layer names used in evidence.
const (
	LayerRules  = "rules"
	LayerMemory = "memory"
)

// signalIdeation is raised by every suicide-related finding; combination
// rules use it together with signals named in the rule files.
const signalIdeation = "ideation"

// signalHit is one occurrence of a signal, in the current message or earlier.
type signalHit struct {
	f       finding
	current bool
	seeded  bool // from Memory, not from a turn the classifier was shown
}

// judgement collects evidence and signals while a message is assessed.
type judgement struct {
	evidence []Evidence
	cssrs    int
	signals  map[string][]signalHit
}

func (j *judgement) addSignal(name string, f finding, current bool) {
	if j.signals == nil {
		j.signals = map[string][]signalHit{}
	}
	j.signals[name] = append(j.signals[name], signalHit{f: f, current: current})
}

// addFinding records a finding as evidence (when it has a level) and as
// signals. Findings from earlier turns are evidence of the memory layer and
// only carry forward when they are red flags.
func (j *judgement) addFinding(f finding, current bool) {
	r := f.rule
	if r.signal != "" {
		j.addSignal(r.signal, f, current)
	}
	if r.category.suicideRelated() && r.level >= Urgent {
		j.addSignal(signalIdeation, f, current)
	}
	if r.level >= Urgent || (current && r.level > None) {
		ev := Evidence{Layer: LayerRules, RuleID: r.id, Category: r.category, Level: r.level, Span: f.span, Start: f.start, End: f.end}
		if !current {
			ev.Layer, ev.Start, ev.End = LayerMemory, -1, -1
		}
		j.evidence = append(j.evidence, ev)
		if r.category.suicideRelated() && r.cssrs > j.cssrs {
			j.cssrs = r.cssrs
		}
	}
}

// applyCombos raises findings for signals that co-occur across the
// conversation: earlier hopelessness plus lethal means now, ideation plus
// timing, a retraction that follows a disclosure, and so on.
func (j *judgement) applyCombos(combos []combo) {
	for _, c := range combos {
		if !j.combinable(c.all) {
			continue
		}
		var hits []signalHit
		ok, fresh := true, false
		for _, name := range c.all {
			hs := j.signals[name]
			if len(hs) == 0 {
				ok = false
				break
			}
			// Prefer an occurrence in the current message as the evidence span,
			// then one in a turn shown, then one remembered.
			h := hs[0]
			for _, x := range hs {
				if x.current || (h.seeded && !x.seeded) {
					h = x
				}
				if x.current {
					break
				}
			}
			fresh = fresh || !h.seeded
			hits = append(hits, h)
		}
		// Remembered signals alone do not fire again: what they amounted to is
		// carried by Memory's level, and after a clinician's resolution only a new
		// signal re-opens the combination.
		if !ok || !fresh {
			continue
		}
		ev := Evidence{Layer: LayerRules, RuleID: c.id, Category: c.category, Level: c.level, Start: -1, End: -1}
		allCurrent := true
		for _, h := range hits {
			if !h.current {
				allCurrent = false
			}
		}
		if !allCurrent {
			ev.Layer = LayerMemory
		}
		for _, h := range hits {
			if h.current {
				ev.Span, ev.Start, ev.End = h.f.span, h.f.start, h.f.end
				break
			}
		}
		if ev.Span == "" {
			ev.Span = hits[0].f.span
		}
		j.evidence = append(j.evidence, ev)
		if c.category.suicideRelated() && c.cssrs > j.cssrs {
			j.cssrs = c.cssrs
		}
	}
}

// comboSpan is the most bytes that signals of one combination may span when
// all of them are in the current message: a chat message is judged whole,
// while in a long post an "ideation" word and a time many sentences apart do
// not combine. Signals from earlier turns combine whatever the distance.
const comboSpan = 400

// combinable reports whether every named signal occurred and, when none of
// them occurred in an earlier turn, whether one occurrence of each lies within
// comboSpan bytes of the others.
func (j *judgement) combinable(names []string) bool {
	past := false
	for _, name := range names {
		hs := j.signals[name]
		if len(hs) == 0 {
			return false
		}
		for _, h := range hs {
			past = past || !h.current || h.f.start < 0
		}
	}
	if past {
		return true
	}
	// all current with positions: look for a window, starting at one of the
	// hits, that holds one hit of each signal
	for _, first := range names {
		for _, start := range j.signals[first] {
			if j.window(names, start.f.start) {
				return true
			}
		}
	}
	return false
}

// window reports whether every named signal has a hit within comboSpan bytes
// from the byte offset from.
func (j *judgement) window(names []string, from int) bool {
	for _, name := range names {
		found := false
		for _, h := range j.signals[name] {
			if h.f.start >= from && h.f.end-from <= comboSpan {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// assessment turns the judgement into an Assessment.
func (j *judgement) assessment(version string) Assessment {
	a := Merge(Assessment{Evidence: j.evidence})
	a.CSSRS = j.cssrs
	a.Version = version
	return a
}

// assess is the rules layer with conversation memory: it judges message in
// the light of the conversation's Memory and the earlier turns shown. It also
// returns the byte ranges of the message that the rules explained away (an
// idiom, a negation, someone else's risk, a clinical use), for the learned
// layer.
func (rs *ruleSet) assess(m Memory, history []Turn, message string) (Assessment, []span) {
	var j judgement
	var resident []normText
	var past sigset // concept signals of earlier resident turns
	j.seed(m, rs.concepts, &past)
	for i, turn := range history {
		switch turn.Author {
		case AuthorAssistant, AuthorClinician:
			// Only the last few assistant turns set context ("are you
			// thinking of suicide?" followed by "yes").
			if len(history)-i > 3 {
				continue
			}
			nt := rs.norm.normalize(turn.Text)
			for _, f := range rs.scan(targetAssistant, &nt, turn.Text, scanContext{}) {
				j.addFinding(f, false)
			}
		case AuthorSystem:
		default: // resident (or unspecified)
			nt := rs.norm.normalize(turn.Text)
			for _, f := range rs.scan(targetMessage, &nt, turn.Text, scanContext{history: resident}) {
				j.addFinding(f, false)
			}
			tg := rs.tag(&nt, turn.Text)
			rs.applyConcepts(&j, &tg, past, false)
			past.union(tg.all)
			resident = append(resident, nt)
		}
	}
	nt := rs.norm.normalize(message)
	var explained []span
	for _, f := range rs.scan(targetMessage, &nt, message, scanContext{history: resident, explained: &explained}) {
		j.addFinding(f, true)
	}
	tg := rs.tag(&nt, message)
	rs.applyConcepts(&j, &tg, past, true)
	j.applyCombos(rs.combos)
	a := j.assessment(rs.version)
	a.Signals = j.messageSignals(rs.concepts, &tg)
	out := make([]span, 0, len(explained))
	for _, x := range explained {
		if s, e := nt.origSpan(x.s, x.e); s >= 0 && e <= len(message) && s < e {
			out = append(out, span{s, e})
		}
	}
	return a, out
}
