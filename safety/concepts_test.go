package safety

import (
	"context"
	"strings"
	"testing"
)

// TestConceptRuleExamples checks every concept rule's examples (with their
// example_history as earlier resident turns) and non_examples (alone).
func TestConceptRuleExamples(t *testing.T) {
	c := testClassifier(t)
	if c.rules.concepts == nil || len(c.rules.concepts.rules) == 0 {
		t.Fatal("no concept rules")
	}
	for _, r := range c.rules.concepts.rules {
		var hist []Turn
		for _, h := range r.spec.History {
			hist = append(hist, Turn{Author: AuthorResident, Text: h})
		}
		for _, ex := range r.spec.Positives {
			if ev, ok := conceptFires(t, c, hist, ex, r.id); !ok {
				t.Errorf("%s: example %q does not fire", r.id, ex)
			} else if ev.Signals == "" || ev.Level != r.level {
				t.Errorf("%s: example %q: evidence %+v names no signals", r.id, ex, ev)
			}
		}
		for _, ex := range r.spec.Negatives {
			if _, ok := conceptFires(t, c, nil, ex, r.id); ok {
				t.Errorf("%s: non-example %q fires", r.id, ex)
			}
		}
	}
}

func conceptFires(t *testing.T, c *Classifier, hist []Turn, text, id string) (Evidence, bool) {
	t.Helper()
	a, err := c.Assess(context.Background(), hist, text)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Evidence {
		if e.RuleID == id {
			return e, true
		}
	}
	return Evidence{}, false
}

// TestConceptEvidence checks that concept evidence quotes the resident's
// words with offsets into the message and names each signal.
func TestConceptEvidence(t *testing.T) {
	c := testClassifier(t)
	msg := "Got everything I need. Rope's up in the garage. I'll be clocking out for good."
	a, err := c.Assess(context.Background(), nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	if a.Level != Emergency {
		t.Fatalf("level %v, want emergency: %+v", a.Level, a.Evidence)
	}
	found := false
	for _, e := range a.Evidence {
		if !strings.HasPrefix(e.RuleID, "concept.") {
			continue
		}
		found = true
		if e.Start < 0 || e.End > len(msg) || msg[e.Start:e.End] != e.Span {
			t.Errorf("%s: span %q at [%d,%d) does not quote the message", e.RuleID, e.Span, e.Start, e.End)
		}
		if !strings.Contains(e.Signals, "means=Rope's") {
			t.Errorf("%s: signals %q do not name the means as written", e.RuleID, e.Signals)
		}
	}
	if !found {
		t.Fatalf("no concept evidence: %+v", a.Evidence)
	}
}

// TestConceptFilters: negation, attribution and idioms apply to signals.
func TestConceptFilters(t *testing.T) {
	c := testClassifier(t)
	for _, msg := range []string{
		"my patient bought a big bottle of tylenol and took all of them tonight",
		"I'm not going to take all of my pills tonight, I'm fine, just exhausted",
		"this shift is killing me, I want to disappear into my bed",
		"pushed 2 of ativan and the patient finally settled",
	} {
		a, err := c.Assess(context.Background(), nil, msg)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range a.Evidence {
			if strings.HasPrefix(e.RuleID, "concept.") {
				t.Errorf("%q: concept rule %s fired (%s)", msg, e.RuleID, e.Signals)
			}
		}
	}
}

// BenchmarkConceptTag measures the concept tagging of a 2,000-character message.
func BenchmarkConceptTag(b *testing.B) {
	c, err := New()
	if err != nil {
		b.Fatal(err)
	}
	msg := longMessage()
	nt := c.rules.norm.normalize(msg)
	b.ReportAllocs()
	for b.Loop() {
		tg := c.rules.tag(&nt, msg)
		var j judgement
		c.rules.applyConcepts(&j, &tg, sigset{}, true)
	}
}

// TestConceptNumbersAndPlaces: "#" matches amounts of at least ten, and the
// writer's own places ("the call room", "in bed") are not someone else.
func TestConceptNumbersAndPlaces(t *testing.T) {
	for w, want := range map[string]bool{"30": true, "90x": true, "10": true, "thirty": true, "2": false, "9": false, "x": false, "3rd": false, "": false} {
		if got := isNumberWord(w); got != want {
			t.Errorf("isNumberWord(%q) = %v, want %v", w, got, want)
		}
	}
	if got := maskPlaces("sat in the call room, room 12 is fine"); got != "sat in the call r00m, room 12 is fine" {
		t.Errorf("maskPlaces: %q", got)
	}
	c := testClassifier(t)
	if _, ok := conceptFires(t, c, nil, "it's not for a patient, I've got 2 of the propranolol", "concept.means_quantity_forme"); ok {
		t.Error("a small count fires as a lethal quantity")
	}
	if _, ok := conceptFires(t, c, nil, "heart racing, can't breathe, I'm in the call room and I'm the only one covering", "concept.panic_now"); !ok {
		t.Error("the call room is taken for someone else")
	}
}
