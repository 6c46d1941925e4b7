package retrieval_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
)

// dbState is every stored document and chunk, to compare before and after.
func dbState(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	var s string
	err := pool.QueryRow(context.Background(), `
		SELECT coalesce(string_agg(d.id || ':' || d.content_hash || ':' || d.ingested_at::text || ':' ||
			(SELECT string_agg(c.id || c.body, '|' ORDER BY c.seq) FROM retrieval_chunks c WHERE c.doc_id = d.id), E'\n' ORDER BY d.id), '')
		FROM retrieval_documents d`).Scan(&s)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestIngestIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := &countingEmbedder{LocalEmbedder: localEmbedder(t)}
	dir := writeDocs(t, docSpec{id: "alpha"}, docSpec{id: "beta"}, docSpec{id: "gamma"})
	opts := retrieval.IngestOptions{IncludeDrafts: true}

	first, err := retrieval.Ingest(ctx, db.Pool, emb, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if joinIDs(first.Added) != "alpha,beta,gamma" || first.Chunks == 0 {
		t.Fatalf("first ingest: %+v", first)
	}
	embedded := emb.texts.Load()
	before := dbState(t, db.Pool)

	t.Run("second run changes nothing", func(t *testing.T) {
		second, err := retrieval.Ingest(ctx, db.Pool, emb, dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if joinIDs(second.Unchanged) != "alpha,beta,gamma" || len(second.Added)+len(second.Updated)+len(second.Removed) != 0 {
			t.Fatalf("second ingest: %+v", second)
		}
		if n := emb.texts.Load(); n != embedded {
			t.Errorf("second ingest embedded %d texts", n-embedded)
		}
		if after := dbState(t, db.Pool); after != before {
			t.Errorf("database changed:\n%s\n---\n%s", before, after)
		}
	})

	t.Run("editing one document re-embeds only it", func(t *testing.T) {
		writeDoc(t, dir, docSpec{id: "beta", body: "## New section\nEntirely new words about beta.\n\n## Another\nMore.\n"})
		start := emb.texts.Load()
		sum, err := retrieval.Ingest(ctx, db.Pool, emb, dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if joinIDs(sum.Updated) != "beta" || joinIDs(sum.Unchanged) != "alpha,gamma" {
			t.Fatalf("summary %+v", sum)
		}
		if got := emb.texts.Load() - start; got != int64(sum.Chunks) || got != 2 {
			t.Errorf("embedded %d texts for %d chunks of beta, want 2", got, sum.Chunks)
		}
		var headings string
		if err := db.Pool.QueryRow(ctx, "SELECT string_agg(heading, '|' ORDER BY seq) FROM retrieval_chunks WHERE doc_id = 'beta'").Scan(&headings); err != nil {
			t.Fatal(err)
		}
		if headings != "Test document beta > New section|Test document beta > Another" {
			t.Errorf("beta's chunks were not replaced: %q", headings)
		}
	})

	t.Run("a removed document is removed", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "gamma.md")); err != nil {
			t.Fatal(err)
		}
		sum, err := retrieval.Ingest(ctx, db.Pool, emb, dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if joinIDs(sum.Removed) != "gamma" {
			t.Fatalf("summary %+v", sum)
		}
		var n int
		if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM retrieval_chunks WHERE doc_id = 'gamma'").Scan(&n); err != nil || n != 0 {
			t.Errorf("gamma has %d chunks left (err %v)", n, err)
		}
	})

	t.Run("a malformed document leaves the database as it was", func(t *testing.T) {
		before := dbState(t, db.Pool)
		writeDoc(t, dir, docSpec{id: "alpha", body: "## Changed\nThis change must not be written.\n"})
		writeDoc(t, dir, docSpec{id: "broken", roles: "[resident, doctor]"})
		start := emb.texts.Load()
		_, err := retrieval.Ingest(ctx, db.Pool, emb, dir, opts)
		if err == nil || !strings.Contains(err.Error(), "broken.md: field \"roles\": unknown role \"doctor\"") {
			t.Fatalf("err = %v", err)
		}
		if after := dbState(t, db.Pool); after != before {
			t.Errorf("database changed after a failed ingest")
		}
		if emb.texts.Load() != start {
			t.Errorf("embedded texts before validating everything")
		}
	})
}

func TestIngestDrafts(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	emb := localEmbedder(t)
	dir := writeDocs(t,
		docSpec{id: "reviewed", status: "approved", reviewedBy: "Dr A. Reviewer", reviewedOn: "2026-01-10"},
		docSpec{id: "sample"},
	)
	sum, err := retrieval.Ingest(ctx, db.Pool, emb, dir, retrieval.IngestOptions{IncludeDrafts: true})
	if err != nil {
		t.Fatal(err)
	}
	if joinIDs(sum.Added) != "reviewed,sample" {
		t.Fatalf("with drafts: %+v", sum)
	}
	sum, err = retrieval.Ingest(ctx, db.Pool, emb, dir, retrieval.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if joinIDs(sum.Removed) != "sample" || joinIDs(sum.Unchanged) != "reviewed" || sum.SkippedDrafts != 1 {
		t.Fatalf("without drafts the earlier draft must go: %+v", sum)
	}
	if !strings.Contains(sum.String(), "--drafts") {
		t.Errorf("summary does not say drafts were left out:\n%s", sum)
	}
}

func TestIngestReportsStaleDocuments(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	dir := writeDocs(t, docSpec{id: "fresh", reviewDue: "2030-01-01"}, docSpec{id: "overdue", reviewDue: "2025-01-01"})
	sum, err := retrieval.Ingest(ctx, db.Pool, localEmbedder(t), dir, retrieval.IngestOptions{
		IncludeDrafts: true, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatalf("a stale document must warn, not fail: %v", err)
	}
	if len(sum.Stale) != 1 || sum.Stale[0].ID != "overdue" {
		t.Fatalf("stale = %+v", sum.Stale)
	}
	if !strings.Contains(sum.String(), "warning: overdue is past its review date (2025-01-01)") {
		t.Errorf("summary:\n%s", sum)
	}
}

func TestIngestReembedsForANewEmbedder(t *testing.T) {
	ctx := context.Background()
	db := postgrestest.New(t)
	dir := writeDocs(t, docSpec{id: "alpha"}, docSpec{id: "beta"})
	opts := retrieval.IngestOptions{IncludeDrafts: true}
	if _, err := retrieval.Ingest(ctx, db.Pool, localEmbedder(t), dir, opts); err != nil {
		t.Fatal(err)
	}
	small, err := retrieval.NewLocalEmbedder(256)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := retrieval.Ingest(ctx, db.Pool, small, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if joinIDs(sum.Updated) != "alpha,beta" {
		t.Fatalf("a new embedder must re-embed everything: %+v", sum)
	}
	var indexes []string
	rows, err := db.Pool.Query(ctx, "SELECT indexdef FROM pg_indexes WHERE tablename = 'retrieval_chunks' AND indexname LIKE 'retrieval_chunks_hnsw_%'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, s)
	}
	if len(indexes) != 1 || !strings.Contains(indexes[0], fmt.Sprintf("vector(%d)", small.Dimensions())) || !strings.Contains(indexes[0], small.ID()) {
		t.Errorf("HNSW indexes after switching embedder: %v", indexes)
	}
}
