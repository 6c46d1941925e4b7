package safety

import (
	"testing"
)

// A resident who writes several long, ordinary messages about nights and then asks for
// sleep tips must not be handed to a clinician: the statistical layer once escalated this
// when it scored earlier turns as context.
func TestLongOrdinaryConversationDoesNotEscalate(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	msgs := []string{
		"Night 2 of nights on the medicine wards. The pager would not stop going off and I kept thinking about the patient in bed twelve, the one we coded yesterday. I keep replaying whether I should have called the rapid response sooner. My senior says we did everything right but I can't shake it. I'm so tired that the words on the screen swim. I just want this week to be over so I can sleep.",
		"Tonight was better I guess. Still got paged nonstop, admitted four people, one of them a really sad story about a guy whose wife just left him. I ate a granola bar at 3am and that was dinner. Honestly I would stop doing nights forever if I could. Anyway I'm home now and can't fall asleep even though I'm wrecked.",
		"Last night of the stretch. My co-resident brought donuts which helped. I keep thinking about how much of my twenties I'm spending under fluorescent lights. Is it normal to feel this flat? Not sad exactly, just flat, like nothing would make me excited right now. Going to try to sleep and then see my sister this weekend.",
		"Back on days now and my sleep is totally messed up. I lie awake until 4 and then the alarm goes at 5:30. I've tried melatonin and blackout curtains. Any other ideas? I would love to feel human again.",
	}
	var hist []Turn
	for i, m := range msgs {
		a, err := c.Assess(t.Context(), hist, m)
		if err != nil {
			t.Fatal(err)
		}
		if a.Level.ForcesHandoff() {
			t.Errorf("message %d escalated (%v %v): %+v", i, a.Level, a.Categories, a.Evidence)
		}
		hist = append(hist, Turn{Author: AuthorResident, Text: m}, Turn{Author: AuthorAssistant, Text: "That sounds exhausting. Here is something that may help."})
	}
}
