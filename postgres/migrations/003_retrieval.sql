-- Vetted content for retrieval: one row per document, one per chunk.
--
-- Vectors live in an untyped `vector` column with the embedder that made them beside it.
-- HNSW needs a fixed dimension, so ingest creates one partial expression index per
-- embedder, e.g.
--   CREATE INDEX ... USING hnsw ((embedding::vector(1024)) vector_cosine_ops)
--     WHERE embedder = 'local-hash-v1-1024';
-- and searches repeat that expression and predicate. This keeps the schema independent of
-- the model (no migration when the embedder or its size changes, which a per-dimension
-- column would need) while every search still uses an index built for exactly its vectors.
CREATE TABLE retrieval_documents (
    id           text PRIMARY KEY,
    title        text NOT NULL,
    roles        text[] NOT NULL CHECK (cardinality(roles) > 0),
    topics       text[] NOT NULL DEFAULT '{}',
    sources      jsonb NOT NULL,
    reviewed_by  text NOT NULL,
    reviewed_on  text NOT NULL CHECK (reviewed_on = 'pending' OR reviewed_on ~ '^\d{4}-\d{2}-\d{2}$'),
    review_due   date NOT NULL,
    status       text NOT NULL CHECK (status IN ('approved', 'draft')),
    -- Nothing may claim a review that did not happen.
    CHECK (status <> 'approved' OR (reviewed_on <> 'pending' AND reviewed_by NOT ILIKE 'pending%')),
    -- SHA-256 of the source file: an unchanged document is not re-embedded.
    content_hash text NOT NULL,
    embedder     text NOT NULL,
    dimensions   integer NOT NULL CHECK (dimensions > 0),
    ingested_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE retrieval_chunks (
    id         text PRIMARY KEY,              -- "<doc id>#<n>"
    doc_id     text NOT NULL REFERENCES retrieval_documents (id) ON DELETE CASCADE,
    seq        integer NOT NULL,
    heading    text NOT NULL,                 -- "Title > Section"
    body       text NOT NULL,
    topics     text NOT NULL DEFAULT '',      -- the document's topics, for full-text search
    -- Copied from the document so that searches filter without a join.
    roles      text[] NOT NULL,
    status     text NOT NULL CHECK (status IN ('approved', 'draft')),
    embedder   text NOT NULL,
    embedding  vector NOT NULL,
    tsv        tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, heading), 'A') ||
        setweight(to_tsvector('english'::regconfig, topics), 'B') ||
        setweight(to_tsvector('english'::regconfig, body), 'D')
    ) STORED,
    UNIQUE (doc_id, seq)
);

CREATE INDEX retrieval_chunks_tsv ON retrieval_chunks USING gin (tsv);
CREATE INDEX retrieval_chunks_roles ON retrieval_chunks USING gin (roles);
