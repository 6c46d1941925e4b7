package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"
)

// Search defaults.
const (
	// DefaultMinSimilarity is the cosine-similarity floor for embedders that do not state
	// their own (see SearchOptions.MinSimilarity); tune it with nightfloat eval retrieval.
	DefaultMinSimilarity = 0.30
	// DefaultMinTextCoverage is the full-text floor: the share of the question's words
	// (English lexemes) a chunk contains; at least minTextMatches of them must match.
	DefaultMinTextCoverage = 0.6
	minTextMatches         = 3
	// resultFloorShare: once a question clears the floor, further results need this share
	// of it. The floor decides "is there vetted content on this at all"; a supporting chunk
	// may be weaker than the best one.
	resultFloorShare  = 0.6
	defaultCandidates = 40
	defaultMaxPerDoc  = 2
	rrfK              = 60 // reciprocal rank fusion constant (Cormack et al. 2009)
	maxK              = 50
	maxQueryTerms     = 48
)

// SearchOptions configure a Searcher.
type SearchOptions struct {
	// IncludeDrafts searches draft (unreviewed) documents as well as approved ones.
	IncludeDrafts bool
	// MinSimilarity is the relevance threshold: a chunk is returned only if its cosine
	// similarity to the query reaches it, or it contains MinTextCoverage of the question's
	// words (full-text evidence, which catches rare exact terms vectors miss). Below
	// both, the match is a stretch and the honest answer is "no vetted content". Zero means
	// the embedder's own floor when it has one (a MinSimilarity() float64 method), else
	// DefaultMinSimilarity; negative disables the floor.
	MinSimilarity float64
	// MinTextCoverage is the full-text floor, 0 to 1 (zero: DefaultMinTextCoverage;
	// negative: off). ts_rank_cd is not used as a floor: it only orders, and one common word
	// in a heading scores as high as a real match.
	MinTextCoverage float64
	// Candidates is how many chunks each of the two rankings contributes (default 40).
	Candidates int
	// MaxPerDocument caps chunks from one document in a result list, so that k results
	// cover several documents (default 2).
	MaxPerDocument int
}

// Searcher finds vetted content for a question. It is safe for concurrent use.
type Searcher struct {
	pool     *pgxpool.Pool
	embedder Embedder
	space    vectorSpace
	opts     SearchOptions
	statuses []string
	sql      string
}

type similarityFloor interface{ MinSimilarity() float64 }

// NewSearcher returns a searcher over pool's content, embedding queries with embedder
// (which must be the one the content was ingested with).
func NewSearcher(pool *pgxpool.Pool, embedder Embedder, opts SearchOptions) (*Searcher, error) {
	if pool == nil {
		return nil, fmt.Errorf("retrieval: new searcher: no database pool")
	}
	if err := checkEmbedder(embedder); err != nil {
		return nil, err
	}
	if opts.MinSimilarity == 0 {
		opts.MinSimilarity = DefaultMinSimilarity
		if f, ok := embedder.(similarityFloor); ok {
			opts.MinSimilarity = f.MinSimilarity()
		}
	}
	if opts.MinTextCoverage == 0 {
		opts.MinTextCoverage = DefaultMinTextCoverage
	}
	if opts.Candidates <= 0 {
		opts.Candidates = defaultCandidates
	}
	if opts.MaxPerDocument <= 0 {
		opts.MaxPerDocument = defaultMaxPerDoc
	}
	s := &Searcher{
		pool:     pool,
		embedder: embedder,
		space:    vectorSpace{embedder: embedder.ID(), dims: embedder.Dimensions()},
		opts:     opts,
		statuses: []string{StatusApproved},
	}
	if opts.IncludeDrafts {
		s.statuses = append(s.statuses, StatusDraft)
	}
	s.sql = searchSQL(s.space)
	return s, nil
}

// searchSQL ranks chunks twice, by vector distance through the embedder's HNSW index and by
// full-text rank through the GIN index, each filtered by role and status, and returns the
// union with both ranks and raw scores for fusion in Go.
//
// $1 query vector, $2 role, $3 statuses, $4 vector candidates, $5 tsquery text,
// $6 text candidates, $7 the question as typed (for word coverage).
func searchSQL(sp vectorSpace) string {
	col, q, pred := sp.column(), sp.param(1), sp.predicate()
	return `
WITH vec AS (
	SELECT id, row_number() OVER (ORDER BY dist, id) AS r FROM (
		SELECT id, ` + col + ` <=> ` + q + ` AS dist
		FROM retrieval_chunks
		WHERE ` + pred + ` AND roles @> ARRAY[$2::text] AND status = ANY($3::text[])
		ORDER BY ` + col + ` <=> ` + q + `
		LIMIT $4) v
), txt AS (
	SELECT id, row_number() OVER (ORDER BY rank DESC, id) AS r FROM (
		SELECT c.id, ts_rank_cd(c.tsv, tq, 32) AS rank
		FROM retrieval_chunks c, to_tsquery('english', $5) tq
		WHERE c.tsv @@ tq AND c.` + pred + ` AND c.roles @> ARRAY[$2::text] AND c.status = ANY($3::text[])
		ORDER BY rank DESC, c.id
		LIMIT $6) t
), ql AS (
	SELECT ARRAY(SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', $7)))) AS lex
)
SELECT c.id, c.doc_id, d.title, c.heading, c.body, d.reviewed_by, d.reviewed_on, d.status,
	1 - (c.` + col + ` <=> ` + q + `) AS sim,
	COALESCE(ts_rank_cd(c.tsv, to_tsquery('english', $5), 32), 0) AS text_rank,
	vec.r, txt.r,
	cardinality(ARRAY(SELECT unnest(tsvector_to_array(c.tsv)) INTERSECT SELECT unnest(ql.lex))) AS matched,
	cardinality(ql.lex) AS query_words
FROM ql, retrieval_chunks c
JOIN retrieval_documents d ON d.id = c.doc_id
LEFT JOIN vec ON vec.id = c.id
LEFT JOIN txt ON txt.id = c.id
WHERE vec.id IS NOT NULL OR txt.id IS NOT NULL`
}

// candidate is one chunk with its evidence from both rankings.
type candidate struct {
	Result
	sim, textRank       float64
	vecRank, textOrder  *int64
	matched, queryWords int
}

// coverage is the share of the question's words the chunk contains.
func (c candidate) coverage() float64 {
	if c.queryWords == 0 {
		return 0
	}
	return float64(c.matched) / float64(c.queryWords)
}

// Search returns up to k chunks for role's question, best first. An empty result means
// there is no vetted content relevant enough: the caller should say so, not improvise.
func (s *Searcher) Search(ctx context.Context, role, query string, k int) ([]Result, error) {
	res, err := s.search(ctx, role, query, k)
	if err != nil {
		return nil, fmt.Errorf("retrieval: search: %w", err)
	}
	return res, nil
}

func (s *Searcher) search(ctx context.Context, role, query string, k int) ([]Result, error) {
	if !slices.Contains(Roles, role) {
		return nil, &UnknownRoleError{Role: role}
	}
	if k <= 0 {
		return nil, fmt.Errorf("k = %d: want at least 1", k)
	}
	k = min(k, maxK)
	cands, err := s.candidates(ctx, role, query)
	if err != nil {
		return nil, err
	}
	return s.fuse(cands, k), nil
}

// candidates runs both rankings and returns every chunk either of them found.
func (s *Searcher) candidates(ctx context.Context, role, query string) ([]candidate, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	vecs, err := embedChecked(ctx, s.embedder, []string{query})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	vecLimit := s.opts.Candidates
	if isZero(vecs[0]) {
		vecLimit = 0 // nothing but stop words: cosine distance to a zero vector is undefined
	}
	tsq := tsQuery(query)

	var cands []candidate
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := s.checkStored(ctx, tx); err != nil {
			return err
		}
		// Filtered HNSW scans keep scanning until LIMIT rows pass the filter (pgvector 0.8).
		if _, err := tx.Exec(ctx, "SET LOCAL hnsw.iterative_scan = relaxed_order"); err != nil {
			return fmt.Errorf("set iterative scan: %w", err)
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL hnsw.ef_search = %d", max(100, s.opts.Candidates))); err != nil {
			return fmt.Errorf("set ef_search: %w", err)
		}
		rows, err := tx.Query(ctx, s.sql, pgvector.NewVector(vecs[0]), role, s.statuses, vecLimit, tsq, s.opts.Candidates, query)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c candidate
			var sim *float64
			if err := rows.Scan(&c.ChunkID, &c.DocID, &c.Title, &c.Heading, &c.Text, &c.ReviewedBy, &c.ReviewedOn, &c.Status,
				&sim, &c.textRank, &c.vecRank, &c.textOrder, &c.matched, &c.queryWords); err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			if sim != nil && !math.IsNaN(*sim) {
				c.sim = *sim
			}
			cands = append(cands, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return cands, nil
}

// checkStored refuses to compare vectors from different embedders.
func (s *Searcher) checkStored(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, "SELECT DISTINCT embedder, dimensions FROM retrieval_documents")
	if err != nil {
		return fmt.Errorf("read stored embedder: %w", err)
	}
	type stored struct {
		id   string
		dims int
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stored, error) {
		var st stored
		err := r.Scan(&st.id, &st.dims)
		return st, err
	})
	if err != nil {
		return fmt.Errorf("read stored embedder: %w", err)
	}
	if len(all) == 0 {
		return ErrNoContent
	}
	for _, st := range all {
		if st.id != s.space.embedder || st.dims != s.space.dims {
			return &EmbedderMismatchError{StoredID: st.id, StoredDims: st.dims, QueryID: s.space.embedder, QueryDims: s.space.dims}
		}
	}
	return nil
}

// fuse decides whether the question is answerable at all (some candidate clears a floor),
// keeps the candidates with at least a share of that evidence, orders them by reciprocal
// rank fusion of the two rankings, and caps chunks per document.
func (s *Searcher) fuse(cands []candidate, k int) []Result {
	best := 1.0 / (rrfK + 1) * 2
	simFloor, covFloor := s.opts.MinSimilarity, s.opts.MinTextCoverage
	passes := func(c candidate, share float64) bool {
		return simFloor < 0 || c.sim >= simFloor*share ||
			covFloor >= 0 && c.coverage() >= covFloor*share && c.matched >= minTextMatches
	}
	answerable := false
	for _, c := range cands {
		if passes(c, 1) {
			answerable = true
			break
		}
	}
	if !answerable {
		return []Result{}
	}
	var kept []candidate
	for _, c := range cands {
		if !passes(c, resultFloorShare) {
			continue
		}
		var score float64
		if c.vecRank != nil {
			score += 1.0 / float64(rrfK+*c.vecRank)
		}
		if c.textOrder != nil {
			score += 1.0 / float64(rrfK+*c.textOrder)
		}
		c.Score = score / best
		kept = append(kept, c)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].Score != kept[j].Score {
			return kept[i].Score > kept[j].Score
		}
		return kept[i].ChunkID < kept[j].ChunkID
	})
	out := []Result{}
	perDoc := map[string]int{}
	for _, c := range kept {
		if perDoc[c.DocID] >= s.opts.MaxPerDocument {
			continue
		}
		perDoc[c.DocID]++
		out = append(out, c.Result)
		if len(out) == k {
			break
		}
	}
	return out
}

// tsQuery turns a free-text question into an OR query for to_tsquery: a question is not a
// conjunction of its words, and ts_rank_cd rewards chunks that match more of them. Words are
// reduced to letters and digits, so nothing the user types is tsquery syntax.
func tsQuery(query string) string {
	seen := map[string]bool{}
	var terms []string
	for _, w := range normalizeTokens(query) {
		if len(w) < 2 || stopwords[w] || seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
		if len(terms) == maxQueryTerms {
			break
		}
	}
	return strings.Join(terms, " | ")
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
