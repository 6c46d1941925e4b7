package safety

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The statistical layer: binary logistic regression (escalate or not) over
// hashed word unigrams and bigrams and character 3-5-grams of the message,
// plus the same features of the earlier resident turns in a separate,
// down-weighted hash namespace. Its weights are trained on the project's own
// labelled cases by `go run ./safety/internal/train` and committed under
// model/. The layer can only raise: when the message scores at or above the
// model's threshold it reports one Urgent finding; otherwise nothing.

// Names of the statistical layer and its one finding.
const (
	LayerStat   = "stat"
	StatModelID = "stat.lr-v1"
)

// StatModelPath is the committed model file, relative to this package.
const StatModelPath = "model/stat-lr-v1.bin"

//go:embed model/stat-lr-v1.bin
var embeddedStatModel []byte

const (
	statBits     = 18 // hash buckets of the escalation head: 2^18
	statBuckets  = 1 << statBits
	statMask     = statBuckets - 1
	statCatBits  = 14 // buckets of the category heads (the same hashes, masked)
	statCatMask  = 1<<statCatBits - 1
	statMaxHist  = 5 // earlier resident turns that count
	statMinGram  = 3
	statMaxGram  = 5
	statMaxCount = math.MaxUint16
)

// Hash namespaces: one seed per feature kind, separate for the message and
// for the earlier turns.
const (
	nsWord uint32 = iota + 1
	nsBigram
	nsChar
	nsHistWord
	nsHistBigram
	nsHistChar
)

const statMagic = "NFSTAT1\n"

// StatModel is a trained statistical layer: the escalation head, its
// threshold, and one small head per category used only to name the
// category of a finding.
type StatModel struct {
	id        string
	bias      float64
	threshold float64 // on the logit
	histW     float64 // weight of the earlier turns' block
	w         []float32
	cats      []statCatHead
	dataSum   [32]byte // SHA-256 of the training data and configuration
}

type statCatHead struct {
	cat  Category
	bias float64
	w    []float32 // 2^statCatBits
}

// ID is the model id reported as Evidence.RuleID.
func (m *StatModel) ID() string { return m.id }

// Threshold is the logit at or above which the layer escalates.
func (m *StatModel) Threshold() float64 { return m.threshold }

// SetThreshold sets the escalation threshold (a logit).
func (m *StatModel) SetThreshold(t float64) { m.threshold = t }

// DataSum is the checksum of the training data the model was trained on.
func (m *StatModel) DataSum() [32]byte { return m.dataSum }

// SetDataSum records the checksum of the training data.
func (m *StatModel) SetDataSum(s [32]byte) { m.dataSum = s }

var loadEmbeddedStat = sync.OnceValues(func() (*StatModel, error) {
	return ParseStatModel(embeddedStatModel)
})

// EmbeddedStatModel returns the committed model (decoded once).
func EmbeddedStatModel() (*StatModel, error) { return loadEmbeddedStat() }

// WithStat adds the statistical layer with the committed model. It can only
// raise the rules verdict (to Urgent, never to Emergency).
func WithStat() Option {
	return func(o *options) error {
		for _, l := range o.layers {
			if _, ok := l.(*statLayer); ok {
				return nil
			}
		}
		m, err := EmbeddedStatModel()
		if err != nil {
			return err
		}
		o.layers = append(o.layers, NewStatLayer(m))
		return nil
	}
}

// NewStatLayer returns a Layer backed by m.
func NewStatLayer(m *StatModel) Layer { return &statLayer{m: m} }

type statLayer struct{ m *StatModel }

func (l *statLayer) Name() string { return LayerStat }

// Assess scores the message on its own. The model was trained with earlier turns as
// context, but in conversations of long, ordinary turns their features added up to false
// escalations ("any tips for sleep?" after three long messages about nights); what
// earlier turns mean is left to the rules' conversation memory.
func (l *statLayer) Assess(ctx context.Context, _ []Turn, message string) (Assessment, error) {
	a := Assessment{Categories: []Category{}, Evidence: []Evidence{}, Version: l.m.id}
	v := statVectorize(nil, message)
	defer v.release()
	if l.m.logit(v.feats) < l.m.threshold {
		return a, nil
	}
	cat := l.m.category(v.feats)
	a.Level = Urgent
	a.Categories = append(a.Categories, cat)
	a.Evidence = append(a.Evidence, Evidence{
		Layer: LayerStat, RuleID: l.m.id, Category: cat, Level: Urgent,
		Span: l.m.topGrams(message, 3), Start: -1, End: -1,
	})
	return a, nil
}

// Score returns the model's logit for a message given the earlier turns.
func (m *StatModel) Score(history []Turn, message string) float64 {
	v := statVectorize(history, message)
	defer v.release()
	return m.logit(v.feats)
}

func (m *StatModel) logit(fs []statFeat) float64 {
	s := m.bias
	for _, f := range fs {
		s += float64(m.w[f.idx]) * float64(f.val)
	}
	return s
}

func (m *StatModel) category(fs []statFeat) Category {
	best, bestS := SuicidalIdeation, math.Inf(-1)
	for _, h := range m.cats {
		s := h.bias
		for _, f := range fs {
			s += float64(h.w[f.idx&statCatMask]) * float64(f.val)
		}
		if s > bestS {
			best, bestS = h.cat, s
		}
	}
	return best
}

// topGrams names the message's word unigrams and bigrams that push the score
// up most, in their normalised form, for the finding's Span.
func (m *StatModel) topGrams(message string, n int) string {
	buf := statNormalize(nil, message)
	words := statWords(buf)
	type gram struct {
		s string
		w float32
	}
	var gs []gram
	seen := map[string]bool{}
	add := func(seed uint32, b []byte) {
		s := string(b)
		if seen[s] {
			return
		}
		seen[s] = true
		if w := m.w[statHash(seed, b)&statMask]; w > 0 {
			gs = append(gs, gram{s, w})
		}
	}
	for i, w := range words {
		add(nsWord, buf[w[0]:w[1]])
		if i > 0 {
			add(nsBigram, buf[words[i-1][0]:w[1]])
		}
	}
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].w > gs[j].w })
	if len(gs) > n {
		gs = gs[:n]
	}
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.s
	}
	return strings.Join(out, ", ")
}

// statFeat is one non-zero feature: bucket and value.
type statFeat struct {
	idx uint32
	val float32
}

type statScratch struct {
	cnt   []uint16 // per bucket, zero between uses
	touch []uint32
	buf   []byte
	words [][2]int
	feats []statFeat
}

var statPool = sync.Pool{New: func() any {
	return &statScratch{cnt: make([]uint16, statBuckets)}
}}

type statVec struct {
	feats []statFeat
	sc    *statScratch
}

func (v statVec) release() {
	if v.sc != nil {
		statPool.Put(v.sc)
	}
}

var statLogTF = func() (t [64]float32) {
	for i := 1; i < len(t); i++ {
		t[i] = float32(1 + math.Log(float64(i)))
	}
	return
}()

// statVectorize computes the feature vector: the message block (sublinear
// TF, L2-normalised) plus the earlier resident turns' block (the same,
// scaled by statHistWeight).
func statVectorize(history []Turn, message string) statVec {
	sc := statPool.Get().(*statScratch)
	sc.feats = sc.feats[:0]
	sc.block(message, nsWord, nsBigram, nsChar, 1)
	var hb []byte
	n := 0
	for i := len(history) - 1; i >= 0 && n < statMaxHist; i-- {
		if a := history[i].Author; a != AuthorResident && a != "" {
			continue
		}
		n++
		hb = append(append(hb, history[i].Text...), '\n')
	}
	if n > 0 {
		sc.block(string(hb), nsHistWord, nsHistBigram, nsHistChar, statHistWeight)
	}
	return statVec{feats: sc.feats, sc: sc}
}

// statHistWeight scales the earlier turns' block.
const statHistWeight = 0.5

func (sc *statScratch) block(text string, sw, sb, sch uint32, weight float64) {
	sc.buf = statNormalize(sc.buf[:0], text)
	sc.words = statWordsInto(sc.words[:0], sc.buf)
	sc.touch = sc.touch[:0]
	buf := sc.buf
	for i, w := range sc.words {
		sc.count(statHash(sw, buf[w[0]:w[1]]))
		if i > 0 {
			sc.count(statHash(sb, buf[sc.words[i-1][0]:w[1]]))
		}
		// character n-grams of the word padded with its surrounding spaces
		lo, hi := w[0]-1, w[1]+1
		for n := statMinGram; n <= statMaxGram; n++ {
			for s := lo; s+n <= hi; s++ {
				sc.count(statHash(sch, buf[s:s+n]))
			}
		}
	}
	start := len(sc.feats)
	var ss float64
	for _, idx := range sc.touch {
		c := sc.cnt[idx]
		sc.cnt[idx] = 0
		var v float32
		if int(c) < len(statLogTF) {
			v = statLogTF[c]
		} else {
			v = float32(1 + math.Log(float64(c)))
		}
		ss += float64(v) * float64(v)
		sc.feats = append(sc.feats, statFeat{idx, v})
	}
	if ss == 0 {
		return
	}
	k := float32(weight / math.Sqrt(ss))
	for i := start; i < len(sc.feats); i++ {
		sc.feats[i].val *= k
	}
}

func (sc *statScratch) count(h uint32) {
	idx := h & statMask
	c := sc.cnt[idx]
	if c == 0 {
		sc.touch = append(sc.touch, idx)
	}
	if c < statMaxCount {
		sc.cnt[idx] = c + 1
	}
}

// statHash is 32-bit FNV-1a seeded with the namespace.
func statHash(seed uint32, b []byte) uint32 {
	h := uint32(2166136261) ^ (seed * 16777619)
	h *= 16777619
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	// final avalanche so that low bits depend on every byte
	h ^= h >> 15
	h *= 0x2c1b3c6d
	h ^= h >> 12
	return h
}

// statNormalize appends the layer's own light normalisation of s to dst:
// " word word ... " with single spaces (and one at each end), lower case,
// apostrophes dropped ("don't" is "dont"), other punctuation a word break,
// leetspeak folded inside words that have letters (k1ll, $uicide, d13),
// and runs of three or more of the same letter collapsed to one (diiie).
func statNormalize(dst []byte, s string) []byte {
	dst = append(dst, ' ')
	for len(s) > 0 {
		// one whitespace-separated token
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		s = s[i:]
		j := 0
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += n
		}
		tok := s[:j]
		s = s[j:]
		seen := false // a letter earlier in the token
		for k, r := range tok {
			r = unicode.ToLower(r)
			switch {
			case r == '\'' || r == '\u2019' || r == '\u2018' || r == '`':
				continue
			case unicode.IsLetter(r):
				seen = true
			case '0' <= r && r <= '9':
				// k1ll, d13; but 3am, 5mg, 2nd stay
				if f := statLeet(r); seen && f != 0 {
					r = f
				}
			case r == '$' || r == '@':
				// $uicide, k@ll; a lone $ or @ is a break
				next, _ := utf8.DecodeRuneInString(tok[k+1:])
				if unicode.IsLetter(next) && (seen || r == '$') {
					r = statLeet(r)
				} else {
					r = ' '
				}
			default:
				r = ' '
			}
			if r == ' ' {
				seen = false
				if dst[len(dst)-1] != ' ' {
					dst = append(dst, ' ')
				}
				continue
			}
			dst = utf8.AppendRune(dst, r)
		}
		if dst[len(dst)-1] != ' ' {
			dst = append(dst, ' ')
		}
	}
	return statCollapse(dst)
}

// statCollapse rewrites runs of three or more of the same ASCII letter
// as one letter, in place ("sooo" is "so", "diiiie" is "die"); runs of two
// stay ("feel", "too").
func statCollapse(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); {
		j := i + 1
		for j < len(b) && b[j] == b[i] {
			j++
		}
		if j-i >= 3 && isLetter(b[i]) {
			out = append(out, b[i])
		} else {
			out = append(out, b[i:j]...)
		}
		i = j
	}
	return out
}

func statLeet(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1':
		return 'i'
	case '3':
		return 'e'
	case '4':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	case '@':
		return 'a'
	}
	return 0
}

// statWords returns the [start,end) of each word in a normalised buffer.
func statWords(buf []byte) [][2]int { return statWordsInto(nil, buf) }

func statWordsInto(dst [][2]int, buf []byte) [][2]int {
	start := -1
	for i, c := range buf {
		if c == ' ' {
			if start >= 0 {
				dst = append(dst, [2]int{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return dst
}

// Model file: magic, id, threshold, history weight, data checksum, the
// escalation head, then the category heads. A head is its bias, a scale and
// its non-zero weights quantised to int16 (weight = q*scale), stored sparse
// as (index delta, value) varints.

// MarshalBinary encodes the model.
func (m *StatModel) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(statMagic)
	putStr(&b, m.id)
	putF64(&b, m.threshold)
	putF64(&b, m.histW)
	b.Write(m.dataSum[:])
	putHead(&b, m.bias, m.w)
	binary.Write(&b, binary.LittleEndian, uint16(len(m.cats)))
	for _, h := range m.cats {
		putStr(&b, string(h.cat))
		putHead(&b, h.bias, h.w)
	}
	return b.Bytes(), nil
}

// ParseStatModel decodes a model file.
func ParseStatModel(data []byte) (m *StatModel, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("safety: stat model: corrupt: %v", p)
		}
	}()
	r := &statReader{b: data}
	if string(r.next(len(statMagic))) != statMagic {
		return nil, errors.New("safety: stat model: bad magic")
	}
	m = &StatModel{}
	m.id = r.str()
	m.threshold = r.f64()
	m.histW = r.f64()
	copy(m.dataSum[:], r.next(32))
	m.bias, m.w = r.head(statBuckets)
	nc := int(binary.LittleEndian.Uint16(r.next(2)))
	for i := 0; i < nc; i++ {
		var h statCatHead
		h.cat = Category(r.str())
		h.bias, h.w = r.head(1 << statCatBits)
		m.cats = append(m.cats, h)
	}
	if len(r.b) != 0 {
		return nil, errors.New("safety: stat model: trailing bytes")
	}
	if m.histW != statHistWeight {
		return nil, fmt.Errorf("safety: stat model: history weight %v, code uses %v: retrain", m.histW, statHistWeight)
	}
	return m, nil
}

func putStr(b *bytes.Buffer, s string) {
	binary.Write(b, binary.LittleEndian, uint16(len(s)))
	b.WriteString(s)
}

func putF64(b *bytes.Buffer, f float64) {
	binary.Write(b, binary.LittleEndian, math.Float64bits(f))
}

// putHead quantises w to int16 with scale max|w|/32767.
func putHead(b *bytes.Buffer, bias float64, w []float32) {
	putF64(b, bias)
	var mx float64
	for _, x := range w {
		mx = math.Max(mx, math.Abs(float64(x)))
	}
	scale := mx / 32767
	putF64(b, scale)
	var tmp []byte
	n, prev := 0, -1
	for i, x := range w {
		q := statQuant(x, scale)
		if q == 0 {
			continue
		}
		tmp = binary.AppendUvarint(tmp, uint64(i-prev))
		tmp = binary.AppendVarint(tmp, int64(q))
		prev = i
		n++
	}
	binary.Write(b, binary.LittleEndian, uint32(n))
	b.Write(tmp)
}

func statQuant(x float32, scale float64) int16 {
	if scale == 0 {
		return 0
	}
	return int16(math.Round(float64(x) / scale))
}

type statReader struct{ b []byte }

func (r *statReader) next(n int) []byte {
	if n > len(r.b) {
		panic("short file")
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *statReader) str() string {
	n := int(binary.LittleEndian.Uint16(r.next(2)))
	return string(r.next(n))
}

func (r *statReader) f64() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(r.next(8)))
}

func (r *statReader) head(size int) (float64, []float32) {
	bias := r.f64()
	scale := r.f64()
	n := int(binary.LittleEndian.Uint32(r.next(4)))
	w := make([]float32, size)
	i := -1
	for k := 0; k < n; k++ {
		d, dn := binary.Uvarint(r.b)
		if dn <= 0 {
			panic("bad index")
		}
		r.b = r.b[dn:]
		q, qn := binary.Varint(r.b)
		if qn <= 0 {
			panic("bad weight")
		}
		r.b = r.b[qn:]
		i += int(d)
		w[i] = float32(float64(q) * scale)
	}
	return bias, w
}
