package assistant

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"nightfloat/safety"
)

// errWithheld stops a responder whose output failed the safety check.
var errWithheld = errors.New("assistant: reply withheld by the output check")

// gate sits between a responder and the resident: it holds streamed text until a sentence
// is complete, checks the sentence, and only then passes it on. The first failing sentence
// closes the gate for good, so no unsafe text reaches the resident even mid-stream.
type gate struct {
	ctx     context.Context
	check   func(ctx context.Context, text string) (safety.Verdict, error)
	send    func(string)
	pending strings.Builder
	passed  strings.Builder
	failed  *safety.Verdict
	err     error
}

// write takes a streamed piece; it returns errWithheld (or the check's error) once closed.
func (g *gate) write(piece string) error {
	if g.failed != nil || g.err != nil {
		return g.closedErr()
	}
	g.pending.WriteString(piece)
	for {
		buf := g.pending.String()
		end := sentenceEnd(buf)
		if end < 0 {
			return nil
		}
		if err := g.release(buf[:end]); err != nil {
			return err
		}
		rest := buf[end:]
		g.pending.Reset()
		g.pending.WriteString(rest)
	}
}

// flush checks and releases whatever is left when the responder finishes.
func (g *gate) flush() error {
	if g.failed != nil || g.err != nil {
		return g.closedErr()
	}
	rest := g.pending.String()
	g.pending.Reset()
	if strings.TrimSpace(rest) == "" {
		if rest != "" {
			g.passed.WriteString(rest)
		}
		return nil
	}
	return g.release(rest)
}

func (g *gate) release(sentence string) error {
	v, err := g.check(g.ctx, sentence)
	if err != nil {
		g.err = err
		return err
	}
	if !v.Safe {
		g.failed = &v
		return errWithheld
	}
	g.passed.WriteString(sentence)
	g.send(sentence)
	return nil
}

func (g *gate) closedErr() error {
	if g.err != nil {
		return g.err
	}
	return errWithheld
}

// sentenceEnd returns the index just past the first complete sentence in s (its closing
// punctuation and the white space after it), or -1 when no sentence is complete yet. A
// paragraph break also ends a sentence.
func sentenceEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			j := i + 1
			for j < len(s) && s[j] == '\n' {
				j++
			}
			if j < len(s) {
				return j
			}
		case c == '.' || c == '!' || c == '?':
			j := i + 1
			for j < len(s) && strings.ContainsRune(".!?\"”')", rune(s[j])) {
				j++
			}
			if j < len(s) && unicode.IsSpace(rune(s[j])) {
				// "Dr. Smith", "e.g. this": a single capital or a known abbreviation does not end a sentence.
				if isAbbreviation(s[:i]) {
					continue
				}
				for j < len(s) && unicode.IsSpace(rune(s[j])) {
					j++
				}
				if j < len(s) {
					return j
				}
			}
		}
	}
	return -1
}

func isAbbreviation(before string) bool {
	k := strings.LastIndexFunc(before, unicode.IsSpace)
	word := strings.ToLower(before[k+1:])
	switch word {
	case "dr", "mr", "mrs", "ms", "e.g", "i.e", "vs", "etc", "st", "no", "approx", "u.s":
		return true
	}
	return len(word) == 1
}
