package retrieval

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Guide is one content document laid out for reading whole, as the chat page links to it
// (the explanation behind a guided exercise). It holds only what the searcher may serve:
// approved documents, and drafts when the searcher includes them.
type Guide struct {
	ID         string
	Title      string
	ReviewedBy string
	ReviewedOn string // "pending" until a clinician has reviewed it
	Status     string
	Sections   []GuideSection
}

// GuideSection is a run of the document under one heading.
type GuideSection struct {
	Heading    string   // the innermost heading ("" for text under the title)
	Paragraphs []string // each a paragraph or a list, as written, in order
}

// ErrNoGuide is returned for a document the searcher does not serve.
var ErrNoGuide = errors.New("retrieval: no such guide")

// Guide returns document id laid out by section from its chunks.
func (s *Searcher) Guide(ctx context.Context, id string) (Guide, error) {
	g := Guide{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT title, reviewed_by, reviewed_on, status FROM retrieval_documents
		WHERE id = $1 AND status = ANY($2)`, id, s.statuses).Scan(&g.Title, &g.ReviewedBy, &g.ReviewedOn, &g.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return Guide{}, ErrNoGuide
	}
	if err != nil {
		return Guide{}, fmt.Errorf("retrieval: read guide: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT heading, body FROM retrieval_chunks WHERE doc_id = $1 ORDER BY seq`, id)
	if err != nil {
		return Guide{}, fmt.Errorf("retrieval: read guide: %w", err)
	}
	var heading, body string
	_, err = pgx.ForEachRow(rows, []any{&heading, &body}, func() error {
		h := heading[strings.LastIndex(heading, " > ")+1:]
		h = strings.TrimSpace(strings.TrimPrefix(h, ">"))
		if h == g.Title {
			h = ""
		}
		if n := len(g.Sections); n == 0 || g.Sections[n-1].Heading != h {
			g.Sections = append(g.Sections, GuideSection{Heading: h})
		}
		sec := &g.Sections[len(g.Sections)-1]
		for _, p := range strings.Split(body, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				sec.Paragraphs = append(sec.Paragraphs, p)
			}
		}
		return nil
	})
	if err != nil {
		return Guide{}, fmt.Errorf("retrieval: read guide: %w", err)
	}
	return g, nil
}
