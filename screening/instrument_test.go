package screening

import (
	"errors"
	"strings"
	"testing"

	"nightfloat"
)

// TestInstrumentsAreConsistent checks each instrument's data against itself: unique keys,
// options in order, bands covering every possible total once, a cut-off inside the range,
// and a licence and sources for every instrument.
func TestInstrumentsAreConsistent(t *testing.T) {
	ins := Instruments()
	if len(ins) != len(IDs) {
		t.Fatalf("Instruments() has %d instruments, IDs has %d", len(ins), len(IDs))
	}
	for i, in := range ins {
		t.Run(string(in.ID), func(t *testing.T) {
			if in.ID != IDs[i] {
				t.Errorf("instrument %d is %q, want %q", i, in.ID, IDs[i])
			}
			seen := map[string]bool{}
			for n, q := range in.Items {
				if seen[q.ID] || !strings.HasPrefix(q.ID, string(in.ID)+"_") {
					t.Errorf("question key %q is repeated or lacks the %q prefix", q.ID, in.ID)
				}
				seen[q.ID] = true
				if q.Number != n+1 || q.Text == "" || len(q.Options) < 2 {
					t.Errorf("question %q: number %d (want %d), text %q, %d options", q.ID, q.Number, n+1, q.Text, len(q.Options))
				}
				for k := 1; k < len(q.Options); k++ {
					if q.Options[k].Value != q.Options[k-1].Value+1 || q.Options[k].Label == "" {
						t.Errorf("question %q: options not consecutive and labelled: %v", q.ID, q.Options)
					}
				}
			}
			lo, hi := in.MinTotal(), in.MaxTotal()
			next := lo
			for _, b := range in.Bands {
				if b.Min != next || b.Max < b.Min || b.Name == "" {
					t.Errorf("band %+v: want it to start at %d", b, next)
				}
				next = b.Max + 1
			}
			if next != hi+1 {
				t.Errorf("bands end at %d, want %d", next-1, hi)
			}
			if in.PositiveAt <= lo || in.PositiveAt > hi {
				t.Errorf("PositiveAt %d outside (%d, %d]", in.PositiveAt, lo, hi)
			}
			if in.Name == "" || in.Measures == "" || in.Licence == "" || len(in.Sources) == 0 {
				t.Errorf("name, measures, licence or sources missing")
			}
			for _, s := range in.Sources {
				if s.Supports == "" || s.Citation == "" || !strings.HasPrefix(s.URL, "https://") {
					t.Errorf("source %+v incomplete", s)
				}
			}
		})
	}
}

// TestPublishedShape pins what the papers and forms say: item counts, score ranges,
// cut-offs and the wording most often mis-copied.
func TestPublishedShape(t *testing.T) {
	tests := []struct {
		id                 ID
		scored, unscored   int
		min, max, positive int
		lowest             string
	}{
		{PHQ9, 9, 1, 0, 27, 10, "Not at all"},
		{GAD7, 7, 0, 0, 21, 10, "Not at all"}, // not "Not at all sure" (Zorowitz et al. 2021)
		{Burnout, 1, 0, 1, 5, 3, "I enjoy my work. I have no symptoms of burnout."},
	}
	for _, tt := range tests {
		t.Run(string(tt.id), func(t *testing.T) {
			in, err := Lookup(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			scored, unscored := 0, 0
			for _, q := range in.Items {
				if q.Scored {
					scored++
				} else {
					unscored++
				}
			}
			if scored != tt.scored || unscored != tt.unscored {
				t.Errorf("got %d scored and %d unscored questions, want %d and %d", scored, unscored, tt.scored, tt.unscored)
			}
			if in.MinTotal() != tt.min || in.MaxTotal() != tt.max || in.PositiveAt != tt.positive {
				t.Errorf("got range %d-%d positive at %d, want %d-%d at %d", in.MinTotal(), in.MaxTotal(), in.PositiveAt, tt.min, tt.max, tt.positive)
			}
			if got := in.Items[0].Options[0].Label; got != tt.lowest {
				t.Errorf("lowest option %q, want %q", got, tt.lowest)
			}
		})
	}
}

// TestOnlyItem9Alerts: PHQ-9 item 9 is the one question that raises a screen by itself.
func TestOnlyItem9Alerts(t *testing.T) {
	for _, in := range Instruments() {
		for _, q := range in.Items {
			want := nightfloat.LevelNone
			if q.ID == "phq9_9" {
				want = nightfloat.LevelUrgent
			}
			if q.Alert != want {
				t.Errorf("%s alert %v, want %v", q.ID, q.Alert, want)
			}
		}
	}
	in, _ := Lookup(PHQ9)
	if !strings.Contains(in.Items[8].Text, "better off dead") {
		t.Errorf("PHQ-9 item 9 is %q", in.Items[8].Text)
	}
}

func TestLookupUnknown(t *testing.T) {
	_, err := Lookup("phq8")
	var e *nightfloat.Error
	if !errors.As(err, &e) || e.Code != nightfloat.CodeInvalid {
		t.Fatalf("got %v, want a CodeInvalid error", err)
	}
}

// TestInstrumentsAreFresh: changing what Instruments returns changes nothing for the next
// caller.
func TestInstrumentsAreFresh(t *testing.T) {
	a := Instruments()
	a[0].Items[8].Alert = nightfloat.LevelNone
	a[0].Items[0].Options[0].Label = "changed"
	b, _ := Lookup(PHQ9)
	if b.Items[8].Alert != nightfloat.LevelUrgent || b.Items[0].Options[0].Label != "Not at all" {
		t.Fatal("a caller's change leaked into the next Lookup")
	}
}
