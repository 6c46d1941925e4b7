package retrieval_test

import (
	"context"
	"strings"
	"testing"

	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
)

func TestParseSearchPhrasings(t *testing.T) {
	ok := docSpec{id: "a", phrasings: []string{"how do I sleep after nights", "cannot nap"}}
	d, err := retrieval.ParseDocument("a.md", []byte(ok.markdown()))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.SearchPhrasings, "|") != "how do I sleep after nights|cannot nap" {
		t.Errorf("phrasings = %q", d.SearchPhrasings)
	}
	none, err := retrieval.ParseDocument("b.md", []byte(docSpec{id: "b"}.markdown()))
	if err != nil || len(none.SearchPhrasings) != 0 {
		t.Errorf("optional field: err %v, phrasings %q", err, none.SearchPhrasings)
	}
	for name, ps := range map[string][]string{
		"duplicate": {"same words", "Same words"},
		"too long":  {strings.Repeat("x", 201)},
		"too many":  strings.Fields("a b c d e f g h i j k l m n o p q"),
	} {
		if _, err := retrieval.ParseDocument("c.md", []byte(docSpec{id: "c", phrasings: ps}.markdown())); err == nil ||
			!strings.Contains(err.Error(), "search_phrasings") {
			t.Errorf("%s: err = %v, want a search_phrasings error", name, err)
		}
	}
}

// A search phrasing finds its document by how people ask, but results are always the
// document's own chunks: phrasings are never returned or cited.
func TestSearchPhrasingsPointAtTheirDocument(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	ingestDocs(t, db, emb,
		docSpec{id: "night-sleep", title: "Daytime sleep", roles: "[resident, nurse]",
			body:      "## Dark and quiet\nBlackout blinds, a cool room and a fixed anchor time help daytime sleep.\n",
			phrasings: []string{"my neighbours mow the lawn while I try to rest after a night shift"}},
		docSpec{id: "lawn-care", title: "Gardening", roles: "[resident, nurse]", body: "## Tools\nSharpen the blades of a mower each spring.\n"},
		docSpec{id: "resident-only", title: "Resident only", roles: "[resident]",
			body:      "## Private\nWords for residents alone.\n",
			phrasings: []string{"neighbours mowing the lawn while resting after night shift"}},
	)
	s := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true})
	res, err := s.Search(ctx, "nurse", "neighbours mowing the lawn when i rest after a night shift", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 || res[0].DocID != "night-sleep" {
		t.Fatalf("got %v, want night-sleep first, found by its phrasing", docIDs(res))
	}
	for _, r := range res {
		if strings.Contains(r.Text, "neighbours") {
			t.Errorf("a phrasing was returned as content: %+v", r)
		}
		if r.DocID == "resident-only" {
			t.Errorf("a nurse was given a resident-only document through its phrasing")
		}
	}
}
