package evals

import (
	"regexp"
	"strings"
	"testing"

	"nightfloat/retrieval"
)

// TestRetrievalPhrasingsAreNotEvalQueries keeps the content's search_phrasings honest:
// they must be written from the documents, not copied from (or closely paraphrasing) a
// labelled eval query, or the eval would measure memorisation. It fails when a phrasing
// shares most of its content words with any query in the retrieval eval's files, or repeats
// a run of three content words from one.
func TestRetrievalPhrasingsAreNotEvalQueries(t *testing.T) {
	docs, err := retrieval.LoadDir("../content")
	if err != nil {
		t.Fatal(err)
	}
	var queries []RetrievalQuery
	natural := map[string]bool{}
	for _, f := range []string{"retrieval/queries.jsonl", "retrieval/holdout.jsonl", "retrieval/natural-dev.jsonl", "retrieval/natural-holdout.jsonl"} {
		qs, err := LoadRetrievalQueries(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			natural[q.ID] = strings.Contains(f, "natural-")
		}
		queries = append(queries, qs...)
	}
	for _, d := range docs {
		for _, p := range d.SearchPhrasings {
			pw := contentWords(p)
			for _, q := range queries {
				if natural[q.ID] && phrasingsBeforeNatural[p] {
					continue
				}
				qw := contentWords(q.Query)
				if j := jaccard(pw, qw); j >= 0.5 {
					t.Errorf("%s: phrasing %q is too close to eval query %s %q (word overlap %.2f)", d.ID, p, q.ID, q.Query, j)
				} else if run := sharedRun(pw, qw, 3); run != "" {
					t.Errorf("%s: phrasing %q repeats %q from eval query %s %q", d.ID, p, run, q.ID, q.Query)
				}
			}
		}
	}
}

// phrasingsBeforeNatural were in the content before the natural-message files existed
// (commit f68083f), so they cannot have been copied from them; each happens to share a
// three-word run with a natural message.
var phrasingsBeforeNatural = map[string]bool{
	"dreading work every morning":                 true,
	"attending after a bad outcome on my service": true,
	"set up a buddy system for my class":          true,
	"will the dean find out I'm in therapy":       true,
}

var (
	wordRE         = regexp.MustCompile(`[a-z0-9]+`)
	phraseStopword = map[string]bool{}
)

func init() {
	for _, w := range strings.Fields(`a an the i im me my to of and or in on at for is it its be do does did am are was
were how what when why who can should with about after this that so just get got like really your you feel`) {
		phraseStopword[w] = true
	}
}

func contentWords(s string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(strings.ToLower(s), -1) {
		if !phraseStopword[w] {
			out = append(out, w)
		}
	}
	return out
}

func jaccard(a, b []string) float64 {
	sa, sb := map[string]bool{}, map[string]bool{}
	for _, w := range a {
		sa[w] = true
	}
	for _, w := range b {
		sb[w] = true
	}
	inter := 0
	for w := range sa {
		if sb[w] {
			inter++
		}
	}
	union := len(sa) + len(sb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// sharedRun returns the first run of n consecutive words a and b share, or "".
func sharedRun(a, b []string, n int) string {
	grams := map[string]bool{}
	for i := 0; i+n <= len(b); i++ {
		grams[strings.Join(b[i:i+n], " ")] = true
	}
	for i := 0; i+n <= len(a); i++ {
		if g := strings.Join(a[i:i+n], " "); grams[g] {
			return g
		}
	}
	return ""
}
