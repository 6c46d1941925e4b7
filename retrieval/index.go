package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// hnswIndexPrefix starts the name of every per-embedder HNSW index.
const hnswIndexPrefix = "retrieval_chunks_hnsw_"

// vectorSpace is the SQL spelling of one embedder's vectors: the fixed-dimension cast the
// HNSW index is built on, and the partial-index predicate. Searches must use exactly these
// expressions for PostgreSQL to pick the index. The id is checked by checkEmbedder, so it
// can be written as a literal (a literal, not a parameter, so generic plans match the
// partial index too).
type vectorSpace struct {
	embedder string
	dims     int
}

func (s vectorSpace) column() string { return fmt.Sprintf("embedding::vector(%d)", s.dims) }
func (s vectorSpace) param(n int) string {
	return fmt.Sprintf("$%d::vector(%d)", n, s.dims)
}
func (s vectorSpace) predicate() string {
	return "embedder = '" + strings.ReplaceAll(s.embedder, "'", "''") + "'"
}
func (s vectorSpace) indexName() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", s.embedder, s.dims)))
	return hnswIndexPrefix + hex.EncodeToString(sum[:])[:16]
}

// indexedTables are the tables holding embeddings, each with its HNSW index name prefix.
var indexedTables = []struct{ table, prefix string }{
	{"retrieval_chunks", hnswIndexPrefix},
	{"retrieval_phrasings", phrasingIndexPrefix},
}

// phrasingIndexPrefix starts the name of every per-embedder HNSW index on phrasings.
const phrasingIndexPrefix = "retrieval_phrasings_hnsw_"

func (s vectorSpace) indexNameFor(prefix string) string {
	return prefix + strings.TrimPrefix(s.indexName(), hnswIndexPrefix)
}

// ensureIndex creates this embedder's HNSW indexes (cosine distance) on chunks and
// phrasings, and drops the indexes of embedders whose vectors are gone.
func (s vectorSpace) ensureIndex(ctx context.Context, tx pgx.Tx) error {
	for _, t := range indexedTables {
		name := s.indexNameFor(t.prefix)
		sql := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s USING hnsw ((%s) vector_cosine_ops) WHERE %s",
			pgx.Identifier{name}.Sanitize(), t.table, s.column(), s.predicate())
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("create HNSW index on %s: %w", t.table, err)
		}
		rows, err := tx.Query(ctx, `SELECT indexname FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename = $3 AND indexname LIKE $1 AND indexname <> $2`,
			t.prefix+"%", name, t.table)
		if err != nil {
			return fmt.Errorf("list HNSW indexes: %w", err)
		}
		old, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("list HNSW indexes: %w", err)
		}
		for _, o := range old {
			if _, err := tx.Exec(ctx, "DROP INDEX IF EXISTS "+pgx.Identifier{o}.Sanitize()); err != nil {
				return fmt.Errorf("drop old HNSW index %s: %w", o, err)
			}
		}
	}
	return nil
}
