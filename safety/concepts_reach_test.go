package safety

import "testing"

// TestConceptNoneReachesTheWriter: a clinical question, a joke or an innocent
// mishap in one sentence does not explain away the writer's own risk in the
// next. Residents often ask about a patient and then say what is happening to
// them. A sentence that says nothing about the writer still takes its context
// from the rest of the message.
func TestConceptNoneReachesTheWriter(t *testing.T) {
	checkRulesHandoff(t, []rulesHandoffCase{
		{"my patient told me his family would be better off without him, what's the workup. If I didn't have my cat I think I would've ended it already", true},
		{"how do we detect diversion in the OR. honestly I kept the waste from the fentanyl last night", true},
		{"I drew up the sux for the RSI in bed 4. there's a syringe of sux in my locker", true},
		{"how do you treat someone hearing voices in the ED. i keep seeing shadows moving in the med room and hearing my name", true},
		{"almost got hit by a car, thank god I saw it. part of me wishes someone would run me over in the parking lot", true},
		{"I burned my hand on the stove again. I burn my forearm with the car lighter after bad shifts. it's the only thing that makes me feel something", true},
		// the context still explains its own sentence, and sentences not about the writer
		{"how do we detect diversion in the OR", false},
		{"I drew up the sux for the RSI in bed 4", false},
		{"how do we detect diversion in the OR. the nurse was caught diverting fentanyl", false},
	})
}
