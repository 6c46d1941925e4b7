package retrieval_test

import (
	"context"
	"slices"
	"testing"

	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
)

// TestRouterOpensSensitiveDocuments: a sensitive document comes back for a message about
// its subject in words its subject pattern does not name only when the router is sure of
// it, and never for a message the router places elsewhere.
func TestRouterOpensSensitiveDocuments(t *testing.T) {
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	ingestDocs(t, db, emb,
		docSpec{id: "urgent-help-right-now", title: "If you need help right now",
			body: "## Going over the plan again\nIf you find yourself sitting alone in a car or a call room going over the plan again, tell someone tonight and call or text 988.\n"},
		docSpec{id: "money", title: "Money worries",
			body: "## Debt and rent\nIncome-driven repayment, a simple budget and the programme's hardship fund can ease debt and rent while sitting with loans.\n"},
	)
	r, _ := trainedRouter(t,
		retrieval.RouteExample{Text: "sitting in my car after shift going over the plan again", Docs: []string{"urgent-help-right-now"}, Weight: 1},
		retrieval.RouteExample{Text: "alone in the call room and i keep going over the plan", Docs: []string{"urgent-help-right-now"}, Weight: 1},
		retrieval.RouteExample{Text: "i wrote letters to everyone tonight and went over the plan again", Docs: []string{"urgent-help-right-now"}, Weight: 1},
	)
	const q = "sitting alone in my car going over the plan again"
	if p := r.Rank(q)[0]; p.DocID != "urgent-help-right-now" {
		t.Fatalf("the router's first choice for %q is %s (%.2f): the test needs it sure of the urgent-help document", q, p.DocID, p.Prob)
	}
	if retrieval.AboutSubject("urgent-help-right-now", q) {
		t.Fatalf("%q names the urgent-help subject; the test needs words the pattern misses", q)
	}
	tests := []struct {
		name   string
		router bool
		query  string
		want   bool // urgent-help-right-now is among the results
	}{
		{"the router is sure", true, q, true},
		{"without the router the subject pattern decides", false, q, false},
		{"a message the router places elsewhere", true, "sitting with loans and rent, going over the budget", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := searchRouted(t, db, emb, r, tt.router, tt.query)
			if in := slices.Contains(ids, "urgent-help-right-now"); in != tt.want {
				t.Errorf("results %v: urgent-help-right-now among them = %v, want %v", ids, in, tt.want)
			}
		})
	}
}

// TestRouterKeepsWhatTheWordsUnderweigh: once the words make a message answerable, a
// document the router names is kept even when its own words fall short of the share a
// supporting result needs; without the router it is not.
func TestRouterKeepsWhatTheWordsUnderweigh(t *testing.T) {
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	ingestDocs(t, db, emb,
		docSpec{id: "night-work", title: "Turning your body clock around",
			body: "## Turning around\nAnchor sleep and use daylight to move your body clock back after a run of late shifts.\n"},
		docSpec{id: "money", title: "Money worries",
			body: "## Debt and rent\nIncome-driven repayment, a simple budget and the programme's hardship fund can ease loans, debt and rent.\n"},
	)
	r, _ := trainedRouter(t)
	const q = "loans and rent are crushing me and the budget is a mess, and i am wrecked after seven nights in a row"
	for _, tt := range []struct {
		name   string
		router bool
		want   bool // night-work is among the results
	}{
		{"with the router", true, true},
		{"without the router", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ids := searchRouted(t, db, emb, r, tt.router, q)
			if !slices.Contains(ids, "money") {
				t.Fatalf("results %v: the money document must make the message answerable", ids)
			}
			if in := slices.Contains(ids, "night-work"); in != tt.want {
				t.Errorf("results %v: night-work among them = %v, want %v", ids, in, tt.want)
			}
		})
	}
}

// searchRouted searches for a resident with the router r, or with no router at all, and
// returns the documents found, best first.
func searchRouted(t *testing.T, db *postgrestest.DB, emb retrieval.Embedder, r *retrieval.Router, useRouter bool, q string) []string {
	t.Helper()
	opts := retrieval.SearchOptions{IncludeDrafts: true, Router: r}
	if !useRouter {
		opts = retrieval.SearchOptions{IncludeDrafts: true, NoRouter: true}
	}
	got, err := newSearcher(t, db, emb, opts).Search(context.Background(), "resident", q, 5)
	if err != nil {
		t.Fatal(err)
	}
	return docIDs(got)
}
