package safety

import (
	"context"
	"slices"
)

// Memory is what the classifier keeps of a whole conversation, however long, so that
// it does not depend on the window of recent turns it is shown. The caller stores it
// (assistant: the conversation_risk table, updated in the same transaction as each
// assessment) and passes it to AssessConversation; Remember folds an assessment in.
//
//   - Level, Categories and CSSRS are the red flags (urgent or higher) carried
//     forward. They are only ever raised: a retraction never lowers them. Only a
//     clinician's resolution clears them (the caller does that, see assistant).
//   - Signals are the names of the signals raised by earlier resident turns (memory
//     signals such as hopeless, ideation, means, timing and the concept signals).
//     A signal from any earlier turn combines with the judged message as one from a
//     recent turn would: "everything feels pointless" sixty turns ago plus "I know
//     where the keys to the pyxis are" now is an emergency.
type Memory struct {
	Level      Level      `json:"level"`
	Categories []Category `json:"categories"`
	CSSRS      int        `json:"cssrs,omitempty"`
	Signals    []string   `json:"signals"`
}

// transientSignals answer the turn just before them ("are you thinking of suicide?"
// then "yes") or only qualify the message they are in; they are not remembered.
var transientSignals = map[string]bool{
	"affirm": true, "bare_yes": true, "asked_suicide": true, "asked_self_harm": true,
	"self": true, "clinical": true, "joke": true, "recovery": true, "innocent": true, "mistake": true,
}

// remembered reports whether signal name is kept in Memory.
func remembered(name string) bool { return !transientSignals[name] }

// SpanEarlier is the evidence span of a finding that rests on Memory rather than on a
// turn the classifier was shown.
const SpanEarlier = "(earlier in the conversation)"

// RuleMemoryState names the evidence of red flags carried forward by Memory.
const RuleMemoryState = "memory.state"

// Remember returns m with a folded in: the level, categories and C-SSRS item of a's red
// flags raised (never lowered), and the signals a's message raised added. a must come
// from AssessConversation (or Assess) on the message that follows m.
func (m Memory) Remember(a Assessment) Memory {
	out := Memory{Level: m.Level, CSSRS: m.CSSRS,
		Categories: slices.Clone(m.Categories), Signals: slices.Clone(m.Signals)}
	for _, e := range a.Evidence {
		if e.Level < Urgent {
			continue
		}
		if e.Level > out.Level {
			out.Level = e.Level
		}
		if e.Category != "" && !slices.Contains(out.Categories, e.Category) {
			out.Categories = append(out.Categories, e.Category)
		}
	}
	if a.Level >= Urgent && a.Level > out.Level {
		out.Level = a.Level
	}
	if a.CSSRS > out.CSSRS {
		out.CSSRS = a.CSSRS
	}
	for _, s := range a.Signals {
		if !slices.Contains(out.Signals, s) {
			out.Signals = append(out.Signals, s)
		}
	}
	slices.Sort(out.Signals)
	if out.Categories == nil {
		out.Categories = []Category{}
	}
	if out.Signals == nil {
		out.Signals = []string{}
	}
	return out
}

// AssessConversation is Assess with the conversation's Memory: red flags carried in m
// count (evidence "memory.state", layer memory), and m's signals combine with the
// message as signals of earlier turns do. history is still given for what only recent
// turns decide (the assistant's last question, rules that require context). The
// returned assessment's Signals are the signals the message itself raised, for
// Memory.Remember.
func (c *Classifier) AssessConversation(ctx context.Context, m Memory, history []Turn, message string) (Assessment, error) {
	return c.assess(ctx, m, history, message)
}

// seed puts the memory's carried red flags and remembered signals into the judgement.
func (j *judgement) seed(m Memory, cs *concepts, past *sigset) {
	earlier := finding{span: SpanEarlier, start: -1, end: -1}
	for _, name := range m.Signals {
		if !remembered(name) {
			continue
		}
		j.signals = ensure(j.signals)
		j.signals[name] = append(j.signals[name], signalHit{f: earlier, seeded: true})
		if cs != nil {
			if id, ok := cs.index[name]; ok {
				past.add(id)
			}
		}
	}
	if m.Level < Urgent {
		return
	}
	cats := m.Categories
	if len(cats) == 0 {
		cats = []Category{""}
	}
	for _, cat := range cats {
		j.evidence = append(j.evidence, Evidence{Layer: LayerMemory, RuleID: RuleMemoryState, Category: cat,
			Level: m.Level, Span: SpanEarlier, Start: -1, End: -1})
	}
	if m.CSSRS > j.cssrs {
		j.cssrs = m.CSSRS
	}
}

// messageSignals lists the remembered signals the judged message raised, sorted.
func (j *judgement) messageSignals(cs *concepts, tg *tagged) []string {
	var out []string
	for name, hits := range j.signals {
		if !remembered(name) {
			continue
		}
		for _, h := range hits {
			if h.current {
				out = append(out, name)
				break
			}
		}
	}
	if cs != nil {
		for id, name := range cs.names {
			if tg.all.has(id) && remembered(name) && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func ensure(m map[string][]signalHit) map[string][]signalHit {
	if m == nil {
		return map[string][]signalHit{}
	}
	return m
}
