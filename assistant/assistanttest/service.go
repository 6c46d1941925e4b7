package assistanttest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
	"nightfloat/safety"
	"nightfloat/selfhelp"
)

// Crisis returns the crisis resources tests use: Test General, on call at 555-0100.
func Crisis() assistant.CrisisResources {
	return assistant.CrisisResources{Institution: "Test General", OncallPhone: "555-0100", OncallLabel: "Test on-call"}
}

// Options say what a test's service does differently.
type Options struct {
	Service assistant.Options // given to assistant.NewService as they are
	// Deps adjusts the wired parts before the service is built: a test double, a
	// responder, a pager, a roster, a logger.
	Deps func(*assistant.Deps)
}

// NewService returns a real service on db, which should hold the content (see
// retrievaltest.ContentDB): its store, a new hub, the real safety classifier, retrieval
// over db with the local embedder (drafts included), the vetted responder, Crisis() and
// the self-help form store, logging nowhere. It is shut down when the test ends.
func NewService(tb testing.TB, db *postgrestest.DB, o Options) *assistant.Service {
	tb.Helper()
	classifier, err := safety.New()
	if err != nil {
		tb.Fatalf("assistanttest: classifier: %v", err)
	}
	emb, err := retrieval.NewLocalEmbedder(0)
	if err != nil {
		tb.Fatalf("assistanttest: embedder: %v", err)
	}
	searcher, err := retrieval.NewSearcher(db.Pool, emb, retrieval.SearchOptions{IncludeDrafts: true})
	if err != nil {
		tb.Fatalf("assistanttest: searcher: %v", err)
	}
	d := assistant.Deps{
		Store:      assistant.NewStore(db.Pool),
		Hub:        assistant.NewHub(),
		Classifier: classifier,
		Retriever:  searcher,
		Responder:  assistant.VettedResponder{Crisis: Crisis()},
		Crisis:     Crisis(),
		Logger:     slog.New(slog.DiscardHandler),
		Forms:      selfhelp.NewStore(db.Pool),
	}
	if o.Deps != nil {
		o.Deps(&d)
	}
	svc := assistant.NewService(d, o.Service)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Shutdown(ctx)
	})
	return svc
}
