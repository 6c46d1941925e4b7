package web

import (
	"net/http"
	"regexp"
	"strings"

	"nightfloat"
	"nightfloat/selfhelp"
)

// The guides: a vetted content document to read whole at /guides/{id}. The chat page's
// guided exercises link to the document that explains them, which stays the explanation;
// the form is the practice.

// formGuides names the content document that explains each form ("" for none).
var formGuides = map[selfhelp.Kind]string{
	selfhelp.KindThoughtRecord: "thought-records",
	selfhelp.KindActivation:    "behavioural-activation",
}

// guideBlock is a paragraph or a list of a guide, as text.
type guideBlock struct {
	Text    string
	Items   []string
	Ordered bool
}

type guideSection struct {
	Heading string
	Blocks  []guideBlock
}

type guidePageData struct {
	Title       string
	Reviewed    string // who reviewed it and when; "" when no clinician has
	Sections    []guideSection
	OncallLabel string
	OncallPhone string
}

var (
	listItem     = regexp.MustCompile(`^(?:[-*+]|\d+[.)])\s+`)
	orderedItem  = regexp.MustCompile(`^\d+[.)]\s+`)
	markdownLink = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	emphasis     = strings.NewReplacer("**", "", "__", "")
)

// plain takes Markdown's link and emphasis marks out of a line of text.
func plain(s string) string { return emphasis.Replace(markdownLink.ReplaceAllString(s, "$1")) }

// block reads one paragraph of Markdown: a list when every line is an item.
func block(p string) guideBlock {
	lines := strings.Split(p, "\n")
	items := make([]string, 0, len(lines))
	for _, l := range lines {
		if !listItem.MatchString(l) {
			return guideBlock{Text: plain(strings.Join(lines, " "))}
		}
		items = append(items, plain(listItem.ReplaceAllString(l, "")))
	}
	return guideBlock{Items: items, Ordered: orderedItem.MatchString(lines[0])}
}

// guidePage renders a guide; a document the service does not serve is not found.
func (s *Server) guidePage(w http.ResponseWriter, r *http.Request) {
	g, err := s.svc.Guide(r.Context(), r.PathValue("id"))
	if err != nil {
		code := nightfloat.ErrorCode(err)
		if code != nightfloat.CodeNotFound {
			s.logger.Error("read guide", "error", err)
		}
		writeTextError(w, code, nightfloat.ErrorMessage(err))
		return
	}
	data := guidePageData{Title: g.Title, OncallLabel: s.crisis.OncallLabel, OncallPhone: s.crisis.OncallPhone}
	if g.ReviewedOn != "pending" && !strings.HasPrefix(strings.ToLower(g.ReviewedBy), "pending") {
		data.Reviewed = "Reviewed by " + g.ReviewedBy + " on " + g.ReviewedOn
	}
	for _, sec := range g.Sections {
		out := guideSection{Heading: sec.Heading}
		for _, p := range sec.Paragraphs {
			out.Blocks = append(out.Blocks, block(p))
		}
		data.Sections = append(data.Sections, out)
	}
	s.render(w, "guide.html", data)
}
