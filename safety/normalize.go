package safety

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normText is a normalised message plus, for every byte of the normalised
// text, the byte range of the original text it came from. Rules match the
// normalised text; evidence spans are reported on the original.
type normText struct {
	s     string
	start []int32 // start[i]: original byte offset where normalised byte i came from
	end   []int32 // end[i]: original byte offset just after it

	idioms     []span // spans covered by idioms, once worked out (idiomsOf)
	idiomsDone bool
}

// origSpan maps a normalised byte range [s,e) back to the original text.
func (n *normText) origSpan(s, e int) (int, int) {
	if len(n.start) == 0 || s >= len(n.start) {
		return -1, -1
	}
	if e <= s {
		e = s + 1
	}
	if e > len(n.end) {
		e = len(n.end)
	}
	return int(n.start[s]), int(n.end[e-1])
}

// normalizer folds text into a canonical lower-case ASCII-ish form: Unicode
// compatibility folding, leetspeak, stretched letters, misspellings, slang
// and texting shorthand. It is built once at New and is read-only afterwards.
type normalizer struct {
	fold  map[rune]string   // non-ASCII runes to their folded form
	words map[string]string // whole-token rewrites (slang, misspellings, shorthand)
	vocab map[string]bool   // words the rules use; guides de-stretching and unmasking
	byLen map[int][]string  // vocab by length, for masked words like k*ll
}

func newNormalizer(words map[string]string, vocab []string) *normalizer {
	n := &normalizer{
		fold:  buildFoldTable(),
		words: words,
		vocab: map[string]bool{},
		byLen: map[int][]string{},
	}
	for _, w := range vocab {
		if w == "" || n.vocab[w] {
			continue
		}
		n.vocab[w] = true
		n.byLen[len(w)] = append(n.byLen[len(w)], w)
	}
	return n
}

// buildFoldTable maps non-ASCII runes that people type (curly quotes,
// dashes, fullwidth forms, accented Latin, look-alike Cyrillic, zero-width
// characters, laughing emoji) to ASCII.
func buildFoldTable() map[rune]string {
	t := map[rune]string{}
	for _, r := range "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc" {
		t[r] = "'"
	}
	for _, r := range "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb" {
		t[r] = `"`
	}
	for _, r := range "\u2010\u2011\u2012\u2013\u2014\u2015\u2212" {
		t[r] = "-"
	}
	t['\u2026'] = "..."
	for _, r := range "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000" {
		t[r] = " "
	}
	for _, r := range "\u200b\u200c\u200d\u2060\ufeff\u00ad" {
		t[r] = ""
	}
	for _, r := range "😂🤣😆😹💀☠😅" {
		t[r] = " lol "
	}
	cyr := map[rune]string{'а': "a", 'е': "e", 'о': "o", 'р': "p", 'с': "c", 'х': "x", 'у': "y", 'і': "i", 'к': "k", 'м': "m", 'т': "t", 'н': "h", 'в': "b"}
	for r, s := range cyr {
		t[r] = s
	}
	// Fullwidth ASCII.
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		t[r] = strings.ToLower(string(r - 0xFEE0))
	}
	// Latin letters with diacritics: keep the base letter.
	for r := rune(0xC0); r <= 0x24F; r++ {
		if !unicode.IsLetter(r) {
			continue
		}
		d := norm.NFKD.String(string(unicode.ToLower(r)))
		var b strings.Builder
		for _, c := range d {
			if c < utf8.RuneSelf {
				b.WriteRune(c)
			}
		}
		if b.Len() > 0 {
			t[r] = b.String()
		}
	}
	t['ß'] = "ss"
	t['æ'] = "ae"
	t['ø'] = "o"
	t['ł'] = "l"
	return t
}

// foldedByte is one byte of the folded text with its original range.
type foldedBuf struct {
	b     []byte
	start []int32
	end   []int32
}

func (f *foldedBuf) add(s string, os, oe int) {
	for i := 0; i < len(s); i++ {
		f.b = append(f.b, s[i])
		f.start = append(f.start, int32(os))
		f.end = append(f.end, int32(oe))
	}
}

// foldRunes lower-cases and folds the original text rune by rune.
func (n *normalizer) foldRunes(orig string) foldedBuf {
	f := foldedBuf{
		b:     make([]byte, 0, len(orig)+8),
		start: make([]int32, 0, len(orig)+8),
		end:   make([]int32, 0, len(orig)+8),
	}
	for i, r := range orig {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			size = 1
		}
		switch {
		case r < utf8.RuneSelf:
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			f.b = append(f.b, c)
			f.start = append(f.start, int32(i))
			f.end = append(f.end, int32(i+size))
		default:
			if s, ok := n.fold[r]; ok {
				f.add(s, i, i+size)
			} else if s, ok := n.fold[unicode.ToLower(r)]; ok {
				f.add(s, i, i+size)
			} else {
				f.add(string(unicode.ToLower(r)), i, i+size)
			}
		}
	}
	return f
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// isTokenByte reports whether b[i] belongs to a word token.
func isTokenByte(b []byte, i int) bool {
	c := b[i]
	switch {
	case isLetter(c), isDigit(c), c == '\'', c == '$', c == '@', c == '*':
		return true
	case c == '!' || c == '|' || c == '.':
		// Inside a word: d!e, k|ll, 0.5mg.
		if i == 0 || i+1 >= len(b) {
			return false
		}
		p, q := b[i-1], b[i+1]
		if c == '.' {
			return isDigit(p) && isDigit(q)
		}
		return isLetter(p) && (isLetter(q) || q == '3' || q == '1')
	}
	return false
}

// normalize produces the canonical text the rules run on.
func (n *normalizer) normalize(orig string) normText {
	f := n.foldRunes(orig)
	out := normText{
		start: make([]int32, 0, len(f.b)+16),
		end:   make([]int32, 0, len(f.b)+16),
	}
	ob := make([]byte, 0, len(f.b)+16)
	emit := func(s string, os, oe int32) {
		ob = append(ob, s...)
		for i := 0; i < len(s); i++ {
			out.start = append(out.start, os)
			out.end = append(out.end, oe)
		}
	}
	last := byte(' ') // last byte emitted
	prevWord := ""
	b := f.b
	for i := 0; i < len(b); {
		c := b[i]
		if isTokenByte(b, i) {
			j := i + 1
			for j < len(b) && isTokenByte(b, j) {
				j++
			}
			tok := string(b[i:j])
			// An apostrophe opening or closing a word is a single quote;
			// keep it as a quote mark so reported speech can be recognised.
			openQ := tok[0] == '\'' && len(tok) > 1
			closeQ := tok[len(tok)-1] == '\'' && len(tok) > 1 && !strings.HasSuffix(tok, "s'")
			w := n.word(tok, prevWord, nextLetter(b, j))
			if w != "" {
				if last != ' ' && isTokenEnd(last) {
					emit(" ", f.start[i], f.start[i])
				}
				if openQ {
					emit(`"`, f.start[i], f.end[i])
				}
				emit(w, f.start[i], f.end[j-1])
				if closeQ {
					emit(`"`, f.start[j-1], f.end[j-1])
				}
				last = w[len(w)-1]
				prevWord = lastWord(w)
			}
			i = j
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			if last != ' ' {
				emit(" ", f.start[i], f.end[i])
				last = ' '
			}
			i++
		case c == '\n' || c == '.' || c == '!' || c == '?' || c == ';':
			// A run of sentence punctuation (and line breaks) becomes one mark.
			j := i
			mark := byte('.')
			for j < len(b) && (b[j] == '\n' || b[j] == '.' || b[j] == '!' || b[j] == '?' || b[j] == ';' || b[j] == ' ' || b[j] == '\t' || b[j] == '\r') {
				switch b[j] {
				case '?':
					mark = '?'
				case '!':
					if mark != '?' {
						mark = '!'
					}
				case ';':
					if mark == '.' {
						mark = ';'
					}
				}
				j++
			}
			if last == ' ' && len(ob) > 0 {
				// Attach the mark to the previous word.
				ob = trimLastSpace(ob, &out)
			}
			emit(string(mark), f.start[i], f.end[j-1])
			emit(" ", f.end[j-1], f.end[j-1])
			last = ' '
			prevWord = ""
			i = j
		case c == '-' || c == '_' || c == '/' || c == '~' || c == '+' || c == '=':
			// Word joiners and slashes separate words.
			if last != ' ' {
				emit(" ", f.start[i], f.end[i])
				last = ' '
			}
			i++
		default:
			// Commas, quotes, brackets, emoji and other symbols stay as they are.
			j := i + 1
			for j < len(b) && b[j]&0xC0 == 0x80 {
				j++ // keep multi-byte runes together
			}
			if c == ',' || c == ':' || c == ')' {
				if last == ' ' && len(ob) > 0 {
					ob = trimLastSpace(ob, &out)
				}
			}
			emit(string(b[i:j]), f.start[i], f.end[j-1])
			last = b[j-1]
			if c == ',' || c == ':' {
				emit(" ", f.end[j-1], f.end[j-1])
				last = ' '
				prevWord = ""
			}
			i = j
		}
	}
	out.s = strings.TrimRight(string(ob), " ")
	out.start = out.start[:len(out.s)]
	out.end = out.end[:len(out.s)]
	return out
}

func isTokenEnd(c byte) bool { return isLetter(c) || isDigit(c) || c == '\'' }

func nextLetter(b []byte, j int) bool {
	for j < len(b) && b[j] == ' ' {
		j++
	}
	return j < len(b) && isLetter(b[j])
}

func lastWord(w string) string {
	if i := strings.LastIndexByte(w, ' '); i >= 0 {
		return w[i+1:]
	}
	return w
}

func trimLastSpace(ob []byte, out *normText) []byte {
	if len(ob) == 0 || ob[len(ob)-1] != ' ' {
		return ob
	}
	ob = ob[:len(ob)-1]
	out.start = out.start[:len(ob)]
	out.end = out.end[:len(ob)]
	return ob
}
