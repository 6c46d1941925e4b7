// Command trainrouter trains the retrieval router (retrieval/router.bin): a softmax
// regression from a message to the documents it is about, over the documents' own titles,
// search phrasings, headings and paragraphs and over the labelled messages of the
// retrieval eval's training files (TrainingQueryFiles). The natural-message holdout
// (evals/retrieval/natural-holdout.jsonl) is never read, so it measures the router.
//
//	go run ./retrieval/internal/trainrouter            # rewrite retrieval/router.bin
//	go run ./retrieval/internal/trainrouter -without evals/retrieval/natural-dev.jsonl -eval evals/retrieval/natural-dev.jsonl
//
// The second form trains without a file and reports the router alone on it (recall@1,
// recall@5), writing nothing: how a file is measured before it is trained on.
package main
