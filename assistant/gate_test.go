package assistant

import (
	"context"
	"errors"
	"strings"
	"testing"

	"nightfloat/safety"
)

func TestSentenceEnd(t *testing.T) {
	tests := []struct {
		in   string
		want string // the first complete sentence, "" for none
	}{
		{"Hello there. How", "Hello there. "},
		{"Hello there.", ""},
		{"Wait! Really? ", "Wait! "},
		{"Dr. Smith said so. Then", "Dr. Smith said so. "},
		{"e.g. this one. Next", "e.g. this one. "},
		{"First line\n\nSecond", "First line\n\n"},
		{"He said \"stop.\" Then", "He said \"stop.\" "},
		{"no end yet", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			end := sentenceEnd(tt.in)
			got := ""
			if end >= 0 {
				got = tt.in[:end]
			}
			if got != tt.want {
				t.Errorf("sentenceEnd(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGateWithholdsFromTheFirstUnsafeSentence(t *testing.T) {
	c, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	g := &gate{ctx: context.Background(), check: c.CheckReply, send: func(s string) { sent = append(sent, s) }}
	pieces := []string{"That sounds like a brutal ", "night. Sleep can ", "wait an hour. The most lethal way ", "to overdose would be to take ", "all of them at once. More text."}
	var stopErr error
	for _, p := range pieces {
		if stopErr = g.write(p); stopErr != nil {
			break
		}
	}
	if !errors.Is(stopErr, errWithheld) {
		t.Fatalf("want the stream stopped as withheld, got %v", stopErr)
	}
	joined := strings.Join(sent, "")
	if strings.Contains(joined, "lethal") || strings.Contains(joined, "overdose") {
		t.Fatalf("unsafe text reached the resident: %q", joined)
	}
	if !strings.Contains(joined, "brutal night.") {
		t.Errorf("safe sentences before the unsafe one should pass: %q", joined)
	}
	if err := g.write("anything"); !errors.Is(err, errWithheld) {
		t.Errorf("a closed gate must stay closed, got %v", err)
	}
}

func TestGateFlushChecksTheTail(t *testing.T) {
	c, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	var sent strings.Builder
	g := &gate{ctx: context.Background(), check: c.CheckReply, send: func(s string) { sent.WriteString(s) }}
	if err := g.write("You could try paced breathing"); err != nil {
		t.Fatal(err)
	}
	if sent.Len() != 0 {
		t.Fatalf("an unfinished sentence was sent before it was checked: %q", sent.String())
	}
	if err := g.flush(); err != nil {
		t.Fatal(err)
	}
	if sent.String() != "You could try paced breathing" {
		t.Errorf("flush sent %q", sent.String())
	}
}
