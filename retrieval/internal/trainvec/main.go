// Command trainvec writes retrieval/wordvec.bin: word vectors the local embedder uses to
// match a message to content by meaning, not only by shared words. It reads the
// conversational part of the training corpus (Reddit posts and comments, peer-support
// replies, everyday dialogue; see that corpus's SOURCES.md), never copies it, and trains
// deterministically: the same corpus gives the same bytes.
//
// Run from the repository root:
//
//	go run ./retrieval/internal/trainvec -corpus ../shared/training -out retrieval/wordvec.bin
//
// The local embedder's id names the weights, so content embedded with older ones is
// detected and must be ingested again.
package main

import (
	"flag"
	"log"
	"os"

	"nightfloat/retrieval"
)

func main() {
	corpus := flag.String("corpus", "../shared/training", "directory of the training corpus (JSON Lines)")
	out := flag.String("out", "retrieval/wordvec.bin", "weights file to write")
	flag.Parse()
	texts, digest, err := retrieval.ReadTrainingCorpus(*corpus)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("trainvec: %d texts, corpus %s", len(texts), digest)
	data, err := retrieval.TrainWordVectors(texts, retrieval.DefaultTrainOptions, digest)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("trainvec: wrote %s (%d bytes)", *out, len(data))
}
