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
// without reading the eval files; offtopic.jsonl holds messages about none of the
// documents (clinical questions, work logistics, everyday life, small talk), written
// from the documents' titles alone, for retrieval.RouterNone.
var TrainingQueryFiles = []string{
	"retrieval/internal/trainrouter/messages.jsonl",
	"retrieval/internal/trainrouter/offtopic.jsonl",
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
		var off, offNone, onNone int
		for _, q := range qs {
			rt := r.Route(q.Query)
			if len(q.Expect) == 0 {
				off++
				if rt.None >= 0.5 {
					offNone++
				}
				continue
			}
			if rt.None >= 0.5 {
				onNone++
			}
			rank := rt.Docs
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
		fmt.Printf("more likely about no document than not: %d of %d off-topic messages, %d of %d on-topic\n", offNone, off, onNone, int(n))
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

// DevQueryFiles are where search options are chosen: they are never trained on, and a
// training message with the same words as one of their messages is left out.
var DevQueryFiles = []string{"evals/retrieval/natural-dev2.jsonl", "evals/retrieval/natural-dev3.jsonl"}

// Examples reads the router's training examples: the documents' own text, then every
// labelled message of TrainingQueryFiles (less skip) that is not also a message of
// DevQueryFiles; a message that expects no document is an example of retrieval.RouterNone.
func Examples(root string, skip []string, opts retrieval.RouterOptions) ([]retrieval.RouteExample, error) {
	docs, err := retrieval.LoadDir(filepath.Join(root, "content"))
	if err != nil {
		return nil, err
	}
	devTexts := map[string]bool{}
	for _, f := range DevQueryFiles {
		dev, err := evals.LoadRetrievalQueries(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		for _, q := range dev {
			devTexts[sameWords(q.Query)] = true
		}
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
			if devTexts[sameWords(q.Query)] {
				continue
			}
			e := retrieval.RouteExample{Text: q.Query, Docs: q.Expect, Weight: 1}
			if len(q.Expect) == 0 {
				e.Docs, e.Weight = []string{retrieval.RouterNone}, opts.NoneWeight
			}
			examples = append(examples, e)
		}
	}
	return examples, nil
}

// sameWords is text lower-cased with its spacing collapsed: two messages with the same
// words are the same message.
func sameWords(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
