package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"nightfloat/evals"
	"nightfloat/retrieval"
)

// TrainingQueryFiles are the labelled messages the router learns from, relative to the
// module root. The natural-message holdout is not among them. messages.jsonl holds
// messages written for training only, from each document's title, roles and topics,
// without reading the eval files.
var TrainingQueryFiles = []string{
	"retrieval/internal/trainrouter/messages.jsonl",
	"evals/retrieval/queries.jsonl",
	"evals/retrieval/holdout.jsonl",
	"evals/retrieval/natural-dev.jsonl",
}

func main() {
	root := flag.String("root", ".", "the module root")
	out := flag.String("out", "retrieval/router.bin", "router file to write")
	without := flag.String("without", "", "a training query file to leave out (comma-separated)")
	evalFile := flag.String("eval", "", "report the router alone on this query file and write nothing")
	optJSON := flag.String("options", "", `with -eval: JSON overriding DefaultRouterOptions, e.g. {"doc_weight":1}`)
	flag.Parse()
	opts := retrieval.DefaultRouterOptions
	if *optJSON != "" {
		if *evalFile == "" {
			log.Fatal("-options is for measuring with -eval; the committed router uses DefaultRouterOptions")
		}
		if err := json.Unmarshal([]byte(*optJSON), &opts); err != nil {
			log.Fatalf("-options: %v", err)
		}
	}
	var skip []string
	if *without != "" {
		skip = strings.Split(*without, ",")
	}
	examples, err := Examples(*root, skip, opts)
	if err != nil {
		log.Fatal(err)
	}
	data, err := retrieval.TrainRouter(examples, opts)
	if err != nil {
		log.Fatal(err)
	}
	if *evalFile != "" {
		r, err := retrieval.LoadRouter(data)
		if err != nil {
			log.Fatal(err)
		}
		qs, err := evals.LoadRetrievalQueries(filepath.Join(*root, *evalFile))
		if err != nil {
			log.Fatal(err)
		}
		var n, at1, at5 float64
		for _, q := range qs {
			if len(q.Expect) == 0 {
				continue
			}
			rank := r.Rank(q.Query)
			n++
			if slices.Contains(q.Expect, rank[0].DocID) {
				at1++
			}
			for _, d := range rank[:min(5, len(rank))] {
				if slices.Contains(q.Expect, d.DocID) {
					at5 += 1 / float64(len(q.Expect))
				}
			}
		}
		fmt.Printf("router alone on %s (%d messages): recall@1 %.3f recall@5 %.3f\n", *evalFile, int(n), at1/n, at5/n)
		return
	}
	path := *out
	if !filepath.IsAbs(path) {
		path = filepath.Join(*root, path)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("trainrouter: %d examples; wrote %s (%d bytes)", len(examples), *out, len(data))
}

// Examples reads the router's training examples: the documents' own text, then every
// labelled message of TrainingQueryFiles (less skip) that expects a document.
func Examples(root string, skip []string, opts retrieval.RouterOptions) ([]retrieval.RouteExample, error) {
	docs, err := retrieval.LoadDir(filepath.Join(root, "content"))
	if err != nil {
		return nil, err
	}
	examples := retrieval.DocumentExamples(docs, opts)
	for _, f := range TrainingQueryFiles {
		if slices.Contains(skip, f) {
			continue
		}
		qs, err := evals.LoadRetrievalQueries(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			if len(q.Expect) > 0 {
				examples = append(examples, retrieval.RouteExample{Text: q.Query, Docs: q.Expect, Weight: 1})
			}
		}
	}
	return examples, nil
}
