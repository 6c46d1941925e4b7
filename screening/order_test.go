package screening

import (
	"slices"
	"testing"
)

func TestCompareOrdersMostPressingFirst(t *testing.T) {
	score := func(id ID, total int, extra Responses) Result {
		t.Helper()
		r, err := Score(id, answersFor(t, id, total, extra))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	item9 := score(PHQ9, 0, Responses{"phq9_9": 1}) // urgent, total 1
	phqSevere := score(PHQ9, 22, nil)               // concern, 22/27
	gadSevere := score(GAD7, 21, nil)               // concern, 21/21
	burnedOut := score(Burnout, 3, nil)             // concern, 2/4 of its range
	phqMild := score(PHQ9, 8, nil)                  // none, 8/27
	gadMild := score(GAD7, 8, nil)                  // none, 8/21
	calm := score(Burnout, 1, nil)                  // none, 0

	got := []Result{calm, phqMild, burnedOut, gadMild, phqSevere, item9, gadSevere}
	slices.SortStableFunc(got, Compare)
	want := []Result{item9, gadSevere, phqSevere, burnedOut, gadMild, phqMild, calm}
	for i := range want {
		if got[i].Instrument != want[i].Instrument || got[i].Total != want[i].Total {
			t.Errorf("position %d: got %s %d, want %s %d", i, got[i].Instrument, got[i].Total, want[i].Instrument, want[i].Total)
		}
	}
	if Compare(phqMild, phqMild) != 0 {
		t.Error("a result is more pressing than itself")
	}
}
