// Package retrieval holds Nightfloat's vetted content: it parses and validates the Markdown
// documents under content/, cuts them into chunks, embeds the chunks, stores them in
// PostgreSQL with pgvector, and searches them for the assistant with a hybrid of vector
// similarity and full-text search, filtered by the asker's role. A router (router.go, a
// classifier trained on labelled messages by retrieval/internal/trainrouter) orders the
// documents that evidence keeps.
//
// It owns the tables retrieval_documents, retrieval_chunks and retrieval_phrasings, and
// names no other table. It must not import assistant, review, web or config.
package retrieval
