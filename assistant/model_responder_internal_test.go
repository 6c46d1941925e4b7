package assistant

import (
	"errors"
	"strings"
	"testing"

	"nightfloat/retrieval"
)

func TestReplyWriterStripsCitationMarkersAcrossPieces(t *testing.T) {
	sources := []retrieval.Result{{ChunkID: "sleep-after-night-float#2"}, {ChunkID: "paced-breathing#0"}}
	tests := []struct {
		name   string
		pieces []string
		want   string
		cited  []string
	}{
		{"whole", []string{"Keep one window [sleep-after-night-float#2]. Then rest."}, "Keep one window. Then rest.", []string{"sleep-after-night-float#2"}},
		{"split everywhere", strings.Split("Keep one window [sleep-after-night-float#2]. Then rest.", ""), "Keep one window. Then rest.", []string{"sleep-after-night-float#2"}},
		{"list and repeat", []string{"Breathe out slowly [paced-breathing#0, sleep-after-", "night-float#2] and again [paced-breathing#0]."}, "Breathe out slowly and again.", []string{"paced-breathing#0", "sleep-after-night-float#2"}},
		{"adjacent markers", []string{"Rest [paced-breathing#0][sleep-after-night-float#2]."}, "Rest.", []string{"paced-breathing#0", "sleep-after-night-float#2"}},
		{"word after a marker", []string{"Rest [paced-breathing#0]", "and breathe."}, "Rest and breathe.", []string{"paced-breathing#0"}},
		{"unknown id is stripped, not cited", []string{"Rest [made-up#4]."}, "Rest.", nil},
		{"ordinary brackets stay", []string{"He said [sic] it ", "was fine [", "see above]."}, "He said [sic] it was fine [see above].", nil},
		{"unclosed bracket at the end", []string{"Try this [paced"}, "Try this [paced", nil},
		{"line breaks kept", []string{"First.\n\nSecond [paced-breathing#0].\n"}, "First.\n\nSecond.\n", []string{"paced-breathing#0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got strings.Builder
			w := newReplyWriter(func(s string) error { got.WriteString(s); return nil }, sources)
			for _, p := range tt.pieces {
				if err := w.write(p); err != nil {
					t.Fatal(err)
				}
			}
			w.flush()
			if strings.TrimRight(got.String(), " ") != tt.want || w.text.String() != got.String() {
				t.Fatalf("emitted %q (text %q), want %q", got.String(), w.text.String(), tt.want)
			}
			if strings.Join(w.cited, ",") != strings.Join(tt.cited, ",") {
				t.Fatalf("cited %v, want %v", w.cited, tt.cited)
			}
		})
	}
}

func TestReplyWriterHoldsBackOnlyAPossibleMarker(t *testing.T) {
	var got []string
	w := newReplyWriter(func(s string) error { got = append(got, s); return nil }, nil)
	_ = w.write("A calm sentence [sleep-af")
	if strings.Join(got, "") != "A calm sentence" {
		t.Fatalf("emitted %q before the marker closed", got)
	}
	_ = w.write(strings.Repeat("x", maxMarker))
	if !strings.HasPrefix(strings.Join(got, ""), "A calm sentence [sleep-af") {
		t.Fatalf("an overlong bracket is still held: %q", got)
	}
}

func TestReplyWriterPrefixAndStop(t *testing.T) {
	stop := errors.New("withheld")
	var got []string
	w := newReplyWriter(func(s string) error {
		got = append(got, s)
		if len(got) == 3 {
			return stop
		}
		return nil
	}, nil)
	w.prefix = "I'm an AI.\n\n"
	if err := w.write("One. "); err != nil {
		t.Fatal(err)
	}
	if err := w.write("Two. "); err != stop {
		t.Fatalf("err %v", err)
	}
	if err := w.write("Three."); err != stop {
		t.Fatalf("err %v after stop", err)
	}
	if got[0] != "I'm an AI.\n\n" || got[1] != "One." {
		t.Fatalf("emitted %q", got)
	}
	if len(got) != 3 {
		t.Fatalf("emitted %d pieces after the stop", len(got))
	}
}

func TestHistoryMessagesMapsAndMergesRoles(t *testing.T) {
	in := []Message{
		{Author: AuthorSystem, Kind: KindDisclosure, Body: "I'm an AI"},
		{Author: AuthorResident, Body: "one"},
		{Author: AuthorResident, Body: "two"},
		{Author: AuthorClinician, Body: "I'm Dr Lee"},
		{Author: AuthorSystem, Kind: KindWithheld, Body: "withheld"},
		{Author: AuthorAssistant, Kind: KindText, Body: "reply"},
	}
	out := historyMessages(in)
	if len(out) != 2 || out[0].Content != "one\n\ntwo" || out[1].Role != "assistant" || !strings.Contains(out[1].Content, "clinician") || !strings.HasSuffix(out[1].Content, "I'm Dr Lee\n\nreply") {
		t.Fatalf("%+v", out)
	}
}
