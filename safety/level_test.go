package safety

import (
	"encoding/json"
	"testing"
)

func TestLevelText(t *testing.T) {
	for _, l := range []Level{None, Concern, Urgent, Emergency} {
		b, err := l.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%d): %v", l, err)
		}
		var back Level
		if err := back.UnmarshalText(b); err != nil || back != l {
			t.Errorf("round trip %v -> %q -> %v (%v)", l, b, back, err)
		}
		if p, err := ParseLevel(" " + l.String() + " "); err != nil || p != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l.String(), p, err)
		}
	}
	if _, err := ParseLevel("severe"); err == nil {
		t.Error("ParseLevel accepted an unknown level")
	}
	if _, err := Level(9).MarshalText(); err == nil {
		t.Error("MarshalText accepted an invalid level")
	}
	b, _ := json.Marshal(Assessment{Level: Emergency})
	if string(b) != `{"level":"emergency","categories":null,"evidence":null,"version":""}` {
		t.Errorf("JSON = %s", b)
	}
}

func TestForcesHandoff(t *testing.T) {
	want := map[Level]bool{None: false, Concern: false, Urgent: true, Emergency: true}
	for l, w := range want {
		if l.ForcesHandoff() != w {
			t.Errorf("%v.ForcesHandoff() = %v", l, !w)
		}
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
