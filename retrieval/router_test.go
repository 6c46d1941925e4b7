package retrieval_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
)

// routerExamples teach a router three subjects in words the documents below do not use.
var routerExamples = []retrieval.RouteExample{
	{Text: "wrecked after seven nights in a row and my body clock is upside down", Docs: []string{"night-work"}, Weight: 1},
	{Text: "cant flip back to days after a week of nights", Docs: []string{"night-work"}, Weight: 1},
	{Text: "my sleep is a mess after the overnight block", Docs: []string{"night-work"}, Weight: 1},
	{Text: "boards in three weeks and i freeze every time i open a question bank", Docs: []string{"exams"}, Weight: 1},
	{Text: "failed my practice test again and i think im going to fail step", Docs: []string{"exams"}, Weight: 1},
	{Text: "panicking about the in-training exam score", Docs: []string{"exams"}, Weight: 1},
	{Text: "loans are crushing me and rent went up again", Docs: []string{"money"}, Weight: 1},
	{Text: "my paycheck is gone before the month ends", Docs: []string{"money"}, Weight: 1},
	{Text: "quarterly tax return for my side gig", Docs: []string{"money"}, Weight: 1},
}

// routerDocs are the documents of routerExamples, in words the examples do not use.
var routerDocs = []docSpec{
	{id: "night-work", title: "Sleeping after night shifts", body: "## Turning around\nAfter a run of night shifts, anchor sleep and use light to move your body clock back.\n"},
	{id: "exams", title: "Exam preparation", body: "## Study plans\nSpaced practice with a question bank beats cramming; a bad practice score is information, not a verdict.\n"},
	{id: "money", title: "Money worries", body: "## Debt and rent\nIncome-driven repayment, a simple budget and the programme's hardship fund can ease debt and rent. A car loan and rent on a trip budget add up.\n"},
}

// trainedRouter trains a router on routerExamples and any extra examples.
func trainedRouter(t *testing.T, extra ...retrieval.RouteExample) (*retrieval.Router, []byte) {
	t.Helper()
	data, err := retrieval.TrainRouter(append(slices.Clone(routerExamples), extra...), retrieval.DefaultRouterOptions)
	if err != nil {
		t.Fatal(err)
	}
	r, err := retrieval.LoadRouter(data)
	if err != nil {
		t.Fatal(err)
	}
	return r, data
}

func TestRouterLearnsAndIsDeterministic(t *testing.T) {
	r, data := trainedRouter(t)
	again, err := retrieval.TrainRouter(routerExamples, retrieval.DefaultRouterOptions)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("two trainings on the same examples gave different bytes")
	}
	tests := []struct{ message, want string }{
		{"been on nights all week and my body clock is upside down", "night-work"},
		{"i think im going to fail my boards", "exams"},
		{"rent and loans, i cant keep up", "money"},
	}
	for _, tt := range tests {
		rank := r.Rank(tt.message)
		if rank[0].DocID != tt.want {
			t.Errorf("%q: ranked %v, want %s first", tt.message, rank, tt.want)
		}
		var sum float64
		for _, d := range rank {
			sum += d.Prob
		}
		if sum < 0.999 || sum > 1.001 {
			t.Errorf("%q: probabilities sum to %f", tt.message, sum)
		}
	}
}

func TestLoadRouterRejectsBadFiles(t *testing.T) {
	_, data := trainedRouter(t)
	for name, bad := range map[string][]byte{
		"empty":       nil,
		"other file":  []byte("nightfloat-wordvec\n{}\n"),
		"no manifest": []byte("nightfloat-router\n"),
		"truncated":   data[:len(data)-3],
		"extra bytes": append(append([]byte{}, data...), 1, 2, 3),
	} {
		if _, err := retrieval.LoadRouter(bad); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestDefaultRouterIsTheCommittedTraining(t *testing.T) {
	r, err := retrieval.DefaultRouter()
	if err != nil {
		t.Fatal(err)
	}
	m := r.Manifest()
	if m.Trainer != retrieval.RouterTrainerHash() {
		t.Errorf("router trained by %s, the trainer is now %s: retrain (go run ./retrieval/internal/trainrouter)", m.Trainer, retrieval.RouterTrainerHash())
	}
	if m.Options != retrieval.DefaultRouterOptions {
		t.Errorf("router trained with %+v, DefaultRouterOptions are %+v: retrain", m.Options, retrieval.DefaultRouterOptions)
	}
	if m.Docs < 50 {
		t.Errorf("the router knows %d documents", m.Docs)
	}
}

// TestSearchFusesTheRouter: the router puts first the document a message is about when
// the words alone point elsewhere.
func TestSearchFusesTheRouter(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	ingestDocs(t, db, emb, routerDocs...)
	r, _ := trainedRouter(t)
	with := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true, Router: r})
	without := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true, NoRouter: true})

	// "question bank", "practice" and "score" are the exam document's words, but the
	// message is about money; the router knows it from how people talk about money.
	q := "the question bank and practice tests for my study plans ate my paycheck, loans are crushing me"
	got, err := with.Search(ctx, "resident", q, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].DocID != "money" {
		t.Errorf("with the router: %v, want money first", docIDs(got))
	}
	base, err := without.Search(ctx, "resident", q, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(base) == 0 || base[0].DocID != "exams" {
		t.Errorf("without the router: %v, want exams first (the words' choice, which the router overrules)", docIDs(base))
	}

}

// offTopicExamples teach a router messages about no document, some in the documents' words.
var offTopicExamples = []retrieval.RouteExample{
	{Text: "best lasagna recipe for a crowd", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "good podcast for the drive home", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "vanc dosing for a 90 kg patient", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "who won the game last night", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "rent a car for the trip or take the train", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "plans for a road trip, rent a cabin?", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "cheapest place to rent a car near the airport", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "how do i page the chaplain on call for a family", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "what's the number for the pharmacy", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "what's the number for the pizza place", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "what's the number for the parking office", Docs: []string{retrieval.RouterNone}, Weight: 1},
	{Text: "i can't keep myself safe tonight", Docs: []string{"urgent-help-right-now"}, Weight: 1},
	{Text: "chaplain referral for a family after a death", Docs: []string{retrieval.RouterNone}, Weight: 1},
}

// TestRouterDecidesAnswerable: a router sure of a document makes a message answerable
// from it without shared words; a router sure of no document gives a message nothing
// from the documents it knows, whatever words they share, but leaves the documents it
// was not trained on (an institution's own) and sensitive documents on their subject to
// the words; an unsure router adds nothing.
func TestRouterDecidesAnswerable(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	ingestDocs(t, db, emb, append(slices.Clone(routerDocs),
		// A sensitive document the router knows: crisis content.
		docSpec{id: "urgent-help-right-now", title: "If you need help right now", body: "## Call or text\nCall or text 988 any time, day or night, to reach the crisis line.\n"},
		// A document the router was not trained on, as an institution's own would be.
		docSpec{id: "chaplaincy", title: "Our chaplains", body: "## Chaplain on call\nThe chaplain on call can sit with a family after a death; page the chaplain through the operator.\n"},
	)...)
	// Documents the router knows but the database does not hold: a router of four classes
	// gives an unknown word a quarter each, which is not what "unsure" means.
	var more []retrieval.RouteExample
	for _, d := range []string{"grief", "anger", "loneliness", "parenting", "perfectionism", "conflict"} {
		more = append(more, retrieval.RouteExample{Text: "a message about " + d, Docs: []string{d}, Weight: 1})
	}
	r, _ := trainedRouter(t, append(more, offTopicExamples...)...)
	with := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true, Router: r})
	without := newSearcher(t, db, emb, retrieval.SearchOptions{IncludeDrafts: true, NoRouter: true})
	tests := []struct {
		query       string
		routed      string // the router's view the case needs: a document id, RouterNone or "unsure"
		with        string // first document with the router; "" for nothing
		withoutWant string // first document without it
	}{
		{"my paycheck is gone before the month ends", "money", "money", ""},
		{"best lasagna recipe", retrieval.RouterNone, "", ""},
		{"rent a car on a trip budget near the airport", retrieval.RouterNone, "", "money"},
		{"zebra", "unsure", "", ""},
		{"page the chaplain on call to sit with a family", retrieval.RouterNone, "chaplaincy", "chaplaincy"},
		// Crisis content is never withheld from a message about its subject.
		{"what's the number for the suicide hotline", retrieval.RouterNone, "urgent-help-right-now", "urgent-help-right-now"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			// The search's thresholds: 0.6 for no document, 0.2 for a document.
			rt := r.Route(tt.query)
			switch tt.routed {
			case retrieval.RouterNone:
				if rt.None < 0.6 {
					t.Fatalf("the router gives no document %.2f: the case needs it sure", rt.None)
				}
			case "unsure":
				if rt.None >= 0.6 || rt.Docs[0].Prob >= 0.2 {
					t.Fatalf("the router is sure (none %.2f, %s %.2f): the case needs it unsure", rt.None, rt.Docs[0].DocID, rt.Docs[0].Prob)
				}
			default:
				if rt.Docs[0].DocID != tt.routed || rt.Docs[0].Prob < 0.2 {
					t.Fatalf("the router's first choice is %s (%.2f): the case needs it sure of %s", rt.Docs[0].DocID, rt.Docs[0].Prob, tt.routed)
				}
			}
			for _, side := range []struct {
				s    *retrieval.Searcher
				want string
				name string
			}{{with, tt.with, "with the router"}, {without, tt.withoutWant, "without the router"}} {
				got, err := side.s.Search(ctx, "resident", tt.query, 3)
				if err != nil {
					t.Fatal(err)
				}
				first := ""
				if len(got) > 0 {
					first = got[0].DocID
				}
				if first != side.want {
					t.Errorf("%s: got %v, want %q first (\"\" is nothing)", side.name, docIDs(got), side.want)
				}
			}
		})
	}
}

// BenchmarkRouterRank ranks the committed router's documents for a long message.
func BenchmarkRouterRank(b *testing.B) {
	r, err := retrieval.DefaultRouter()
	if err != nil {
		b.Fatal(err)
	}
	msg := "just finished my fourth night in a row and i cant sleep during the day, my attending yelled at me on rounds and i keep replaying it, boards are in six weeks and i havent studied at all, honestly i dont know how people do this"
	b.ReportAllocs()
	for b.Loop() {
		r.Rank(msg)
	}
}

// BenchmarkDefaultRouter loads the committed router, as each searcher does at start.
func BenchmarkDefaultRouter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := retrieval.DefaultRouter(); err != nil {
			b.Fatal(err)
		}
	}
}
