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
