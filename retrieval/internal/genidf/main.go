// Command genidf writes retrieval/idf_table.go: the inverse document frequency of every
// word stem in the content's chunks, which the local embedder uses to weight words the
// way BM25 does (a word found in most passages says little about any one of them).
//
// Run from the repository root after large content changes:
//
//	go run ./retrieval/internal/genidf -content content -out retrieval/idf_table.go
//
// then bump LocalEmbedderVersion so stored vectors are re-embedded.
package main

import (
	"flag"
	"log"
	"os"

	"nightfloat/retrieval"
)

func main() {
	content := flag.String("content", "content", "content directory")
	out := flag.String("out", "retrieval/idf_table.go", "output Go file")
	flag.Parse()
	docs, err := retrieval.LoadDir(*content)
	if err != nil {
		log.Fatal(err)
	}
	src, err := retrieval.GenerateIDFTable(docs)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
