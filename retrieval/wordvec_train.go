package retrieval

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"
)

// TrainOptions are the word-vector training parameters. They are recorded in the weights
// file, and DefaultTrainOptions is what the committed weights were trained with.
type TrainOptions struct {
	Dims       int     `json:"dims"`        // vector length
	Vocab      int     `json:"vocab"`       // most frequent stems kept as targets
	Contexts   int     `json:"contexts"`    // most frequent stems kept as contexts
	MinCount   int     `json:"min_count"`   // a stem seen fewer times has no vector
	Window     int     `json:"window"`      // words either side that count as context
	Smoothing  float64 `json:"smoothing"`   // context-distribution smoothing exponent for PPMI
	Oversample int     `json:"oversample"`  // extra columns for the randomized SVD
	PowerIters int     `json:"power_iters"` // power iterations of the randomized SVD
	EigenPower float64 `json:"eigen_power"` // singular values are raised to this power
	Seed       uint64  `json:"seed"`
}

// DefaultTrainOptions are the parameters of the committed weights.
var DefaultTrainOptions = TrainOptions{Dims: 96, Vocab: 12000, Contexts: 4000, MinCount: 15, Window: 5,
	Smoothing: 0.75, Oversample: 24, PowerIters: 3, EigenPower: 0.5, Seed: 20261207}

//go:embed wordvec_train.go
var trainerSource []byte

// TrainerHash identifies this training code: the weights file records it, so a change to
// the trainer without retraining is caught by a test.
func TrainerHash() string {
	sum := sha256.Sum256(trainerSource)
	return hex.EncodeToString(sum[:])[:16]
}

// trainTokens are the stems training counts: the embedder's own tokens without the
// phrase expansions (which only add words beside the original ones), stop words dropped.
func trainTokens(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
		w = strings.Trim(w, "'")
		w = strings.ReplaceAll(w, "'", "")
		if w == "" || stopwords[w] || len(w) > 30 {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// TrainWordVectors learns word vectors from texts: positive pointwise mutual information
// of stems within a window, factorised by a seeded randomized SVD (Levy, Goldberg and
// Dagan 2015 found PPMI with SVD as good as word2vec on small corpora). The result is the
// weights file, byte-for-byte the same for the same texts and options. corpusDigest is
// recorded in it to name the texts.
func TrainWordVectors(texts []string, opts TrainOptions, corpusDigest string) ([]byte, error) {
	docs := make([][]string, len(texts))
	freq := map[string]int{}
	for i, t := range texts {
		docs[i] = trainTokens(t)
		for _, w := range docs[i] {
			freq[w]++
		}
	}
	words := make([]string, 0, len(freq))
	for w, c := range freq {
		if c >= opts.MinCount {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if freq[words[i]] != freq[words[j]] {
			return freq[words[i]] > freq[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) < opts.Dims+opts.Oversample {
		return nil, fmt.Errorf("retrieval: train word vectors: only %d stems seen %d times or more", len(words), opts.MinCount)
	}
	words = words[:min(len(words), opts.Vocab)]
	nc := min(opts.Contexts, len(words))
	index := make(map[string]int, len(words))
	for i, w := range words {
		index[w] = i
	}
	m := cooccurrence(docs, index, len(words), nc, opts.Window)
	ppmi(m, len(words), nc, opts.Smoothing)
	vecs := randomizedSVD(m, len(words), nc, opts)
	return encodeWordVectors(words, vecs, opts, corpusDigest)
}

// cooccurrence counts, for each target stem (row) and context stem (column), how often
// the context falls within window words of the target, weighted 1/distance.
func cooccurrence(docs [][]string, index map[string]int, rows, cols, window int) []float32 {
	m := make([]float32, rows*cols)
	ids := []int{}
	for _, d := range docs {
		ids = ids[:0]
		for _, w := range d {
			if i, ok := index[w]; ok {
				ids = append(ids, i)
			} else {
				ids = append(ids, -1)
			}
		}
		for p, i := range ids {
			if i < 0 {
				continue
			}
			for q := max(0, p-window); q < min(len(ids), p+window+1); q++ {
				if j := ids[q]; q != p && j >= 0 && j < cols {
					m[i*cols+j] += 1 / float32(abs(q-p))
				}
			}
		}
	}
	return m
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ppmi turns counts into positive pointwise mutual information in place, with the
// context distribution raised to smoothing (which keeps rare contexts from dominating).
func ppmi(m []float32, rows, cols int, smoothing float64) {
	rowSum := make([]float64, rows)
	colSum := make([]float64, cols)
	var total float64
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			x := float64(m[i*cols+j])
			rowSum[i] += x
			colSum[j] += x
			total += x
		}
	}
	var smoothTotal float64
	for j := range colSum {
		colSum[j] = math.Pow(colSum[j], smoothing)
		smoothTotal += colSum[j]
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			x := float64(m[i*cols+j])
			if x == 0 || rowSum[i] == 0 {
				continue
			}
			pmi := math.Log(x/total) - math.Log(rowSum[i]/total) - math.Log(colSum[j]/smoothTotal)
			m[i*cols+j] = float32(max(0, pmi))
		}
	}
}

// randomizedSVD returns the rows' vectors U·Σ^p of the rank-Dims approximation of the
// rows×cols matrix m (Halko, Martinsson and Tropp 2011), each scaled to unit length.
func randomizedSVD(m []float32, rows, cols int, opts TrainOptions) [][]float64 {
	k := opts.Dims + opts.Oversample
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	omega := make([][]float64, k) // column-major: k columns of length cols
	for c := range omega {
		omega[c] = make([]float64, cols)
		for j := range omega[c] {
			omega[c][j] = rng.NormFloat64()
		}
	}
	y := mulM(m, rows, cols, omega) // rows × k
	orthonormalize(y)
	for it := 0; it < opts.PowerIters; it++ {
		z := mulMT(m, rows, cols, y) // cols × k
		orthonormalize(z)
		y = mulM(m, rows, cols, z)
		orthonormalize(y)
	}
	// B = Yᵀ M (k × cols); B Bᵀ = U_B Σ² U_Bᵀ; the left singular vectors of M are Y U_B.
	b := mulMT(m, rows, cols, y) // cols × k, i.e. Bᵀ
	g := make([][]float64, k)
	for a := range g {
		g[a] = make([]float64, k)
		for c := 0; c < k; c++ {
			g[a][c] = dot(b[a], b[c])
		}
	}
	vals, vecs := jacobiEigen(g)
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return vals[order[i]] > vals[order[j]] })
	out := make([][]float64, rows)
	for r := 0; r < rows; r++ {
		v := make([]float64, opts.Dims)
		for d := 0; d < opts.Dims; d++ {
			e := order[d]
			var s float64
			for a := 0; a < k; a++ {
				s += y[a][r] * vecs[a][e]
			}
			v[d] = s * math.Pow(math.Sqrt(max(0, vals[e])), opts.EigenPower)
		}
		normalize(v)
		out[r] = v
	}
	return out
}

// mulM returns M·X for column-major X (len(x) columns of length cols): len(x) columns of
// length rows.
func mulM(m []float32, rows, cols int, x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for c := range out {
		out[c] = make([]float64, rows)
	}
	for i := 0; i < rows; i++ {
		row := m[i*cols : (i+1)*cols]
		for j, a := range row {
			if a == 0 {
				continue
			}
			for c := range x {
				out[c][i] += float64(a) * x[c][j]
			}
		}
	}
	return out
}

// mulMT returns Mᵀ·X for column-major X (columns of length rows): columns of length cols.
func mulMT(m []float32, rows, cols int, x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for c := range out {
		out[c] = make([]float64, cols)
	}
	for i := 0; i < rows; i++ {
		row := m[i*cols : (i+1)*cols]
		for j, a := range row {
			if a == 0 {
				continue
			}
			for c := range x {
				out[c][j] += float64(a) * x[c][i]
			}
		}
	}
	return out
}

// orthonormalize makes the columns orthonormal (modified Gram-Schmidt, twice for
// stability).
func orthonormalize(cols [][]float64) {
	for pass := 0; pass < 2; pass++ {
		for c := range cols {
			for p := 0; p < c; p++ {
				d := dot(cols[c], cols[p])
				for i := range cols[c] {
					cols[c][i] -= d * cols[p][i]
				}
			}
			normalize(cols[c])
		}
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func normalize(v []float64) {
	n := math.Sqrt(dot(v, v))
	if n == 0 {
		return
	}
	for i := range v {
		v[i] /= n
	}
}

// jacobiEigen diagonalises the symmetric matrix a (cyclic Jacobi rotations): eigenvalues,
// and eigenvectors as columns (vecs[row][col]).
func jacobiEigen(a [][]float64) ([]float64, [][]float64) {
	n := len(a)
	v := make([][]float64, n)
	for i := range v {
		v[i] = make([]float64, n)
		v[i][i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off float64
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				off += a[p][q] * a[p][q]
			}
		}
		if off < 1e-22 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if math.Abs(a[p][q]) < 1e-300 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < n; k++ {
					akp, akq := a[k][p], a[k][q]
					a[k][p] = c*akp - s*akq
					a[k][q] = s*akp + c*akq
				}
				for k := 0; k < n; k++ {
					apk, aqk := a[p][k], a[q][k]
					a[p][k] = c*apk - s*aqk
					a[q][k] = s*apk + c*aqk
				}
				for k := 0; k < n; k++ {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = c*vkp - s*vkq
					v[k][q] = s*vkp + c*vkq
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = a[i][i]
	}
	return vals, v
}

// wordVecManifest is the first line of the weights file: how they were made.
type wordVecManifest struct {
	Format  int          `json:"format"`
	Trainer string       `json:"trainer"` // TrainerHash of the code that trained them
	Corpus  string       `json:"corpus"`  // digest of the training texts
	Options TrainOptions `json:"options"`
	Words   int          `json:"words"`
}

const wordVecMagic = "nightfloat-wordvec\n"

// encodeWordVectors writes the magic line, the manifest as one JSON line, then per word:
// a length byte, the stem, a float32 scale and Dims int8 components (component × scale).
func encodeWordVectors(words []string, vecs [][]float64, opts TrainOptions, corpusDigest string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(wordVecMagic)
	man, err := json.Marshal(wordVecManifest{Format: 1, Trainer: TrainerHash(), Corpus: corpusDigest, Options: opts, Words: len(words)})
	if err != nil {
		return nil, fmt.Errorf("retrieval: encode word vectors: %w", err)
	}
	b.Write(man)
	b.WriteByte('\n')
	for i, w := range words {
		b.WriteByte(byte(len(w)))
		b.WriteString(w)
		var peak float64
		for _, x := range vecs[i] {
			peak = max(peak, math.Abs(x))
		}
		scale := float32(peak / 127)
		if scale == 0 {
			scale = 1
		}
		if err := binary.Write(&b, binary.LittleEndian, scale); err != nil {
			return nil, fmt.Errorf("retrieval: encode word vectors: %w", err)
		}
		for _, x := range vecs[i] {
			b.WriteByte(byte(int8(math.Round(x / float64(scale)))))
		}
	}
	return b.Bytes(), nil
}
