package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"nightfloat/llm"
	"nightfloat/llm/llmtest"
	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
)

func newSearcher(tb testing.TB, db *postgrestest.DB, emb retrieval.Embedder, opts retrieval.SearchOptions) *retrieval.Searcher {
	tb.Helper()
	s, err := retrieval.NewSearcher(db.Pool, emb, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func ingestDocs(tb testing.TB, db *postgrestest.DB, emb retrieval.Embedder, specs ...docSpec) {
	tb.Helper()
	dir := writeDocs(tb, specs...)
	if _, err := retrieval.Ingest(context.Background(), db.Pool, emb, dir, retrieval.IngestOptions{IncludeDrafts: true}); err != nil {
		tb.Fatal(err)
	}
}

func TestSearchFiltersByRole(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	specs := []docSpec{{
		id: "intern-call-survival", roles: "[resident]", title: "Surviving call as an intern",
		body: "## First call\nYour first overnight call as an intern: pages, cross-cover, sleep, and when to call your senior resident.\n",
	}}
	// Many resident-only documents that match better than anything a nurse may see, so a
	// filtered scan has to look past them to find k allowed results.
	for i := range 30 {
		specs = append(specs, docSpec{id: fmt.Sprintf("resident-call-%02d", i), roles: "[resident, fellow]",
			body: fmt.Sprintf("## Call night %d\nOvernight call as an intern: pages, cross-cover and sleep on call night %d.\n", i, i)})
	}
	for i := range 6 {
		specs = append(specs, docSpec{id: fmt.Sprintf("nurse-nights-%d", i), roles: "[nurse, app]",
			body: fmt.Sprintf("## Night shift %d\nSleep and breaks on an overnight nursing shift, part %d.\n", i, i)})
	}
	ingestDocs(t, db, emb, specs...)
	s := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true, MinSimilarity: -1, MaxPerDocument: 1})

	const q = "first overnight call as an intern pages cross-cover sleep"
	res, err := s.Search(ctx, "resident", q, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 || res[0].DocID != "intern-call-survival" {
		t.Fatalf("resident: want intern-call-survival first, got %v", docIDs(res))
	}
	res, err = s.Search(ctx, "nurse", q, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 5 {
		t.Errorf("nurse: got %d results, want 5 (filtered queries must still fill k)", len(res))
	}
	for _, r := range res {
		if !strings.HasPrefix(r.DocID, "nurse-nights-") {
			t.Errorf("nurse was given %s, which is not written for nurses", r.DocID)
		}
	}
	if _, err := s.Search(ctx, "doctor", q, 5); !errors.As(err, new(*retrieval.UnknownRoleError)) {
		t.Errorf("unknown role: err = %v", err)
	}
}

func TestSearchOnlyAllowedStatus(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	ingestDocs(t, db, emb,
		docSpec{id: "approved-sleep", status: "approved", reviewedBy: "Dr A. Reviewer", reviewedOn: "2026-02-01",
			body: "## Day sleep\nBlackout curtains and earplugs help day sleep after a night shift.\n"},
		docSpec{id: "draft-sleep", body: "## Day sleep\nA fan, an eye mask and a cool room help day sleep after a night shift.\n"},
	)
	const q = "how to sleep during the day after a night shift"
	for _, tt := range []struct {
		drafts bool
		want   []string
	}{{false, []string{"approved-sleep"}}, {true, []string{"approved-sleep", "draft-sleep"}}} {
		t.Run(fmt.Sprintf("drafts=%v", tt.drafts), func(t *testing.T) {
			res, err := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: tt.drafts}).Search(ctx, "resident", q, 5)
			if err != nil {
				t.Fatal(err)
			}
			got := docIDs(res)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for _, r := range res {
				if r.Status == "approved" && (r.ReviewedBy != "Dr A. Reviewer" || r.ReviewedOn != "2026-02-01") {
					t.Errorf("review provenance lost: %+v", r)
				}
			}
		})
	}
}

func TestSearchRefusesAnotherEmbeddersVectors(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	small, err := retrieval.NewLocalEmbedder(256)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newSearcher(t, db, small, retrieval.SearchOptions{}).Search(ctx, "resident", "sleep", 5)
	if !errors.Is(err, retrieval.ErrNoContent) {
		t.Errorf("empty database: err = %v, want ErrNoContent", err)
	}
	ingestDocs(t, db, localEmbedder(t), docSpec{id: "alpha"})
	_, err = newSearcher(t, db, small, retrieval.SearchOptions{}).Search(ctx, "resident", "sleep", 5)
	var mismatch *retrieval.EmbedderMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v, want an EmbedderMismatchError", err)
	}
	want := fmt.Sprintf("retrieval: content was embedded with %s (dim %d) but the query embedder is %s (dim %d); run nightfloat ingest",
		localEmbedder(t).ID(), localEmbedder(t).Dimensions(), small.ID(), small.Dimensions())
	if !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want it to say %q", err, want)
	}
}

func TestSearchReturnsNothingOffTopic(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	dir := "../content"
	if _, err := retrieval.Ingest(ctx, db.Pool, emb, dir, retrieval.IngestOptions{IncludeDrafts: true}); err != nil {
		t.Fatal(err)
	}
	s := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true})
	for _, q := range []string{"what's the best lasagna recipe", "translate hello into french", "how do I change a flat tire", "recommend a good laptop for coding", "", "   ", "the and of to"} {
		t.Run(q, func(t *testing.T) {
			res, err := s.Search(ctx, "resident", q, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 0 {
				t.Errorf("off-topic %q got %v", q, docIDs(res))
			}
		})
	}
	res, err := s.Search(ctx, "resident", "can't sleep during the day after night float", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		t.Fatal("an on-topic question got nothing")
	}
	for i := 1; i < len(res); i++ {
		if res[i].Score > res[i-1].Score {
			t.Errorf("results not best first: %v", res)
		}
	}
}

// conceptServer speaks the OpenAI embeddings protocol and embeds by concept: a text that
// mentions any word of concept i points along axis i. Word overlap and vector closeness are
// thereby independent, which is what the hybrid test needs. It returns the base URL.
func conceptServer(tb testing.TB, concepts [][]string) string {
	tb.Helper()
	dims := len(concepts) + 1
	embed := func(_ int, in string) []float32 {
		v := make([]float32, dims)
		for c, words := range concepts {
			for _, word := range words {
				if strings.Contains(strings.ToLower(in), word) {
					v[c] = 1
				}
			}
		}
		v[dims-1] = 0.05 // never a zero vector
		var n float64
		for _, x := range v {
			n += float64(x * x)
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(n))
		}
		return v
	}
	return (&llmtest.Server{Embeddings: llmtest.Embeddings{Vector: embed}}).Start(tb)
}

func TestSearchIsHybrid(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	srv := conceptServer(t, [][]string{{"ocean", "sea", "waves", "shore"}, {"mountain", "summit", "climb"}, {"forms", "paperwork"}})
	emb, err := llm.NewEmbedder(llm.Config{BaseURL: srv + "/v1"}, llm.EmbedderOptions{Model: "concepts", Dimensions: 4})
	if err != nil {
		t.Fatal(err)
	}
	ingestDocs(t, db, emb,
		// Its vector says "mountain"; only its words can find it for a zolpidem question.
		docSpec{id: "hiking-and-sleep", title: "Hiking trips", body: "## Sleep aids\nOn a mountain trip some people pack zolpidem for sleep; dosing questions belong with your own doctor.\n"},
		docSpec{id: "beach-breaks", title: "Beach breaks", body: "## By the sea\nTime by the ocean and the sea restores people.\n"},
		docSpec{id: "unrelated", title: "Paperwork", body: "## Forms\nFill in the leave forms early.\n"},
	)
	s := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true})

	t.Run("only full-text catches", func(t *testing.T) {
		// The question carries no concept, so its vector is near-orthogonal to every
		// document's and under the similarity floor: only the shared words find it.
		res, err := s.Search(ctx, "resident", "zolpidem dosing questions", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) == 0 || res[0].DocID != "hiking-and-sleep" {
			t.Fatalf("got %v, want hiking-and-sleep found by its words", docIDs(res))
		}
	})
	t.Run("only vectors catch", func(t *testing.T) {
		res, err := s.Search(ctx, "resident", "waves crashing on a quiet shore", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) == 0 || res[0].DocID != "beach-breaks" {
			t.Fatalf("got %v, want beach-breaks found by meaning", docIDs(res))
		}
	})
	t.Run("neither catches", func(t *testing.T) {
		res, err := s.Search(ctx, "resident", "quarterly tax return", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 0 {
			t.Fatalf("got %v, want nothing", docIDs(res))
		}
	})
}
