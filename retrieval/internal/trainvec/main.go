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
