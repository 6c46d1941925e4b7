package safety

import (
	"encoding/json"
	"testing"
)

// TestAssessmentJSON: an assessment's level is written by name (nightfloat.Level).
func TestAssessmentJSON(t *testing.T) {
	b, _ := json.Marshal(Assessment{Level: Emergency})
	if string(b) != `{"level":"emergency","categories":null,"evidence":null,"version":""}` {
		t.Errorf("JSON = %s", b)
	}
}

func TestMergeOnlyRaises(t *testing.T) {
	a := Assessment{Level: Urgent, Categories: []Category{SelfHarm}, CSSRS: 0, Version: "v1",
		Evidence: []Evidence{{Layer: "rules", RuleID: "a", Category: SelfHarm, Level: Urgent}}}
	b := Assessment{Level: Concern, Categories: []Category{Distress}, Errors: []string{"model: timeout"},
		Evidence: []Evidence{{Layer: "model", RuleID: "b", Category: Distress, Level: Concern}}}
	c := Assessment{Level: Emergency, CSSRS: 5, Categories: []Category{SuicidePlanOrIntent}}
	for _, order := range [][]Assessment{{a, b}, {b, a}, {a, b, c}, {c, b, a}, {a, a}} {
		m := Merge(order...)
		for _, x := range order {
			if m.Level < x.Level || m.CSSRS < x.CSSRS {
				t.Errorf("Merge lowered: %v/%d < %v/%d", m.Level, m.CSSRS, x.Level, x.CSSRS)
			}
			for _, cat := range x.Categories {
				if !hasCategory(m, cat) {
					t.Errorf("Merge dropped category %s", cat)
				}
			}
		}
	}
	if m := Merge(a, b); len(m.Evidence) != 2 || len(m.Errors) != 1 || m.Version != "v1" {
		t.Errorf("Merge(a,b) = %+v", m)
	}
	if m := Merge(a, a); len(m.Evidence) != 1 || len(m.Categories) != 1 {
		t.Errorf("Merge did not deduplicate: %+v", m)
	}
	if m := Merge(); m.Level != None || m.Categories == nil || m.Evidence == nil {
		t.Errorf("Merge() = %+v", m)
	}
}

func hasCategory(a Assessment, c Category) bool {
	for _, x := range a.Categories {
		if x == c {
			return true
		}
	}
	return false
}
