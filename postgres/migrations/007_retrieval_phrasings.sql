-- Search phrasings: short questions a reader might type about a document's subject, written
-- by the content's authors (front-matter field search_phrasings). Each is embedded and
-- full-text indexed as its own text and points at its document; retrieval then returns the
-- document's own chunks, so a phrasing is never shown or cited. Roles and status are copied
-- from the document so that searches filter without a join, as for retrieval_chunks.
-- Ingest creates a per-embedder partial HNSW index here too, named
-- retrieval_phrasings_hnsw_<hash>.
CREATE TABLE retrieval_phrasings (
    doc_id    text NOT NULL REFERENCES retrieval_documents (id) ON DELETE CASCADE,
    seq       integer NOT NULL,
    body      text NOT NULL,
    roles     text[] NOT NULL,
    status    text NOT NULL CHECK (status IN ('approved', 'draft')),
    embedder  text NOT NULL,
    embedding vector NOT NULL,
    tsv       tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, body)) STORED,
    PRIMARY KEY (doc_id, seq)
);

CREATE INDEX retrieval_phrasings_tsv ON retrieval_phrasings USING gin (tsv);
