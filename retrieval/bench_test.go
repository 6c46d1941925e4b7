package retrieval_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"nightfloat"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"nightfloat/postgres/postgrestest"
	"nightfloat/retrieval"
)

// The benchmark's synthetic corpus: vectors drawn around benchClusters centres (real
// embeddings cluster by topic; uniform noise would flatter neither index nor scan), and
// bodies of random words from a small vocabulary for the full-text side.
const (
	benchDims     = 384
	benchClusters = 200
	benchQueries  = 200
)

// syntheticEmbedder maps a text to a point near one of the cluster centres, chosen by the
// text's hash, so that benchmark queries land among the stored chunks.
type syntheticEmbedder struct{ centres [][]float32 }

func newSyntheticEmbedder() *syntheticEmbedder {
	r := rand.New(rand.NewPCG(1, 2))
	c := make([][]float32, benchClusters)
	for i := range c {
		c[i] = randomUnit(r, benchDims)
	}
	return &syntheticEmbedder{centres: c}
}

func (s *syntheticEmbedder) ID() string      { return fmt.Sprintf("bench-synthetic-%d", benchDims) }
func (s *syntheticEmbedder) Dimensions() int { return benchDims }
func (s *syntheticEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		h := fnv.New64a()
		h.Write([]byte(t))
		seed := h.Sum64()
		r := rand.New(rand.NewPCG(seed, seed>>7))
		out[i] = s.near(r, s.centres[int(seed%benchClusters)])
	}
	return out, nil
}

func (s *syntheticEmbedder) near(r *rand.Rand, centre []float32) []float32 {
	v := randomUnit(r, benchDims)
	for j := range v {
		v[j] = centre[j] + 0.6*v[j]
	}
	return normalize(v)
}

func randomUnit(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for j := range v {
		v[j] = float32(r.NormFloat64())
	}
	return normalize(v)
}

func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	n = math.Sqrt(n)
	for j := range v {
		v[j] = float32(float64(v[j]) / n)
	}
	return v
}

var benchWords = strings.Fields(`sleep night call shift pager intern resident nurse fatigue grief patient family
attending error burnout support peer program duty hours drive home tired anxious exam match loans rent
partner child parent loss code death moral distress violence harassment licence therapy coffee nap break`)

// loadSynthetic inserts n chunks (ten per document) with COPY and builds the HNSW index.
func loadSynthetic(b *testing.B, db *postgrestest.DB, emb *syntheticEmbedder, n int) {
	b.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(uint64(n), 3))
	roleSets := [][]string{allRoles(), {"resident", "fellow"}, {"nurse", "app"}, {"resident", "fellow", "student", "attending"}, {"student"}}
	docs := n / 10
	docRows := make([][]any, docs)
	for d := range docs {
		docRows[d] = []any{fmt.Sprintf("doc-%06d", d), "Synthetic document", roleSets[d%len(roleSets)], []string{"synthetic"},
			`[{"title":"x","url":"https://example.org"}]`, "pending", "pending", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), "draft", "hash", emb.ID(), benchDims}
	}
	chunkRows := make([][]any, n)
	for i := range n {
		d := i / 10
		words := make([]string, 40)
		for w := range words {
			words[w] = benchWords[r.IntN(len(benchWords))]
		}
		vec := emb.near(r, emb.centres[r.IntN(benchClusters)])
		chunkRows[i] = []any{fmt.Sprintf("doc-%06d#%d", d, i%10), fmt.Sprintf("doc-%06d", d), i % 10, "Synthetic > Section",
			strings.Join(words, " "), "synthetic", roleSets[d%len(roleSets)], "draft", emb.ID(), pgvector.NewVector(vec)}
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"retrieval_documents"},
			[]string{"id", "title", "roles", "topics", "sources", "reviewed_by", "reviewed_on", "review_due", "status", "content_hash", "embedder", "dimensions"},
			pgx.CopyFromRows(docRows)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"retrieval_chunks"},
			[]string{"id", "doc_id", "seq", "heading", "body", "topics", "roles", "status", "embedder", "embedding"},
			pgx.CopyFromRows(chunkRows)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '1GB'"); err != nil {
			return err
		}
		// The same index ingest builds.
		_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX ON retrieval_chunks USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WHERE embedder = '%s'`, benchDims, emb.ID()))
		return err
	})
	if err != nil {
		b.Fatalf("load %d synthetic chunks: %v", n, err)
	}
	if _, err := db.Pool.Exec(ctx, "ANALYZE retrieval_chunks"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSearch measures Searcher.Search latency at 1k, 10k and 100k chunks, and the
// vector ranking's HNSW index beside an exact scan: recall@10 of the index against the
// exact answer, and how many times faster the index is.
//
//	go test ./retrieval -run '^$' -bench Search -benchtime 200x -timeout 30m
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			ctx := context.Background()
			db := postgrestest.New(b)
			emb := newSyntheticEmbedder()
			loadSynthetic(b, db, emb, n)
			s, err := retrieval.NewSearcher(db.Pool, emb, retrieval.SearchOptions{IncludeDrafts: true, MinSimilarity: -1, MinTextCoverage: -1})
			if err != nil {
				b.Fatal(err)
			}
			queries := make([]string, benchQueries)
			for i := range queries {
				queries[i] = fmt.Sprintf("%s %s %s query %d", benchWords[i%len(benchWords)], benchWords[(i*7)%len(benchWords)], benchWords[(i*13)%len(benchWords)], i)
			}
			roles := []nightfloat.Role{"resident", "nurse", "student"}
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := s.Search(ctx, roles[i%len(roles)], queries[i%len(queries)], 5); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95-ms")
			recall, speedup := hnswVersusExact(b, db, emb, queries)
			b.ReportMetric(recall, "hnsw-recall@10")
			b.ReportMetric(speedup, "exact/hnsw-time")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// hnswVersusExact runs the vector ranking (role-filtered, as Search does) through the HNSW
// index and as an exact scan, and compares.
func hnswVersusExact(b *testing.B, db *postgrestest.DB, emb *syntheticEmbedder, queries []string) (recall, speedup float64) {
	b.Helper()
	ctx := context.Background()
	sql := fmt.Sprintf(`SELECT id FROM retrieval_chunks WHERE embedder = '%[2]s' AND roles @> ARRAY[$2::text]
		ORDER BY embedding::vector(%[1]d) <=> $1::vector(%[1]d) LIMIT 10`, benchDims, emb.ID())
	run := func(exact bool, vec []float32) ([]string, time.Duration) {
		var ids []string
		start := time.Now()
		err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
			settings := []string{"SET LOCAL hnsw.iterative_scan = relaxed_order", "SET LOCAL hnsw.ef_search = 100"}
			if exact {
				settings = []string{"SET LOCAL enable_indexscan = off", "SET LOCAL enable_bitmapscan = off"}
			}
			for _, s := range settings {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			rows, err := tx.Query(ctx, sql, pgvector.NewVector(vec), "nurse")
			if err != nil {
				return err
			}
			ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return ids, time.Since(start)
	}
	vecs, _ := emb.Embed(ctx, queries)
	var hits, total int
	var tIndex, tExact time.Duration
	for _, v := range vecs {
		approx, ta := run(false, v)
		exact, te := run(true, v)
		tIndex += ta
		tExact += te
		for _, id := range exact {
			total++
			if slices.Contains(approx, id) {
				hits++
			}
		}
	}
	return float64(hits) / float64(max(total, 1)), float64(tExact) / float64(tIndex)
}

func allRoles() []string {
	var rs []string
	for _, r := range nightfloat.Roles {
		rs = append(rs, string(r))
	}
	return rs
}
