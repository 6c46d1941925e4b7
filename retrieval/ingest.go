package retrieval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"
)

// ingestLock serialises ingests of one database (a PostgreSQL advisory lock key).
const ingestLock = 7243003

// embedBatch is how many chunks are embedded per call.
const embedBatch = 64

// IngestOptions control Ingest.
type IngestOptions struct {
	// IncludeDrafts ingests draft (unreviewed) documents too. Without it drafts are left out,
	// and drafts ingested earlier are removed.
	IncludeDrafts bool
	// Progress, when not nil, receives progress: a bar on a terminal, lines otherwise.
	Progress io.Writer
	// Now is the date stale reviews are judged against (time.Now when zero).
	Now time.Time
}

// StaleDocument is a document whose review_due date has passed.
type StaleDocument struct {
	ID        string
	ReviewDue time.Time
}

// Summary says what an ingest changed.
type Summary struct {
	Embedder      string
	Added         []string
	Updated       []string
	Unchanged     []string
	Removed       []string
	Stale         []StaleDocument
	SkippedDrafts int // valid drafts left out because drafts were not asked for
	Chunks        int // chunks embedded and written
}

// String is the human summary printed at the end of an ingest.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ingest: %d added, %d updated, %d unchanged, %d removed (%d chunks embedded with %s)\n",
		len(s.Added), len(s.Updated), len(s.Unchanged), len(s.Removed), s.Chunks, s.Embedder)
	list := func(label string, ids []string) {
		if len(ids) > 0 {
			fmt.Fprintf(&b, "  %s: %s\n", label, strings.Join(ids, ", "))
		}
	}
	list("added", s.Added)
	list("updated", s.Updated)
	list("removed", s.Removed)
	if s.SkippedDrafts > 0 {
		fmt.Fprintf(&b, "  %d draft documents left out (use --drafts to include unreviewed sample content)\n", s.SkippedDrafts)
	}
	for _, st := range s.Stale {
		fmt.Fprintf(&b, "  warning: %s is past its review date (%s): have it reviewed again\n", st.ID, st.ReviewDue.Format(time.DateOnly))
	}
	return b.String()
}

// Ingest validates every document in dir, then brings the database in line with it:
// new documents are added, changed ones re-embedded and their chunks replaced, removed ones
// (and drafts, unless drafts are included) deleted. Unchanged documents, judged by the
// file's hash and the embedder, are not re-embedded. Any invalid document fails the whole
// ingest before anything is written, and all writes happen in one transaction.
func Ingest(ctx context.Context, pool *pgxpool.Pool, emb Embedder, dir string, opts IngestOptions) (Summary, error) {
	sum, err := ingest(ctx, pool, emb, dir, opts)
	if err != nil {
		return Summary{}, fmt.Errorf("retrieval: ingest: %w", err)
	}
	return sum, nil
}

type storedDoc struct {
	hash, embedder string
	dims           int
}

type plannedDoc struct {
	doc       Document
	chunks    []Chunk
	vecs      [][]float32
	phraseVec [][]float32 // one per doc.SearchPhrasings
}

func ingest(ctx context.Context, pool *pgxpool.Pool, emb Embedder, dir string, opts IngestOptions) (Summary, error) {
	if err := checkEmbedder(emb); err != nil {
		return Summary{}, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	docs, err := LoadDir(dir)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Embedder: emb.ID()}
	var wanted []Document
	for _, d := range docs {
		if d.Status == StatusDraft && !opts.IncludeDrafts {
			sum.SkippedDrafts++
			continue
		}
		wanted = append(wanted, d)
		if d.Stale(now) {
			sum.Stale = append(sum.Stale, StaleDocument{ID: d.ID, ReviewDue: d.ReviewDue})
		}
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", ingestLock); err != nil {
		return Summary{}, fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", ingestLock) //nolint:errcheck

	stored, err := readStored(ctx, conn.Conn())
	if err != nil {
		return Summary{}, err
	}
	var changes []*plannedDoc
	keep := map[string]bool{}
	for _, d := range wanted {
		keep[d.ID] = true
		old, ok := stored[d.ID]
		switch {
		case !ok:
			sum.Added = append(sum.Added, d.ID)
		case old.hash == d.Hash && old.embedder == emb.ID() && old.dims == emb.Dimensions():
			sum.Unchanged = append(sum.Unchanged, d.ID)
			continue
		default:
			sum.Updated = append(sum.Updated, d.ID)
		}
		changes = append(changes, &plannedDoc{doc: d, chunks: ChunkDocument(d)})
	}
	for id := range stored {
		if !keep[id] {
			sum.Removed = append(sum.Removed, id)
		}
	}
	slices.Sort(sum.Removed)

	if err := embedPlanned(ctx, emb, changes, newProgress(opts.Progress, len(changes))); err != nil {
		return Summary{}, err
	}
	for _, c := range changes {
		sum.Chunks += len(c.chunks)
	}
	space := vectorSpace{embedder: emb.ID(), dims: emb.Dimensions()}
	err = pgx.BeginFunc(ctx, conn.Conn(), func(tx pgx.Tx) error {
		if len(sum.Removed) > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM retrieval_documents WHERE id = ANY($1)", sum.Removed); err != nil {
				return fmt.Errorf("remove documents: %w", err)
			}
		}
		for _, c := range changes {
			if err := writeDocument(ctx, tx, emb, c); err != nil {
				return err
			}
		}
		return space.ensureIndex(ctx, tx)
	})
	if err != nil {
		return Summary{}, err
	}
	return sum, nil
}

func readStored(ctx context.Context, conn *pgx.Conn) (map[string]storedDoc, error) {
	rows, err := conn.Query(ctx, "SELECT id, content_hash, embedder, dimensions FROM retrieval_documents")
	if err != nil {
		return nil, fmt.Errorf("read stored documents: %w", err)
	}
	defer rows.Close()
	out := map[string]storedDoc{}
	for rows.Next() {
		var id string
		var s storedDoc
		if err := rows.Scan(&id, &s.hash, &s.embedder, &s.dims); err != nil {
			return nil, fmt.Errorf("read stored documents: %w", err)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stored documents: %w", err)
	}
	return out, nil
}

// embedPlanned embeds the chunks and search phrasings of every changed document, in
// batches across documents.
func embedPlanned(ctx context.Context, emb Embedder, changes []*plannedDoc, prog *progress) error {
	type ref struct{ doc, chunk, phrase int } // chunk or phrase is -1
	var texts []string
	var refs []ref
	remaining := make([]int, len(changes))
	for i, c := range changes {
		c.vecs = make([][]float32, len(c.chunks))
		c.phraseVec = make([][]float32, len(c.doc.SearchPhrasings))
		for j, ch := range c.chunks {
			texts = append(texts, ch.EmbedText(c.doc.Topics))
			refs = append(refs, ref{i, j, -1})
		}
		for j, ph := range c.doc.SearchPhrasings {
			texts = append(texts, ph)
			refs = append(refs, ref{i, -1, j})
		}
		remaining[i] = len(c.chunks) + len(c.doc.SearchPhrasings)
		if remaining[i] == 0 {
			prog.step(c.doc.ID, 0)
		}
	}
	for start := 0; start < len(texts); start += embedBatch {
		end := min(start+embedBatch, len(texts))
		vecs, err := embedChecked(ctx, emb, texts[start:end])
		if err != nil {
			return fmt.Errorf("embed: %w", err)
		}
		for k, v := range vecs {
			r := refs[start+k]
			if r.chunk >= 0 {
				changes[r.doc].vecs[r.chunk] = v
			} else {
				changes[r.doc].phraseVec[r.phrase] = v
			}
			remaining[r.doc]--
			if remaining[r.doc] == 0 {
				prog.step(changes[r.doc].doc.ID, len(changes[r.doc].chunks))
			}
		}
	}
	return nil
}

// writeDocument upserts one document and replaces its chunks.
func writeDocument(ctx context.Context, tx pgx.Tx, emb Embedder, c *plannedDoc) error {
	d := c.doc
	sources, err := json.Marshal(d.Sources)
	if err != nil {
		return fmt.Errorf("%s: encode sources: %w", d.ID, err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO retrieval_documents (id, title, roles, topics, sources, reviewed_by, reviewed_on, review_due, status, content_hash, embedder, dimensions, ingested_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
		ON CONFLICT (id) DO UPDATE SET title = $2, roles = $3, topics = $4, sources = $5, reviewed_by = $6,
			reviewed_on = $7, review_due = $8, status = $9, content_hash = $10, embedder = $11, dimensions = $12, ingested_at = now()`,
		d.ID, d.Title, d.Roles, d.Topics, sources, d.ReviewedBy, d.ReviewedOn, d.ReviewDue, d.Status, d.Hash, emb.ID(), emb.Dimensions())
	if err != nil {
		return fmt.Errorf("%s: write document: %w", d.ID, err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM retrieval_chunks WHERE doc_id = $1", d.ID); err != nil {
		return fmt.Errorf("%s: delete old chunks: %w", d.ID, err)
	}
	topics := strings.ReplaceAll(strings.Join(d.Topics, " "), "-", " ")
	rows := make([][]any, len(c.chunks))
	for i, ch := range c.chunks {
		rows[i] = []any{ch.ID, d.ID, ch.Seq, ch.Heading, ch.Text, topics, d.Roles, d.Status, emb.ID(), pgvector.NewVector(c.vecs[i])}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"retrieval_chunks"},
		[]string{"id", "doc_id", "seq", "heading", "body", "topics", "roles", "status", "embedder", "embedding"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("%s: write chunks: %w", d.ID, err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM retrieval_phrasings WHERE doc_id = $1", d.ID); err != nil {
		return fmt.Errorf("%s: delete old phrasings: %w", d.ID, err)
	}
	prows := make([][]any, len(d.SearchPhrasings))
	for i, ph := range d.SearchPhrasings {
		prows[i] = []any{d.ID, i, ph, d.Roles, d.Status, emb.ID(), pgvector.NewVector(c.phraseVec[i])}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"retrieval_phrasings"},
		[]string{"doc_id", "seq", "body", "roles", "status", "embedder", "embedding"},
		pgx.CopyFromRows(prows))
	if err != nil {
		return fmt.Errorf("%s: write phrasings: %w", d.ID, err)
	}
	return nil
}
