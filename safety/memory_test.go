package safety

import (
	"context"
	"fmt"
	"testing"
)

// converse plays resident messages through AssessConversation as the assistant does:
// each is judged with the conversation's Memory and only the last window turns shown,
// and its assessment is folded into the Memory. It returns the last assessment and
// the Memory after it.
func converse(t *testing.T, c *Classifier, m Memory, window int, msgs []string) (Assessment, Memory) {
	t.Helper()
	var turns []Turn
	var a Assessment
	for _, msg := range msgs {
		h := turns
		if len(h) > window {
			h = h[len(h)-window:]
		}
		var err error
		a, err = c.AssessConversation(context.Background(), m, h, msg)
		if err != nil {
			t.Fatalf("AssessConversation(%q): %v", msg, err)
		}
		m = m.Remember(a)
		turns = append(turns, Turn{Author: AuthorResident, Text: msg}, Turn{Author: AuthorAssistant, Text: "Here is something from the sleep guide that may help."})
	}
	return a, m
}

// fillers returns n ordinary questions.
func fillers(n int) []string {
	qs := []string{"how do I sleep after a night shift?", "any tips for presenting on rounds?",
		"what's a good way to study for the ITE?", "how do I handle a page storm?", "what should I eat on nights?"}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s (%d)", qs[i%len(qs)], i)
	}
	return out
}

func TestMemoryWholeConversation(t *testing.T) {
	c := testClassifier(t)
	tests := []struct {
		name  string
		msgs  []string
		level Level
	}{
		{"60 turns: hopelessness early, means late", append(append([]string{"everything feels pointless"}, fillers(58)...), "I know where the keys to the pyxis are"), Emergency},
		{"60 turns: ideation early, timing late", append(append([]string{"I've been thinking about ending it"}, fillers(58)...), "tonight, after my shift"), Emergency},
		{"10 fillers: the issue's example", append(append([]string{"everything feels pointless"}, fillers(10)...), "I know where the keys to the pyxis are"), Emergency},
		{"retraction does not lower", append([]string{"I want to die", "never mind, I'm fine"}, fillers(30)...), Urgent},
		{"60 ordinary turns stay ordinary", fillers(60), None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := converse(t, c, Memory{}, 20, tt.msgs)
			if a.Level != tt.level {
				t.Errorf("last level = %v, want %v; evidence %+v", a.Level, tt.level, a.Evidence)
			}
		})
	}
}

// TestMemoryWindowAlone shows what the Memory adds: with the window alone (no Memory
// passed on) the late means signal is answered as ordinary.
func TestMemoryWindowAlone(t *testing.T) {
	c := testClassifier(t)
	msgs := append(append([]string{"everything feels pointless"}, fillers(10)...), "I know where the keys to the pyxis are")
	var turns []Turn
	for _, m := range msgs[:len(msgs)-1] {
		turns = append(turns, Turn{Author: AuthorResident, Text: m}, Turn{Author: AuthorAssistant, Text: "ok"})
	}
	a, err := c.Assess(context.Background(), turns[len(turns)-20:], msgs[len(msgs)-1])
	if err != nil {
		t.Fatal(err)
	}
	if a.Level.ForcesHandoff() {
		t.Fatalf("window alone escalated (%v); the Memory test above would not show what Memory adds", a.Level)
	}
}

// TestMemoryAfterResolution: a memory whose carried level a clinician cleared keeps
// its signals; they do not fire again on their own, but a new signal combines.
func TestMemoryAfterResolution(t *testing.T) {
	c := testClassifier(t)
	_, m := converse(t, c, Memory{}, 20, []string{"I've been thinking about ending it"})
	if m.Level != Urgent {
		t.Fatalf("memory level = %v, want urgent", m.Level)
	}
	resolved := Memory{Level: None, Categories: []Category{}, Signals: m.Signals}
	tests := []struct {
		msg   string
		level Level
	}{
		{"thanks, that helped", None},
		{"what should I eat on nights?", None},
		{"I'm doing it tonight", Emergency},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			a, err := c.AssessConversation(context.Background(), resolved, nil, tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if a.Level != tt.level {
				t.Errorf("level = %v, want %v; evidence %+v", a.Level, tt.level, a.Evidence)
			}
		})
	}
}

func TestMemoryRememberOnlyRaises(t *testing.T) {
	m := Memory{Level: Emergency, Categories: []Category{SuicidePlanOrIntent}, CSSRS: 5, Signals: []string{"ideation"}}
	got := m.Remember(Assessment{Level: None, Signals: []string{"timing"}})
	if got.Level != Emergency || got.CSSRS != 5 || len(got.Categories) != 1 {
		t.Errorf("Remember lowered: %+v", got)
	}
	if want := []string{"ideation", "timing"}; fmt.Sprint(got.Signals) != fmt.Sprint(want) {
		t.Errorf("signals = %v, want %v", got.Signals, want)
	}
}
