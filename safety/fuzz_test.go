package safety

import (
	"context"
	"testing"
)

// FuzzNormalize: the normaliser runs on every resident message and every sentence of every
// reply, on text anyone can type. Whatever it is given it must not panic, and its map back to
// the original must stay in bounds, or evidence spans shown to clinicians would be wrong.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "I WANT TO DIE", "k1ll mys3lf", "$uicide", "diiieee", "ｋｉｌｌ myself", "I’m done", "ki\u200bll myself",
		"kіll myself", "k*ll myself", "kms", "idk rn tbh u ok", "want 2 die", "why!!!??? ok...", "i want to die\njk",
		"self-harm", "dead 💀", "\xff\xfe invalid utf8 \xc3", "a\u0301\u0301\u0301", "ﬁne ﬀ ǅ", "...!!!???", "2 2 2 2 2",
		"took 40 of them at 0300", "pushed 2 of ativan, 10mg and 0.5mg", "\u202eevil\u202c", "k\u0000ill",
	} {
		f.Add(s)
	}
	c, err := New()
	if err != nil {
		f.Fatal(err)
	}
	n := c.rules.norm
	f.Fuzz(func(t *testing.T, in string) {
		nt := n.normalize(in)
		if len(nt.start) != len(nt.s) || len(nt.end) != len(nt.s) {
			t.Fatalf("normalize(%q): %d bytes but %d starts and %d ends", in, len(nt.s), len(nt.start), len(nt.end))
		}
		for i := range nt.s {
			s, e := nt.start[i], nt.end[i]
			if s < 0 || e < s || int(e) > len(in) {
				t.Fatalf("normalize(%q): byte %d maps to [%d,%d) outside the %d-byte original", in, i, s, e, len(in))
			}
		}
		for i := 0; i <= len(nt.s); i++ {
			if s, e := nt.origSpan(i, i+3); s != -1 && (s < 0 || e < s || e > len(in)) {
				t.Fatalf("origSpan(%d,%d) of %q = [%d,%d)", i, i+3, in, s, e)
			}
		}
		// The whole classifier must take the same input without failing open or panicking,
		// and trying patterns only at their start literals must find what a search finds.
		if len(in) <= 4096 {
			checkAnchored(t, c.rules, in)
			if _, err := c.Assess(context.Background(), nil, in); err != nil {
				t.Fatalf("Assess(%q): %v", in, err)
			}
		}
	})
}
