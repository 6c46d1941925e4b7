package retrievaltest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
)

// ContentDB returns a fresh database holding contentDir ingested (drafts included) with
// the default local embedder, and that embedder.
func ContentDB(tb testing.TB, contentDir string) (*postgrestest.DB, retrieval.Embedder) {
	tb.Helper()
	emb, err := retrieval.NewLocalEmbedder(0)
	if err != nil {
		tb.Fatalf("retrievaltest: embedder: %v", err)
	}
	key, err := dirHash(contentDir)
	if err != nil {
		tb.Fatalf("retrievaltest: hash %s: %v", contentDir, err)
	}
	db := postgrestest.NewSeeded(tb, "content:"+emb.ID()+":"+key, func(ctx context.Context, pool *pgxpool.Pool) error {
		_, err := retrieval.Ingest(ctx, pool, emb, contentDir, retrieval.IngestOptions{IncludeDrafts: true})
		return err
	})
	return db, emb
}

func dirHash(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
