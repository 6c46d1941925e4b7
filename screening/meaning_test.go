package screening

import (
	"strings"
	"testing"
)

// TestEveryBandHasAMeaning: whatever a complete screen scores, the resident is told what it
// means in plain words.
func TestEveryBandHasAMeaning(t *testing.T) {
	for _, in := range Instruments() {
		for _, b := range in.Bands {
			r := Result{Instrument: in.ID, Band: b.Name}
			if m := Meaning(r); m == "" || strings.Contains(m, "_") {
				t.Errorf("%s band %s: meaning %q", in.ID, b.Name, m)
			}
		}
		if in.Topic == "" {
			t.Errorf("%s has no topic", in.ID)
		}
	}
	if Meaning(Result{Instrument: PHQ9}) != "" {
		t.Error("an unscored result has a meaning")
	}
	if got := BandLabel("moderately_severe"); got != "moderately severe" {
		t.Errorf("BandLabel = %q", got)
	}
}

// TestVersionFollowsTheWording: the version is stable, differs between instruments, and
// changes when a question's wording or a cut-off changes.
func TestVersionFollowsTheWording(t *testing.T) {
	seen := map[string]ID{}
	for _, in := range Instruments() {
		v := in.Version()
		again, _ := Lookup(in.ID)
		if again.Version() != v || !strings.HasPrefix(v, string(in.ID)+"-") || len(v) != len(in.ID)+13 {
			t.Errorf("%s: version %q is not stable or well formed", in.ID, v)
		}
		if other, ok := seen[v]; ok {
			t.Errorf("%s and %s share version %q", in.ID, other, v)
		}
		seen[v] = in.ID
	}
	in, _ := Lookup(PHQ9)
	base := in.Version()
	in.Items[8].Text += "?"
	if in.Version() == base {
		t.Error("changing item 9's wording kept the version")
	}
	in, _ = Lookup(PHQ9)
	in.PositiveAt = 11
	if in.Version() == base {
		t.Error("changing the cut-off kept the version")
	}
}
