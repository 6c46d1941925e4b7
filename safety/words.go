package safety

import "strings"

// leet maps look-alike characters to the letters they stand for inside words.
func leet(c byte) (byte, bool) {
	switch c {
	case '1', '!', '|':
		return 'i', true
	case '0':
		return 'o', true
	case '3':
		return 'e', true
	case '4', '@':
		return 'a', true
	case '5', '$':
		return 's', true
	case '7':
		return 't', true
	}
	return 0, false
}

// toAfter lists words after which a bare "2" means "to" ("want 2 die").
var toAfter = map[string]bool{
	"want": true, "need": true, "going": true, "trying": true, "try": true,
	"have": true, "wish": true, "like": true, "ready": true, "deserve": true,
	"got": true, "wanted": true, "planning": true, "plan": true, "about": false,
}

// word canonicalises one token. prev is the previous output word and
// letterNext whether a word follows, for context-dependent shorthand.
func (n *normalizer) word(tok, prev string, letterNext bool) string {
	tok = strings.Trim(tok, "'*")
	if tok == "" {
		return ""
	}
	if tok == "2" && toAfter[prev] && letterNext {
		return "to"
	}
	if w, ok := n.words[tok]; ok {
		return w
	}
	w := tok
	if l := n.unleet(w); l != w {
		w = l
	}
	if strings.IndexByte(w, '*') >= 0 {
		w = n.unmask(w)
	}
	w = n.unstretch(w)
	if r, ok := n.words[w]; ok {
		return r
	}
	return w
}

// unleet rewrites leetspeak (k1ll, d13, $uicide, 0verdose) when the token is
// clearly a word with substitutions, and leaves numbers, doses and times
// (40, 0300, 10mg, q4h) alone.
func (n *normalizer) unleet(w string) string {
	letters, subs := 0, 0
	for i := 0; i < len(w); i++ {
		if isLetter(w[i]) {
			letters++
		} else if _, ok := leet(w[i]); ok {
			subs++
		}
	}
	if subs == 0 || letters < 2 || subs >= letters {
		return w
	}
	// A leading digit run followed by letters is a quantity with a unit
	// (10mg, 2am, 3rd), not leetspeak, unless the result is a known word.
	b := []byte(w)
	for i := range b {
		if r, ok := leet(b[i]); ok {
			b[i] = r
		}
	}
	out := string(b)
	if isDigit(w[0]) && !n.vocab[out] && !n.vocab[n.unstretch(out)] {
		return w
	}
	return out
}

// unmask fills in masked letters (k*ll, s**cide) from the rule vocabulary.
func (n *normalizer) unmask(w string) string {
	for _, cand := range n.byLen[len(w)] {
		ok := true
		for i := 0; i < len(w); i++ {
			if w[i] != '*' && w[i] != cand[i] {
				ok = false
				break
			}
		}
		if ok {
			return cand
		}
	}
	return strings.ReplaceAll(w, "*", "")
}

// unstretch collapses letters repeated for emphasis ("diiieee", "sooooo",
// "pleaseeee"): runs of three or more become one or two letters, whichever
// gives a word the rules know; otherwise two.
func (n *normalizer) unstretch(w string) string {
	type run struct{ at, n int }
	var runs []run
	for i := 0; i < len(w); {
		j := i + 1
		for j < len(w) && w[j] == w[i] {
			j++
		}
		if j-i >= 3 && isLetter(w[i]) {
			runs = append(runs, run{i, j - i})
		}
		i = j
	}
	if len(runs) == 0 {
		return w
	}
	if len(runs) > 4 {
		runs = runs[:4]
	}
	build := func(mask int) string {
		var b strings.Builder
		last := 0
		for k, r := range runs {
			b.WriteString(w[last:r.at])
			keep := 2
			if mask&(1<<k) != 0 {
				keep = 1
			}
			b.WriteString(w[r.at : r.at+keep])
			last = r.at + r.n
		}
		b.WriteString(w[last:])
		return b.String()
	}
	full := 1<<len(runs) - 1
	for mask := full; mask >= 0; mask-- {
		if c := build(mask); n.vocab[c] {
			return c
		}
		if c := build(mask); n.words[c] != "" {
			return c
		}
	}
	return build(0)
}
