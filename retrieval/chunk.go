package retrieval

import (
	"fmt"
	"strings"
	"unicode"
)

// Chunk sizes, in words. Sections of a few short paragraphs become one chunk; a very long
// paragraph is split at sentence ends.
const (
	chunkMinWords = 60
	chunkMaxWords = 220
)

// Chunk is one searchable piece of a document.
type Chunk struct {
	ID      string // "<doc id>#<n>", n from 0 in document order
	DocID   string
	Seq     int
	Heading string // "Title > Section > Subsection"
	Text    string
	Roles   []string
}

// EmbedText is what gets embedded for the chunk: its heading path gives the vector the
// context a short paragraph lacks; topics are the author's own keywords.
func (c Chunk) EmbedText(topics []string) string {
	var b strings.Builder
	b.WriteString(c.Heading)
	if len(topics) > 0 {
		b.WriteString("\n(")
		b.WriteString(strings.ReplaceAll(strings.Join(topics, ", "), "-", " "))
		b.WriteString(")")
	}
	b.WriteString("\n\n")
	b.WriteString(c.Text)
	return b.String()
}

// ChunkDocument cuts a document's Markdown body by heading and paragraph. Blockquotes before
// the first heading (the sample-content disclaimer) are not content and are dropped.
func ChunkDocument(d Document) []Chunk {
	var chunks []Chunk
	var path []string // heading texts by level-1
	var paras []string
	var para []string
	seenHeading := false

	flushPara := func() {
		if len(para) > 0 {
			paras = append(paras, strings.Join(para, "\n"))
			para = nil
		}
	}
	flushSection := func() {
		flushPara()
		heading := headingPath(d.Title, path)
		for _, text := range packParagraphs(paras) {
			chunks = append(chunks, Chunk{
				ID:      fmt.Sprintf("%s#%d", d.ID, len(chunks)),
				DocID:   d.ID,
				Seq:     len(chunks),
				Heading: heading,
				Text:    text,
				Roles:   d.Roles,
			})
		}
		paras = nil
	}

	inFence := false
	for _, raw := range strings.Split(d.Body, "\n") {
		line := strings.TrimRight(raw, " \t")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
			continue
		}
		if !inFence {
			if level, text := parseHeading(trimmed); level > 0 {
				flushSection()
				seenHeading = true
				if len(path) == 0 && level > 1 {
					path = []string{d.Title} // no H1: the front-matter title heads the path
				}
				if level > len(path)+1 {
					level = len(path) + 1 // a skipped level nests under the last one
				}
				path = append(path[:level-1], text)
				continue
			}
			if trimmed == "" {
				flushPara()
				continue
			}
			if strings.HasPrefix(trimmed, ">") {
				if !seenHeading {
					continue // the disclaimer
				}
				trimmed = strings.TrimSpace(strings.TrimPrefix(trimmed, ">"))
				if trimmed == "" {
					flushPara()
					continue
				}
			}
			if isListItem(trimmed) && len(para) > 0 && !isListItem(strings.TrimSpace(para[len(para)-1])) {
				flushPara() // a list after a paragraph starts its own block
			}
		}
		para = append(para, trimmed)
	}
	flushSection()
	return chunks
}

// headingPath joins the heading stack; text before any heading sits under the title.
func headingPath(title string, path []string) string {
	if len(path) == 0 {
		return title
	}
	return strings.Join(path, " > ")
}

func parseHeading(line string) (int, string) {
	level := 0
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || level == len(line) || line[level] != ' ' {
		return 0, ""
	}
	return level, strings.TrimSpace(strings.TrimRight(line[level:], "# "))
}

func isListItem(s string) bool {
	if strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "* ") || strings.HasPrefix(s, "+ ") {
		return true
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' '
}

// packParagraphs merges a section's paragraphs into chunks of chunkMinWords to
// chunkMaxWords words, splitting any paragraph longer than chunkMaxWords at sentence ends.
func packParagraphs(paras []string) []string {
	var pieces []string
	for _, p := range paras {
		if wordCount(p) > chunkMaxWords {
			pieces = append(pieces, splitLong(p)...)
		} else {
			pieces = append(pieces, p)
		}
	}
	var out []string
	var cur []string
	curWords := 0
	for _, p := range pieces {
		w := wordCount(p)
		if len(cur) > 0 && curWords+w > chunkMaxWords && curWords >= chunkMinWords/2 {
			out = append(out, strings.Join(cur, "\n\n"))
			cur, curWords = nil, 0
		}
		cur = append(cur, p)
		curWords += w
	}
	if len(cur) > 0 {
		last := strings.Join(cur, "\n\n")
		// A small tail joins the previous chunk when that keeps it a reasonable size.
		if n := len(out); n > 0 && curWords < chunkMinWords && wordCount(out[n-1])+curWords <= chunkMaxWords+chunkMinWords {
			out[n-1] += "\n\n" + last
		} else {
			out = append(out, last)
		}
	}
	return out
}

// splitLong cuts a paragraph at sentence ends into pieces of at most chunkMaxWords words
// (a single sentence longer than that is cut between words).
func splitLong(p string) []string {
	var out []string
	var cur []string
	curWords := 0
	for _, s := range sentences(p) {
		words := strings.Fields(s)
		for len(words) > chunkMaxWords {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, " "))
				cur, curWords = nil, 0
			}
			out = append(out, strings.Join(words[:chunkMaxWords], " "))
			words = words[chunkMaxWords:]
		}
		if curWords+len(words) > chunkMaxWords && len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur, curWords = nil, 0
		}
		cur = append(cur, strings.Join(words, " "))
		curWords += len(words)
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// sentences splits after ., ! or ? followed by a space and an upper-case letter or digit.
func sentences(p string) []string {
	var out []string
	rs := []rune(p)
	start := 0
	for i := 0; i+2 < len(rs); i++ {
		if (rs[i] == '.' || rs[i] == '!' || rs[i] == '?') && unicode.IsSpace(rs[i+1]) &&
			(unicode.IsUpper(rs[i+2]) || unicode.IsDigit(rs[i+2])) {
			out = append(out, strings.TrimSpace(string(rs[start:i+1])))
			start = i + 2
		}
	}
	if rest := strings.TrimSpace(string(rs[start:])); rest != "" {
		out = append(out, rest)
	}
	return out
}

func wordCount(s string) int { return len(strings.Fields(s)) }
