package retrieval

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
)

// LocalEmbedderVersion changes whenever the local embedder's output changes, so that stored
// vectors made by an older version are detected and re-embedded.
const LocalEmbedderVersion = "v2"

// DefaultLocalDimensions is the local embedder's default vector size.
const DefaultLocalDimensions = 1024

// Feature weights: whole words carry the meaning, word pairs the phrasing, character n-grams
// catch typos, plurals and word forms the stemmer misses.
const (
	weightWord   = 1.0
	weightBigram = 0.4
	weightNgram  = 0.15
	ngramMin     = 3
	ngramMax     = 5
	// localMinScore is the cosine floor for chunks (see SearchOptions.MinSimilarity). With
	// IDF weighting, the held-out queries (evals/retrieval/holdout.jsonl) showed no
	// off-topic question a higher chunk floor would catch that the vocabulary floor does
	// not, while on-topic questions went down to 0.09, so it stays low.
	localMinScore = 0.10
	// localMinKnownShare: a question is answerable only if at least this share of its
	// content words (after slang expansion) occur in the content at all. On the holdout,
	// on-topic questions scored 0.45 or more and most off-topic ones 0.33 or less; the
	// floor sits in that gap.
	localMinKnownShare = 0.39
)

// LocalEmbedder embeds text without a network or a model: feature hashing of word
// unigrams, word bigrams and character n-grams, with sublinear term weighting, light
// stemming and an abbreviation table for how clinicians type, L2-normalised. Each feature
// is hashed to a dimension and a sign, so collisions cancel out on average and unrelated
// texts score near zero.
type LocalEmbedder struct {
	dims int
	w    featureWeights
}

type featureWeights struct{ word, bigram, ngram float64 }

var defaultWeights = featureWeights{word: weightWord, bigram: weightBigram, ngram: weightNgram}

// NewLocalEmbedder returns a local embedder of dims dimensions (DefaultLocalDimensions if 0).
func NewLocalEmbedder(dims int) (*LocalEmbedder, error) {
	if dims == 0 {
		dims = DefaultLocalDimensions
	}
	if dims < 64 || dims > maxDimensions {
		return nil, fmt.Errorf("retrieval: local embedder: %d dimensions: want 64 to %d", dims, maxDimensions)
	}
	return &LocalEmbedder{dims: dims, w: defaultWeights}, nil
}

// ID is e.g. "local-hash-v2.1a2b3c4d-1024": the version, a hash of the IDF table the
// weights come from (regenerating it changes every vector), and the dimensions.
func (e *LocalEmbedder) ID() string {
	return fmt.Sprintf("local-hash-%s.%s-%d", LocalEmbedderVersion, idfTableHash, e.dims)
}

// Dimensions is the vector length.
func (e *LocalEmbedder) Dimensions() int { return e.dims }

// MinSimilarity is the cosine similarity below which a match is noise for this embedder,
// measured on the retrieval eval's off-topic queries.
func (e *LocalEmbedder) MinSimilarity() float64 { return localMinScore }

// MinKnownShare is the share of a question's content words that must occur in the
// content for the question to be answerable (see KnownShare).
func (e *LocalEmbedder) MinKnownShare() float64 { return localMinKnownShare }

// KnownShare is the share of text's content-word stems (after slang and abbreviation
// expansion) that occur in at least two passages of the content the IDF table was made
// from. A question mostly made of words the content never uses ("tacos", "krebs cycle",
// "out of office") is not about anything the content covers, however its few common words
// happen to match.
func (e *LocalEmbedder) KnownShare(text string) float64 {
	st := contentStems(text)
	if len(st) == 0 {
		return 0
	}
	known := 0
	for w := range st {
		if _, ok := idfTable[w]; ok {
			known++
		}
	}
	return float64(known) / float64(len(st))
}

// Embed never fails except on a cancelled context.
func (e *LocalEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i] = e.embed(t)
	}
	return out, nil
}

func (e *LocalEmbedder) embed(text string) []float32 {
	counts := map[string]float64{}
	weights := map[string]float64{}
	add := func(feature string, w float64) {
		counts[feature]++
		weights[feature] = w
	}
	var content []string
	for _, tok := range normalizeTokens(text) {
		if stopwords[tok] {
			continue
		}
		content = append(content, stem(tok))
	}
	for i, w := range content {
		// BM25-like: a word in most passages of the content says little about any one.
		iw := idf(w)
		add("w:"+w, e.w.word*iw)
		if i > 0 {
			add("b:"+content[i-1]+" "+w, e.w.bigram*math.Sqrt(idf(content[i-1])*iw))
		}
		grams := charNgrams(w)
		for _, g := range grams {
			// Spread a word's n-gram weight so long words do not drown short ones.
			add("c:"+g, e.w.ngram*iw/math.Sqrt(float64(len(grams))/4+1))
		}
	}
	v := make([]float64, e.dims)
	for f, c := range counts {
		h := fnv.New64a()
		h.Write([]byte(f))
		sum := h.Sum64()
		idx := int(sum % uint64(e.dims))
		sign := 1.0
		if sum>>63 == 1 {
			sign = -1
		}
		v[idx] += sign * weights[f] * (1 + math.Log(c))
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, e.dims)
	if norm == 0 {
		return out // nothing to say: matches nothing
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

// charNgrams returns the 3- to 5-character n-grams of a word with boundary markers.
func charNgrams(w string) []string {
	rs := []rune("<" + w + ">")
	var out []string
	for n := ngramMin; n <= ngramMax; n++ {
		for i := 0; i+n <= len(rs); i++ {
			out = append(out, string(rs[i:i+n]))
		}
	}
	if len(out) == 0 {
		out = append(out, strings.ToLower(w))
	}
	return out
}
