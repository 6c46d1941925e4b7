package evals

import (
	"context"
	"os"
	"strings"
	"testing"

	"nightfloat/retrieval"
	"nightfloat/retrieval/retrievaltest"
)

// Gate thresholds for the local embedder on the starter content.
const (
	gateRecall5 = 0.90
	gateMRR     = 0.75
)

// TestRetrievalGate ingests the real content (drafts included, as the README's run command
// does) into a fresh database and fails if ranking quality drops below the gate.
func TestRetrievalGate(t *testing.T) {
	rep, text := runRetrievalFile(t, "retrieval/queries.jsonl")
	if testing.Verbose() || os.Getenv("NIGHTFLOAT_EVAL_VERBOSE") != "" {
		t.Log("\n" + text)
	}
	if rep.RecallAt5 < gateRecall5 || rep.MRR < gateMRR {
		t.Errorf("retrieval below the gate: recall@5 %.3f (want >= %.2f), MRR %.3f (want >= %.2f)\n%s",
			rep.RecallAt5, gateRecall5, rep.MRR, gateMRR, text)
	}
}

// runRetrievalFile runs the labelled queries in path (relative to this package) against a
// fresh database holding the real content (drafts included), ingested once per content
// version by retrievaltest.ContentDB.
func runRetrievalFile(t *testing.T, path string) (RetrievalReport, string) {
	t.Helper()
	ctx := context.Background()
	queries, err := LoadRetrievalQueries(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := retrieval.LoadDir("../content")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckRetrievalLabels(queries, docs); err != nil {
		t.Fatalf("labels that can never be met:\n%v", err)
	}
	db, emb := retrievaltest.ContentDB(t, "../content")
	s, err := retrieval.NewSearcher(db.Pool, emb, retrieval.SearchOptions{IncludeDrafts: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := RunRetrieval(ctx, s, queries)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteText(&b)
	return rep, b.String()
}

func TestScoreQuery(t *testing.T) {
	tests := []struct {
		name        string
		expect      []string
		docs        []string
		r1, r5, mrr float64
	}{
		{"first", []string{"a"}, []string{"a", "b"}, 1, 1, 1},
		{"third", []string{"a"}, []string{"x", "y", "a"}, 0, 1, 1.0 / 3},
		{"missing", []string{"a"}, []string{"x", "y", "z", "w", "v", "a"}, 0, 0, 1.0 / 6},
		{"half of two", []string{"a", "b"}, []string{"b", "x"}, 1, 0.5, 1},
		{"nothing", []string{"a"}, nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r1, r5, rr := scoreQuery(tt.expect, tt.docs)
			if r1 != tt.r1 || r5 != tt.r5 || rr != tt.mrr {
				t.Errorf("got r1 %v r5 %v rr %v, want %v %v %v", r1, r5, rr, tt.r1, tt.r5, tt.mrr)
			}
		})
	}
}

func TestParseRetrievalQueries(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"bad json", `{"id": "a"`, "x.jsonl:1"},
		{"unknown field", `{"id":"a","role":"nurse","query":"q","expect":[],"extra":1}`, "unknown field"},
		{"unknown role", `{"id":"a","role":"doctor","query":"q","expect":[]}`, `unknown role "doctor"`},
		{"duplicate id", `{"id":"a","role":"nurse","query":"q","expect":[]}` + "\n" + `{"id":"a","role":"nurse","query":"q","expect":[]}`, "x.jsonl:2: query \"a\": id also used on line 1"},
		{"missing expect", `{"id":"a","role":"nurse","query":"q"}`, "missing \"expect\""},
		{"empty query", `{"id":"a","role":"nurse","query":" ","expect":[]}`, "empty query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRetrievalQueries("x.jsonl", strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
