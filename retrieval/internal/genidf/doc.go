// Command genidf writes retrieval/idf_table.go: the inverse document frequency of every
// word stem in the content's chunks, which the local embedder uses to weight words the
// way BM25 does (a word found in most passages says little about any one of them).
//
// Run from the repository root after large content changes:
//
//	go run ./retrieval/internal/genidf -content content -out retrieval/idf_table.go
//
// then bump LocalEmbedderVersion so stored vectors are re-embedded.
//
// It is a build tool: it owns no table and nothing imports it.
package main
