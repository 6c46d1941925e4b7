package evals

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"nightfloat"
	"os"
	"slices"
	"sort"
	"strings"

	"nightfloat/retrieval"
)

// RetrievalK is how many distinct documents the retrieval eval looks at.
const RetrievalK = 5

// retrievalFetch is how many chunks are asked for; results are ranked by document (a
// document's rank is that of its best chunk).
const retrievalFetch = 10

// RetrievalQuery is one labelled line of evals/retrieval/queries.jsonl. An empty Expect
// marks an off-topic question: the right answer is no content at all.
type RetrievalQuery struct {
	ID     string          `json:"id"`
	Role   nightfloat.Role `json:"role"`
	Query  string          `json:"query"`
	Expect []string        `json:"expect"`
}

// LoadRetrievalQueries reads a JSONL file of queries, checking every line.
func LoadRetrievalQueries(path string) ([]RetrievalQuery, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evals: retrieval queries: %w", err)
	}
	defer f.Close()
	return ParseRetrievalQueries(path, f)
}

// ParseRetrievalQueries parses JSONL queries; errors name the file, line and query.
func ParseRetrievalQueries(name string, r io.Reader) ([]RetrievalQuery, error) {
	var out []RetrievalQuery
	var errs []error
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var q RetrievalQuery
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			continue
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: query %q: %s", name, line, q.ID, fmt.Sprintf(format, args...)))
		}
		switch {
		case q.ID == "":
			bad("missing id")
		case seen[q.ID] != 0:
			bad("id also used on line %d", seen[q.ID])
		}
		seen[q.ID] = line
		if !q.Role.Valid() {
			bad("unknown role %q", q.Role)
		}
		if strings.TrimSpace(q.Query) == "" {
			bad("empty query")
		}
		if q.Expect == nil {
			bad(`missing "expect" (use [] for an off-topic question)`)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", name)
	}
	return out, nil
}

// CheckRetrievalLabels reports labels that can never be met: an expected document that does
// not exist, or one not written for the query's role (the role filter would hide it).
func CheckRetrievalLabels(queries []RetrievalQuery, docs []retrieval.Document) error {
	byID := map[string]retrieval.Document{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	var errs []error
	for _, q := range queries {
		for _, e := range q.Expect {
			d, ok := byID[e]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("query %s expects %q, which is not a document", q.ID, e))
			case !slices.Contains(d.Roles, string(q.Role)):
				errs = append(errs, fmt.Errorf("query %s (role %s) expects %q, which is not written for %ss", q.ID, q.Role, e, q.Role))
			}
		}
	}
	return errors.Join(errs...)
}

// Searcher is what the retrieval eval runs against (a *retrieval.Searcher).
type Searcher interface {
	Search(ctx context.Context, role nightfloat.Role, query string, k int) ([]retrieval.Result, error)
}

// RetrievalMetrics are document-level ranking figures over on-topic queries.
type RetrievalMetrics struct {
	Queries   int     `json:"queries"`
	RecallAt1 float64 `json:"recall_at_1"`
	RecallAt5 float64 `json:"recall_at_5"`
	MRR       float64 `json:"mrr"`
}

// OffTopicMetrics say how well "no vetted content" is decided.
type OffTopicMetrics struct {
	Queries         int `json:"queries"`          // off-topic questions
	ReturnedNothing int `json:"returned_nothing"` // of those, how many got no results (correct)
	// Precision: of all questions that got nothing, the share that really were off-topic
	// (1 when nothing got nothing).
	Precision float64 `json:"precision"`
	// Recall: of the off-topic questions, the share that got nothing.
	Recall float64 `json:"recall"`
	// OnTopicEmpty counts on-topic questions wrongly given nothing.
	OnTopicEmpty int `json:"on_topic_empty"`
}

// RetrievalMiss is an on-topic query whose expected documents were not all in the top k.
type RetrievalMiss struct {
	ID     string          `json:"id"`
	Role   nightfloat.Role `json:"role"`
	Query  string          `json:"query"`
	Expect []string        `json:"expect"`
	Got    []string        `json:"got"`
}

// RetrievalReport is the result of a retrieval eval run.
type RetrievalReport struct {
	RetrievalMetrics
	ByRole   map[string]RetrievalMetrics `json:"by_role"`
	OffTopic OffTopicMetrics             `json:"off_topic"`
	Misses   []RetrievalMiss             `json:"misses"`
	// SensitiveTop are queries whose top document is sensitive (retrieval.Sensitive) but
	// not among the expected ones: an alarming answer to a message about something else.
	SensitiveTop []RetrievalMiss `json:"sensitive_top"`
}

// RunRetrieval runs every query and scores the ranking by document. For a query expecting
// documents E with ranked distinct documents D: recall@k = |E ∩ D[:k]| / |E|, reciprocal rank
// = 1 / (position of the first expected document in D), 0 when none is found.
func RunRetrieval(ctx context.Context, s Searcher, queries []RetrievalQuery) (RetrievalReport, error) {
	type acc struct {
		n           int
		r1, r5, mrr float64
	}
	overall := &acc{}
	byRole := map[string]*acc{}
	rep := RetrievalReport{ByRole: map[string]RetrievalMetrics{}, Misses: []RetrievalMiss{}, SensitiveTop: []RetrievalMiss{}}
	emptyTotal := 0
	for _, q := range queries {
		res, err := s.Search(ctx, q.Role, q.Query, retrievalFetch)
		if err != nil {
			return RetrievalReport{}, fmt.Errorf("evals: retrieval: query %s: %w", q.ID, err)
		}
		docs := rankedDocs(res)
		if len(res) == 0 {
			emptyTotal++
		}
		if len(docs) > 0 && retrieval.Sensitive(docs[0]) && !slices.Contains(q.Expect, docs[0]) {
			rep.SensitiveTop = append(rep.SensitiveTop, RetrievalMiss{ID: q.ID, Role: q.Role, Query: q.Query, Expect: q.Expect, Got: docs[:min(len(docs), RetrievalK)]})
		}
		if len(q.Expect) == 0 {
			rep.OffTopic.Queries++
			if len(res) == 0 {
				rep.OffTopic.ReturnedNothing++
			}
			continue
		}
		if len(res) == 0 {
			rep.OffTopic.OnTopicEmpty++
		}
		r1, r5, rr := scoreQuery(q.Expect, docs)
		for _, a := range []*acc{overall, roleAcc(byRole, string(q.Role))} {
			a.n++
			a.r1 += r1
			a.r5 += r5
			a.mrr += rr
		}
		if r5 < 1 {
			rep.Misses = append(rep.Misses, RetrievalMiss{ID: q.ID, Role: q.Role, Query: q.Query, Expect: q.Expect, Got: docs[:min(len(docs), RetrievalK)]})
		}
	}
	metrics := func(a *acc) RetrievalMetrics {
		if a.n == 0 {
			return RetrievalMetrics{}
		}
		n := float64(a.n)
		return RetrievalMetrics{Queries: a.n, RecallAt1: a.r1 / n, RecallAt5: a.r5 / n, MRR: a.mrr / n}
	}
	rep.RetrievalMetrics = metrics(overall)
	for role, a := range byRole {
		rep.ByRole[role] = metrics(a)
	}
	if o := &rep.OffTopic; o.Queries > 0 {
		o.Recall = float64(o.ReturnedNothing) / float64(o.Queries)
	}
	rep.OffTopic.Precision = 1
	if emptyTotal > 0 {
		rep.OffTopic.Precision = float64(rep.OffTopic.ReturnedNothing) / float64(emptyTotal)
	}
	return rep, nil
}

func roleAcc[T any](m map[string]*T, role string) *T {
	if m[role] == nil {
		m[role] = new(T)
	}
	return m[role]
}

// rankedDocs lists distinct documents in order of their best chunk.
func rankedDocs(res []retrieval.Result) []string {
	docs := []string{}
	for _, r := range res {
		if !slices.Contains(docs, r.DocID) {
			docs = append(docs, r.DocID)
		}
	}
	return docs
}

func scoreQuery(expect, docs []string) (r1, r5, rr float64) {
	hits := func(k int) float64 {
		n := 0
		for _, e := range expect {
			if slices.Contains(docs[:min(k, len(docs))], e) {
				n++
			}
		}
		return float64(n) / float64(len(expect))
	}
	for i, d := range docs {
		if slices.Contains(expect, d) {
			rr = 1 / float64(i+1)
			break
		}
	}
	// recall@1 can reach only 1/|E| with one slot; count it as the share of the best possible.
	return min(1, hits(1)*float64(len(expect))), hits(RetrievalK), rr
}

// WriteText prints the report for people.
func (r RetrievalReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "retrieval eval: %d on-topic queries, %d off-topic\n\n", r.Queries, r.OffTopic.Queries)
	fmt.Fprintf(w, "%-10s %7s %9s %9s %7s\n", "role", "queries", "recall@1", "recall@5", "MRR")
	fmt.Fprintf(w, "%-10s %7d %9.3f %9.3f %7.3f\n", "all", r.Queries, r.RecallAt1, r.RecallAt5, r.MRR)
	roles := make([]string, 0, len(r.ByRole))
	for role := range r.ByRole {
		roles = append(roles, role)
	}
	sort.Strings(roles)
	for _, role := range roles {
		m := r.ByRole[role]
		fmt.Fprintf(w, "%-10s %7d %9.3f %9.3f %7.3f\n", role, m.Queries, m.RecallAt1, m.RecallAt5, m.MRR)
	}
	o := r.OffTopic
	fmt.Fprintf(w, "\noff-topic: %d of %d got no content (recall %.3f); precision of \"no content\" %.3f; on-topic queries wrongly given nothing: %d\n",
		o.ReturnedNothing, o.Queries, o.Recall, o.Precision, o.OnTopicEmpty)
	fmt.Fprintf(w, "sensitive document on top of a message not about it: %d\n", len(r.SensitiveTop))
	for _, m := range r.SensitiveTop {
		fmt.Fprintf(w, "  %s [%s] %q\n      expect %v\n      got    %v\n", m.ID, m.Role, m.Query, m.Expect, m.Got)
	}
	if len(r.Misses) > 0 {
		fmt.Fprintf(w, "\nmisses (expected documents not all in the top %d):\n", RetrievalK)
		for _, m := range r.Misses {
			fmt.Fprintf(w, "  %s [%s] %q\n      expect %v\n      got    %v\n", m.ID, m.Role, m.Query, m.Expect, m.Got)
		}
	}
}
