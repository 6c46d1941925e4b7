package safety

import "testing"

func testClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestNormalize(t *testing.T) {
	c := testClassifier(t)
	tests := []struct{ name, in, want string }{
		{"case", "I WANT TO DIE", "i want to die"},
		{"leet", "k1ll mys3lf", "kill myself"},
		{"leet dollar", "$uicide", "suicide"},
		{"leet bang", "d!e", "die"},
		{"leet keeps numbers", "took 40 of them at 0300", "took 40 of them at 0300"},
		{"leet keeps doses", "pushed 2 of ativan, 10mg and 0.5mg", "pushed 2 of ativan, 10mg and 0.5mg"},
		{"stretched", "diiieee", "die"},
		{"stretched so", "sooooo tired", "so tired"},
		{"stretched kill", "killllll myself", "kill myself"},
		{"fullwidth", "ｋｉｌｌ myself", "kill myself"},
		{"curly apostrophe", "I’m done", "i'm done"},
		{"accents", "I want to díe", "i want to die"},
		{"zero width", "ki\u200bll myself", "kill myself"},
		{"cyrillic lookalike", "kіll myself", "kill myself"},
		{"masked", "k*ll myself", "kill myself"},
		{"misspelling", "sucidal", "suicidal"},
		{"slang kms", "kms", "kill myself"},
		{"shorthand", "idk rn tbh u ok", "i don't know right now to be honest you ok"},
		{"contractions", "im sure i dont", "i'm sure i don't"},
		{"numeral to", "want 2 die", "want to die"},
		{"repeated punctuation", "why!!!??? ok...", "why? ok."},
		{"newline is a sentence break", "i want to die\njk", "i want to die. just kidding"},
		{"hyphen", "self-harm", "self harm"},
		{"laughing emoji", "dead 💀", "dead lol"},
		{"single quotes kept as quotes", "she said 'i want to die'", `she said "i want to die"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.rules.norm.normalize(tt.in).s; got != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeOffsetsMapToOriginal(t *testing.T) {
	c := testClassifier(t)
	in := "Honestly?? I wаnt to dіiiie, kms"
	nt := c.rules.norm.normalize(in)
	if len(nt.start) != len(nt.s) || len(nt.end) != len(nt.s) {
		t.Fatalf("offset tables have wrong length")
	}
	for i := range nt.s {
		if nt.start[i] < 0 || int(nt.end[i]) > len(in) || nt.start[i] > nt.end[i] {
			t.Fatalf("byte %d maps to bad range [%d,%d)", i, nt.start[i], nt.end[i])
		}
	}
	a, err := c.Assess(t.Context(), nil, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Evidence {
		if e.Layer == LayerLearned && e.Start == -1 && e.End == -1 {
			continue // the learned layer quotes n-grams, which have no single place
		}
		if e.Start < 0 || e.End > len(in) || in[e.Start:e.End] != e.Span {
			t.Errorf("evidence span %q at [%d,%d) does not match the original", e.Span, e.Start, e.End)
		}
	}
	if a.Level < Urgent {
		t.Errorf("obfuscated SI not escalated: %+v", a)
	}
}

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`\bkill myself\b`, []string{"kill myself"}},
		{`\b(?:want|wanna) to die\b`, []string{"wanna to die", "want to die"}},
		{`\bi (?:[a-z]+ ){0,3}suicidal`, []string{"suicidal"}},
		{`\b(?:a|b)`, nil},
	}
	for _, tt := range tests {
		got := requiredLiterals(tt.expr)
		if len(got) != len(tt.want) {
			t.Errorf("requiredLiterals(%q) = %q, want %q", tt.expr, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("requiredLiterals(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		}
	}
}
