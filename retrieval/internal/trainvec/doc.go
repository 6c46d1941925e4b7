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
//
// It is a build tool: it owns no table and nothing imports it.
package main
