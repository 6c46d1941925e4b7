package safety

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestStartLiterals(t *testing.T) {
	tests := []struct {
		expr      string
		want      []string // nil: no usable start literals
		wordStart bool
	}{
		{`\bwant to die\b`, []string{"want to die"}, true},
		{`\b(?:want|wish|wanted) (?:to )?die`, []string{"want", "wish"}, true}, // "want" covers "wanted"
		{`\b(?:i'd|i would) like`, []string{"i would", "i'd like"}, true},
		{`(?:really )?hopeless`, []string{"hopeless", "really "}, false},
		{`\b(?:kms|kys)\b`, []string{"kms", "kys"}, true},
		{`\bk[iy]ll`, []string{"kill", "kyll"}, true},
		{`\bo[dt]`, []string{"od", "ot"}, true},
		{`\bgoing to (?:\w+ )?die`, []string{"going to "}, true}, // stops at \w+
		{`\b(?:i|we) want`, []string{"i want", "we want"}, true}, // a literal run is kept whole
		{`\w+ myself`, nil, false},                               // begins with any word
		{`^(?:yes|yeah)`, nil, false},                            // begin-of-text needs the real context
		{`(?:x)?\bdie`, nil, false},                              // a \b after an optional part cannot be checked
		{`\b(?:i|we)\b`, nil, false},                             // a one-byte start would try almost everywhere
		{`\b\d+ (?:pills|tabs)`, nil, false},                     // a digit class is too large to expand
		{`(?i)\bdie`, nil, false},                                // case folding is not expanded
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, ws, ok := startLiterals(tt.expr)
			if ok != (tt.want != nil) || !slices.Equal(got, tt.want) || (ok && ws != tt.wordStart) {
				t.Errorf("startLiterals(%q) = %q, %v, %v; want %q, %v", tt.expr, got, ws, ok, tt.want, tt.wordStart)
			}
		})
	}
}

// corpusTexts returns every message and turn of the labelled cases, each
// content document, and long messages made by joining cases (so windows
// merge and several matches share a sentence).
func corpusTexts(t testing.TB) []string {
	t.Helper()
	var texts []string
	err := filepath.WalkDir(filepath.Join("..", "evals", "cases"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var c struct {
				Text  string `json:"text"`
				Turns []struct {
					Text string `json:"text"`
				} `json:"turns"`
			}
			if json.Unmarshal(sc.Bytes(), &c) != nil {
				continue
			}
			if c.Text != "" {
				texts = append(texts, c.Text)
			}
			for _, tu := range c.Turns {
				texts = append(texts, tu.Text)
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) < 1000 {
		t.Fatalf("only %d case texts found", len(texts))
	}
	docs, _ := filepath.Glob(filepath.Join("..", "content", "*.md"))
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	n := len(texts)
	for i := 0; i+12 <= n; i += 7 {
		texts = append(texts, strings.Join(texts[i:i+12], " "), strings.Join(texts[i:i+12], ", and "))
	}
	return append(texts, longMessage(), longReply)
}

// checkAnchored fails t when an anchored pattern finds anything other
// than what the windowed search of the same pattern finds in text.
func checkAnchored(t *testing.T, rs *ruleSet, text string) (anchored, windowed int) {
	t.Helper()
	nt := rs.norm.normalize(text)
	ms := map[string]*matcher{"idioms": rs.idiomMatcher}
	for k, m := range rs.matchers {
		ms[k] = m
	}
	for name, m := range ms {
		m.run(nt.s, func(pi int, site *matchSite) {
			p := &m.patterns[pi]
			want := findInWindows(p.re, nt.s, site.windows)
			got := p.find(nt.s, site)
			if p.anchored == nil {
				windowed++
			} else {
				anchored++
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s pattern %d %.80q on %.120q:\nanchored %v\nwindowed %v", name, pi, p.re.String(), nt.s, got, want)
			}
		})
		// Anchored patterns whose start literals never occur are skipped
		// by run; the windowed search must find nothing for them either.
		for pi := range m.patterns {
			p := &m.patterns[pi]
			if p.anchored == nil || len(p.groups) > 0 {
				continue
			}
			whole := &matchSite{windows: []span{{0, len(nt.s)}}, starts: allStarts(m, nt.s, p.anchored)}
			if got, want := p.find(nt.s, whole), findInWindows(p.re, nt.s, whole.windows); !slices.Equal(got, want) {
				t.Errorf("%s pattern %d %.80q on %.120q:\nanchored %v\nwindowed %v", name, pi, p.re.String(), nt.s, got, want)
			}
		}
	}
	checkRegexSet(t, rs.neg.exempt, nt.s)
	for _, r := range rs.rules {
		for _, x := range []*regexSet{r.unless, r.requires} {
			if x == nil {
				continue
			}
			checkRegexSet(t, x, nt.s)
			want := false
			for _, re := range x.res {
				want = want || re.MatchString(nt.s)
			}
			if got := x.matchAny(nt.s); got != want {
				t.Errorf("%s: matchAny(%.120q) = %v, regexp says %v", r.id, nt.s, got, want)
			}
		}
	}
	return anchored, windowed
}

// checkRegexSet fails t when the set finds other matches than searching
// for each expression does.
func checkRegexSet(t *testing.T, x *regexSet, text string) {
	t.Helper()
	var got, want [][2]int
	x.findAll(text, func(s, e int) { got = append(got, [2]int{s, e}) })
	for _, re := range x.res {
		for _, m := range re.FindAllStringIndex(text, -1) {
			want = append(want, [2]int{m[0], m[1]})
		}
	}
	cmp := func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	}
	slices.SortFunc(got, cmp)
	slices.SortFunc(want, cmp)
	if !slices.Equal(got, want) {
		t.Errorf("regex set on %.120q:\nset    %v\nsearch %v", text, got, want)
	}
}

// allStarts lists the offsets of a's start literals in t, independently of
// the automaton.
func allStarts(m *matcher, t string, a *anchoredPattern) []int32 {
	var out []int32
	for i := range t {
		for _, id := range a.startIDs {
			if strings.HasPrefix(t[i:], m.lits[id]) {
				out = append(out, int32(i))
				break
			}
		}
	}
	return out
}

// TestAnchoredEqualsWindowed: trying patterns only where their start
// literals occur must find exactly what searching the whole window finds,
// on every labelled case, every content document and long joined messages.
func TestAnchoredEqualsWindowed(t *testing.T) {
	c := testClassifier(t)
	var anchored, windowed int
	texts := corpusTexts(t)
	for i := 0; i < len(texts); i += corpusStride {
		a, w := checkAnchored(t, c.rules, texts[i])
		anchored += a
		windowed += w
		if t.Failed() {
			return
		}
	}
	t.Logf("pattern runs: %d anchored, %d windowed", anchored, windowed)
	if anchored < 5000/corpusStride {
		t.Errorf("only %d anchored pattern runs compared; the corpus no longer exercises them", anchored)
	}
}

// TestAnchoredCoverage: the patterns left to the windowed search are the
// exceptions; a rule edit that turns many of them unanchored brings the
// long-message latency back.
func TestAnchoredCoverage(t *testing.T) {
	c := testClassifier(t)
	for name, m := range c.rules.matchers {
		var un []string
		for _, p := range m.patterns {
			if p.anchored == nil {
				un = append(un, p.re.String())
			}
		}
		t.Logf("%s: %d of %d patterns anchored", name, len(m.patterns)-len(un), len(m.patterns))
		if len(un)*20 > len(m.patterns) {
			t.Errorf("%s: %d of %d patterns have no start literals (more than 5%%), e.g. %.100q", name, len(un), len(m.patterns), un[0])
		}
	}
}

// TestSentenceIndex: the indexed sentence bounds equal the walked ones at
// every offset of every corpus text.
func TestSentenceIndex(t *testing.T) {
	texts := append(corpusTexts(t), "", ".", "a.", ".a", "..a..", "no marks at all")
	for _, text := range texts {
		x := indexSentences(text, nil)
		for s := 0; s <= len(text); s++ {
			for _, e := range []int{s, min(s+1, len(text)), min(s+7, len(text))} {
				ga, gb := x.bounds(s, e)
				wa, wb := sentenceBounds(text, s, e)
				if ga != wa || gb != wb {
					t.Fatalf("bounds(%d,%d) of %.60q = %d,%d; walk gives %d,%d", s, e, text, ga, gb, wa, wb)
				}
			}
		}
	}
}
