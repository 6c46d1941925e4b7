// Command trainrouter trains the retrieval router (retrieval/router.bin): a softmax
// regression from a message to the documents it is about, or to none of them
// (retrieval.RouterNone), over the documents' own titles, search phrasings, headings and
// paragraphs and over the labelled messages of the retrieval eval's training files
// (TrainingQueryFiles); a message labelled with no document teaches the none class. The
// natural-message holdout (evals/retrieval/natural-holdout.jsonl) is never read, so it
// measures the router; the development files (DevQueryFiles) are read only so that no
// training message repeats one of theirs.
//
//	go run ./retrieval/internal/trainrouter            # rewrite retrieval/router.bin
//	go run ./retrieval/internal/trainrouter -without evals/retrieval/natural-dev.jsonl -eval evals/retrieval/natural-dev.jsonl
//
// The second form trains without a file and reports the router alone on it (recall@1,
// recall@5, and how many of its off-topic and on-topic messages the router finds more
// likely about no document), writing nothing: how a file is measured before it is
// trained on.
package main
