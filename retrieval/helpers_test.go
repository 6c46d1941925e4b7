package retrieval_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"nightfloat/retrieval"
)

// docSpec is a test document; empty fields get valid defaults.
type docSpec struct {
	id, title, roles, status, reviewedBy, reviewedOn, reviewDue, body string
	phrasings                                                         []string // search_phrasings, when any
}

func (s docSpec) markdown() string {
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	title := def(s.title, "Test document "+s.id)
	body := def(s.body, "## Section\nSome words about "+s.id+".\n")
	phrasings := ""
	if len(s.phrasings) > 0 {
		phrasings = "search_phrasings:\n"
		for _, p := range s.phrasings {
			phrasings += fmt.Sprintf("  - %q\n", p)
		}
	}
	return fmt.Sprintf(`---
id: %s
title: %q
roles: %s
topics: [testing]
sources:
  - title: "A source"
    url: "https://example.org/source"
reviewed_by: %q
reviewed_on: %s
review_due: %s
status: %s
%s---
> Sample content, not clinically reviewed.

# %s

%s`, s.id, title, def(s.roles, "[resident, nurse]"), def(s.reviewedBy, "pending: sample"), def(s.reviewedOn, "pending"),
		def(s.reviewDue, "2099-01-01"), def(s.status, "draft"), phrasings, title, body)
}

// writeDocs writes documents into a fresh directory and returns it.
func writeDocs(tb testing.TB, specs ...docSpec) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, s := range specs {
		writeDoc(tb, dir, s)
	}
	return dir
}

func writeDoc(tb testing.TB, dir string, s docSpec) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, s.id+".md"), []byte(s.markdown()), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func localEmbedder(tb testing.TB) *retrieval.LocalEmbedder {
	tb.Helper()
	e, err := retrieval.NewLocalEmbedder(0)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// countingEmbedder is the real local embedder, counting the texts it is asked to embed.
type countingEmbedder struct {
	*retrieval.LocalEmbedder
	texts atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.LocalEmbedder.Embed(ctx, texts)
}

func docIDs(rs []retrieval.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.DocID)
	}
	return out
}

func joinIDs(ids []string) string { return strings.Join(ids, ",") }
