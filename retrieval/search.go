package retrieval

import (
	"context"
	"fmt"
	"math"
	"nightfloat"
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
	// Router says which documents a message is about (nil: DefaultRouter). Its probability
	// orders the documents; once the other evidence makes a message answerable, it also
	// keeps documents that evidence found but weighed below the share (routerKeepProb),
	// and a sure router lets a sensitive document be searched for a message its subject
	// pattern misses (routerSubjectProb). A router sure of a document makes a message
	// answerable from it (routerAnswerProb); one sure the message is about no document
	// (RouterNone) gives it nothing from the documents the router knows (routerNoneProb).
	Router *Router
	// NoRouter leaves the router out: lexical and vector evidence only.
	NoRouter bool
}

// Searcher finds vetted content for a question. It is safe for concurrent use.
type Searcher struct {
	pool     *pgxpool.Pool
	embedder Embedder
	space    vectorSpace
	opts     SearchOptions
	router   *Router // nil with NoRouter
	statuses []string
	sql      string
	phraseQL string
}

type similarityFloor interface{ MinSimilarity() float64 }

// vocabularyFloor is an embedder that can tell how much of a question's vocabulary the
// content uses at all (the local embedder, from its IDF table).
type vocabularyFloor interface {
	KnownShare(text string) float64
	MinKnownShare() float64
}

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
		router:   opts.Router,
		statuses: []string{StatusApproved},
	}
	if s.router == nil && !opts.NoRouter {
		r, err := DefaultRouter()
		if err != nil {
			return nil, fmt.Errorf("retrieval: new searcher: %w", err)
		}
		s.router = r
	}
	if opts.NoRouter {
		s.router = nil
	}
	if opts.IncludeDrafts {
		s.statuses = append(s.statuses, StatusDraft)
	}
	s.sql = searchSQL(s.space)
	s.phraseQL = phrasingSQL(s.space)
	return s, nil
}

// searchSQL ranks chunks twice, by vector distance through the embedder's HNSW index and by
// full-text rank through the GIN index, each filtered by role and status, and returns the
// union with both ranks and raw scores for fusion in Go.
//
// $1 query vector, $2 role, $3 statuses, $4 vector candidates, $5 tsquery text,
// $6 text candidates, $7 the question as typed (for word coverage), $8 ids of documents
// whose every chunk is wanted as well (documents found by their search phrasings).
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
WHERE vec.id IS NOT NULL OR txt.id IS NOT NULL
	OR (c.doc_id = ANY($8::text[]) AND c.` + pred + ` AND c.roles @> ARRAY[$2::text] AND c.status = ANY($3::text[]))`
}

// phrasingSQL ranks search phrasings the same two ways, filtered by role and status, and
// returns one row per phrasing found: which ranking ('v' or 't'), its document, its rank in
// that ranking, cosine similarity, text rank and word coverage. Parameters as searchSQL's
// $1 to $7.
func phrasingSQL(sp vectorSpace) string {
	col, q, pred := sp.column(), sp.param(1), sp.predicate()
	return `
WITH ql AS (
	SELECT ARRAY(SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', $7)))) AS lex
), pv AS (
	SELECT doc_id, sim, body, row_number() OVER (ORDER BY sim DESC, doc_id, seq) AS r FROM (
		SELECT doc_id, seq, body, 1 - (` + col + ` <=> ` + q + `) AS sim
		FROM retrieval_phrasings
		WHERE ` + pred + ` AND roles @> ARRAY[$2::text] AND status = ANY($3::text[])
		ORDER BY ` + col + ` <=> ` + q + `
		LIMIT $4) v
), pt AS (
	SELECT doc_id, rank, matched, body, row_number() OVER (ORDER BY rank DESC, doc_id, seq) AS r FROM (
		SELECT p.doc_id, p.seq, p.body, ts_rank_cd(p.tsv, tq, 32)::float8 AS rank,
			cardinality(ARRAY(SELECT unnest(tsvector_to_array(p.tsv)) INTERSECT SELECT unnest(ql.lex))) AS matched
		FROM ql, retrieval_phrasings p, to_tsquery('english', $5) tq
		WHERE p.tsv @@ tq AND p.` + pred + ` AND p.roles @> ARRAY[$2::text] AND p.status = ANY($3::text[])
		ORDER BY rank DESC, p.doc_id, p.seq
		LIMIT $6) t
)
SELECT 'v', doc_id, r, sim, 0::float8, 0, 0, body FROM pv
UNION ALL
SELECT 't', doc_id, r, 0::float8, rank, matched, (SELECT cardinality(lex) FROM ql), body FROM pt`
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

// phraseHit is one search phrasing found by one of the two rankings.
type phraseHit struct {
	byText              bool
	docID               string
	rank                int64
	sim, textRank       float64
	matched, queryWords int
	shared              int // content-word stems shared with the question, slang expanded
}

func (h phraseHit) coverage() float64 {
	if h.queryWords == 0 {
		return 0
	}
	return float64(h.matched) / float64(h.queryWords)
}

// Search returns up to k chunks for role's question, best first. An empty result means
// there is no vetted content relevant enough: the caller should say so, not improvise.
func (s *Searcher) Search(ctx context.Context, role nightfloat.Role, query string, k int) ([]Result, error) {
	res, err := s.search(ctx, role, query, k)
	if err != nil {
		return nil, fmt.Errorf("retrieval: search: %w", err)
	}
	return res, nil
}

func (s *Searcher) search(ctx context.Context, role nightfloat.Role, query string, k int) ([]Result, error) {
	if !role.Valid() {
		return nil, &UnknownRoleError{Role: role}
	}
	if k <= 0 {
		return nil, fmt.Errorf("k = %d: want at least 1", k)
	}
	k = min(k, maxK)
	var routing Routing
	if s.router != nil {
		routing = s.router.Route(query)
		routing.Docs = routing.Docs[:min(len(routing.Docs), routerCandidates)]
	}
	offTopic := routing.None >= routerNoneProb
	var sure []string // documents the router is sure enough of to fetch their chunks
	for _, d := range routing.Docs {
		if !offTopic && d.Prob >= routerAnswerProb && (AboutSubject(d.DocID, query) || d.Prob >= routerSubjectProb) {
			sure = append(sure, d.DocID)
		}
	}
	if v, ok := s.embedder.(vocabularyFloor); ok && len(sure) == 0 && s.opts.MinSimilarity >= 0 && v.KnownShare(query) < v.MinKnownShare() {
		return []Result{}, nil // mostly words the content never uses: nothing vetted on this
	}
	cands, hits, err := s.candidates(ctx, role, query, sure)
	if err != nil {
		return nil, err
	}
	if offTopic {
		// The router is sure the message is about none of its documents: only documents
		// it does not know (an institution's own), and sensitive documents whose subject
		// the message names, may answer it.
		cands, hits = s.unknownToRouter(query, cands, hits)
	}
	return s.fuse(query, cands, hits, routing.Docs, k), nil
}

// unknownToRouter keeps the chunks and phrasings of documents the router was not trained
// on, and of sensitive documents whose subject query names: crisis content is never
// withheld from a message about its subject on the router's word alone.
func (s *Searcher) unknownToRouter(query string, cands []candidate, hits []phraseHit) ([]candidate, []phraseHit) {
	return keepDocs(cands, hits, func(doc string) bool {
		return !s.router.Knows(doc) || Sensitive(doc) && AboutSubject(doc, query)
	})
}

// candidates runs both rankings over chunks and over search phrasings, and returns every
// chunk either found, with every chunk of the documents a phrasing found and of the
// documents in also.
func (s *Searcher) candidates(ctx context.Context, role nightfloat.Role, query string, also []string) ([]candidate, []phraseHit, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil, nil
	}
	vecs, err := embedChecked(ctx, s.embedder, []string{query})
	if err != nil {
		return nil, nil, fmt.Errorf("embed query: %w", err)
	}
	vecLimit := s.opts.Candidates
	if isZero(vecs[0]) {
		vecLimit = 0 // nothing but stop words: cosine distance to a zero vector is undefined
	}
	tsq := tsQuery(query)
	qvec := pgvector.NewVector(vecs[0])

	var cands []candidate
	var hits []phraseHit
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
		var err error
		if hits, err = s.phrasings(ctx, tx, qvec, string(role), vecLimit, tsq, query); err != nil {
			return err
		}
		phraseDocs := slices.Clone(also)
		for _, h := range hits {
			if !slices.Contains(phraseDocs, h.docID) {
				phraseDocs = append(phraseDocs, h.docID)
			}
		}
		rows, err := tx.Query(ctx, s.sql, qvec, role, s.statuses, vecLimit, tsq, s.opts.Candidates, query, phraseDocs)
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
		return nil, nil, err
	}
	return cands, hits, nil
}

// phrasings runs both rankings over the search phrasings.
func (s *Searcher) phrasings(ctx context.Context, tx pgx.Tx, qvec pgvector.Vector, role string, vecLimit int, tsq, query string) ([]phraseHit, error) {
	rows, err := tx.Query(ctx, s.phraseQL, qvec, role, s.statuses, vecLimit, tsq, s.opts.Candidates, query)
	if err != nil {
		return nil, fmt.Errorf("query phrasings: %w", err)
	}
	defer rows.Close()
	var hits []phraseHit
	qs := contentStems(query)
	for rows.Next() {
		var h phraseHit
		var kind, body string
		if err := rows.Scan(&kind, &h.docID, &h.rank, &h.sim, &h.textRank, &h.matched, &h.queryWords, &body); err != nil {
			return nil, fmt.Errorf("scan phrasing: %w", err)
		}
		for st := range contentStems(body) {
			if qs[st] {
				h.shared++
			}
		}
		if math.IsNaN(h.sim) {
			h.sim = 0
		}
		h.byText = kind == "t"
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query phrasings: %w", err)
	}
	return hits, nil
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

// Document-level fusion. Four rankings of documents are fused by weighted reciprocal rank:
// a document's best chunk by vector and by full text, and its best search phrasing by
// vector and by full text, scaled so that a document first in all four scores 1. Chunk
// rankings carry the content's own words; phrasing rankings carry how people ask about it.
// The router's probability is added to that, weighted by weightRouter.
const (
	docRRFK          = 20 // smaller than rrfK: document lists are short, so the top ranks must count
	weightChunkVec   = 1.0
	weightChunkText  = 1.0
	weightPhraseVec  = 1.0
	weightPhraseText = 1.0
	// weightRouter: the router orders documents best on messages written apart from the
	// content (docs/retrieval-eval.md), so a router at all sure leads and the four
	// rankings decide where it is unsure and for documents it does not know.
	weightRouter = 20.0
	// routerCandidates is how many of the router's most likely documents have their
	// probability counted.
	routerCandidates = 10
	// routerKeepProb: once the evidence makes a message answerable, a document the
	// evidence found and the router gives at least this probability is kept even when
	// its own evidence is below resultFloorShare.
	routerKeepProb = 0.10
	// routerSubjectProb: a sensitive document whose subject pattern the message does not
	// match is still searched when the router gives it at least this probability, well
	// above what it gives any document for most messages no document is about.
	routerSubjectProb = 0.4
	// routerAnswerProb: a document the router gives at least this probability makes a
	// message answerable, and is searched, without other evidence (a sensitive one only
	// on its subject or at routerSubjectProb).
	routerAnswerProb = 0.2
	// routerNoneProb: a message the router gives at least this probability of being
	// about no document gets nothing from the documents the router knows, whatever
	// words it shares with them, except sensitive documents whose subject it names.
	routerNoneProb = 0.6
	// secondChunkShare orders a document's second chunk at this share of its document's
	// score, so a strong document's supporting chunk can come before a weak document.
	secondChunkShare = 0.6
)

// docEvidence is everything found for one document.
type docEvidence struct {
	id       string
	chunks   []candidate // best first
	ranks    [4]int      // 1-based rank in each document ranking; 0 when absent
	routed   float64     // the router's probability; 0 when it did not name the document
	chunkSim float64     // best chunk cosine similarity
	phrSim   float64     // best phrasing cosine similarity
	score    float64
}

// fuse decides whether the question is answerable at all (some chunk or phrasing clears a
// floor, or the router gives a document routerAnswerProb); keeps the documents with at
// least a share of that evidence, those the router gives routerAnswerProb, and those the
// evidence found that the router names (routerKeepProb); orders them by fusing the four
// document rankings with the router's probabilities; and returns each document's best
// chunks.
func (s *Searcher) fuse(query string, cands []candidate, hits []phraseHit, routed []DocScore, k int) []Result {
	routedProb := map[string]float64{}
	for _, r := range routed {
		routedProb[r.DocID] = r.Prob
	}
	cands, hits = onSubject(query, cands, hits, routedProb)
	simFloor, covFloor := s.opts.MinSimilarity, s.opts.MinTextCoverage
	// Evidence that a question is answerable at all must rest on more than one shared word:
	// a single common word (or a hash collision) can give a short text a fair cosine. So a
	// match at the floor must share two content-word stems with the question, or one with
	// a clearly stronger similarity. Supporting results (share < 1) need only the cosine.
	// This holds for the local embedder, whose cosine is lexical evidence; a semantic
	// embedder's cosine means more than shared words, so its floor stands alone.
	_, lexical := s.embedder.(vocabularyFloor)
	qs := contentStems(query)
	shared := func(text string) int {
		n := 0
		for st := range contentStems(text) {
			if qs[st] {
				n++
			}
		}
		return n
	}
	chunkPasses := func(c candidate, share float64) bool {
		if simFloor < 0 || covFloor >= 0 && c.coverage() >= covFloor*share && c.matched >= minTextMatches {
			return true
		}
		if c.sim < simFloor*share {
			return false
		}
		if share < 1 || !lexical {
			return true
		}
		n := shared(c.Heading + "\n" + c.Text)
		return n >= 2 || n >= 1 && c.sim >= strongFactor*simFloor
	}
	// A phrasing is a few words long, so one shared word can give it a high cosine.
	phrasePasses := func(h phraseHit, share float64) bool {
		if simFloor < 0 || h.byText && covFloor >= 0 && h.coverage() >= covFloor*share && h.matched >= minTextMatches {
			return true
		}
		if h.byText || h.sim < phraseFloor(simFloor)*share {
			return false
		}
		return share < 1 || !lexical || h.shared >= 2 || h.shared >= 1 && h.sim >= strongFactor*phraseFloor(simFloor)
	}
	docs := map[string]*docEvidence{}
	doc := func(id string) *docEvidence {
		if docs[id] == nil {
			docs[id] = &docEvidence{id: id, routed: routedProb[id]}
		}
		return docs[id]
	}
	answerable := false
	for _, c := range cands {
		d := doc(c.DocID)
		d.chunks = append(d.chunks, c)
		d.chunkSim = max(d.chunkSim, c.sim)
		answerable = answerable || chunkPasses(c, 1)
	}
	for _, h := range hits {
		answerable = answerable || phrasePasses(h, 1)
	}
	for _, r := range routed {
		if r.Prob >= routerAnswerProb && docs[r.DocID] != nil {
			answerable = true // chunks of a sensitive document off its subject are gone by now
		}
	}
	if !answerable {
		return []Result{}
	}

	// Document rankings: a document takes the place of its best item in each list.
	rankDocs := func(list int, ids []string) {
		n := 0
		for _, id := range ids {
			if d := docs[id]; d != nil && d.ranks[list] == 0 {
				n++
				d.ranks[list] = n
			}
		}
	}
	byRank := func(get func(candidate) *int64) []string {
		var cs []candidate
		for _, c := range cands {
			if get(c) != nil {
				cs = append(cs, c)
			}
		}
		sort.SliceStable(cs, func(i, j int) bool { return *get(cs[i]) < *get(cs[j]) })
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.DocID
		}
		return ids
	}
	rankDocs(0, byRank(func(c candidate) *int64 { return c.vecRank }))
	rankDocs(1, byRank(func(c candidate) *int64 { return c.textOrder }))
	for _, byText := range []bool{false, true} {
		var hs []phraseHit
		for _, h := range hits {
			if h.byText == byText {
				hs = append(hs, h)
			}
		}
		sort.SliceStable(hs, func(i, j int) bool { return hs[i].rank < hs[j].rank })
		ids := make([]string, len(hs))
		for i, h := range hs {
			ids[i] = h.docID
		}
		list := 2
		if byText {
			list = 3
		}
		rankDocs(list, ids)
	}

	// Keep documents with at least resultFloorShare of the floor's evidence.
	keep := map[string]bool{}
	for _, c := range cands {
		if chunkPasses(c, resultFloorShare) {
			keep[c.DocID] = true
		}
	}
	for _, h := range hits {
		if !h.byText {
			if d := docs[h.docID]; d != nil {
				d.phrSim = max(d.phrSim, h.sim)
			}
		}
		if phrasePasses(h, resultFloorShare) {
			keep[h.docID] = true
		}
	}
	for id, d := range docs {
		if d.routed >= routerAnswerProb {
			keep[id] = true
		}
	}
	if len(keep) > 0 {
		for id, d := range docs {
			if d.routed >= routerKeepProb {
				keep[id] = true
			}
		}
	}
	weights := [4]float64{weightChunkVec, weightChunkText, weightPhraseVec, weightPhraseText}
	var best float64
	for _, w := range weights {
		best += w / (docRRFK + 1)
	}
	var kept []*docEvidence
	for id, d := range docs {
		if !keep[id] || len(d.chunks) == 0 {
			continue
		}
		for l, r := range d.ranks {
			if r > 0 {
				d.score += weights[l] / float64(docRRFK+r)
			}
		}
		d.score = d.score/best + weightRouter*d.routed
		sort.SliceStable(d.chunks, func(i, j int) bool { return chunkBefore(d.chunks[i], d.chunks[j]) })
		kept = append(kept, d)
	}
	type item struct {
		r     Result
		score float64
	}
	var items []item
	for _, d := range kept {
		for i, c := range d.chunks[:min(len(d.chunks), s.opts.MaxPerDocument)] {
			sc := d.score
			if i > 0 {
				sc *= secondChunkShare
			}
			c.Score = sc
			items = append(items, item{c.Result, sc})
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].score != items[j].score {
			return items[i].score > items[j].score
		}
		return items[i].r.ChunkID < items[j].r.ChunkID
	})
	out := []Result{}
	for _, it := range items[:min(len(items), k)] {
		out = append(out, it.r)
	}
	return out
}

// chunkBefore orders a document's chunks: by their reciprocal-rank evidence from the two
// chunk rankings, then by cosine similarity (chunks fetched only because a phrasing found
// their document have no rank).
func chunkBefore(a, b candidate) bool {
	ra, rb := chunkRRF(a), chunkRRF(b)
	if ra != rb {
		return ra > rb
	}
	if a.sim != b.sim {
		return a.sim > b.sim
	}
	return a.ChunkID < b.ChunkID
}

func chunkRRF(c candidate) float64 {
	var score float64
	if c.vecRank != nil {
		score += 1.0 / float64(rrfK+*c.vecRank)
	}
	if c.textOrder != nil {
		score += 1.0 / float64(rrfK+*c.textOrder)
	}
	return score
}

// phraseFloor is the cosine floor for a search phrasing. A phrasing is short, like a
// question, so a match shares a larger part of its words than a chunk does; its floor is
// higher than the chunk floor.
func phraseFloor(chunkFloor float64) float64 { return chunkFloor * phraseFloorFactor }

const phraseFloorFactor = 1.4

// strongFactor: a match sharing a single word with the question needs this multiple of
// the floor to count as evidence that the question is answerable.
const strongFactor = 2.0

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
