package learn

import (
	"math"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Feature space: hashed word unigrams and bigrams and character 3-5-grams
// within word boundaries, sublinear term frequency, L2-normalised.
const (
	Bits    = 20 // buckets of the escalation head: 2^20
	Buckets = 1 << Bits
	Mask    = Buckets - 1
	CatBits = 16 // buckets of a category head (the same hashes, masked)
	CatMask = 1<<CatBits - 1

	minGram  = 3
	maxGram  = 5
	maxCount = math.MaxUint16
)

// Hash namespaces, one per feature kind.
const (
	nsWord uint32 = iota + 1
	nsBigram
	nsChar
	nsNegWord
)

// Feat is one non-zero feature: bucket and value.
type Feat struct {
	Idx uint32
	Val float32
}

type scratch struct {
	cnt   []uint16 // per bucket, zero between uses
	touch []uint32
	buf   []byte
	words [][2]int
	feats []Feat
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{cnt: make([]uint16, Buckets)}
}}

var logTF = func() (t [64]float32) {
	for i := 1; i < len(t); i++ {
		t[i] = float32(1 + math.Log(float64(i)))
	}
	return
}()

// Vectorize appends the features of text to dst and returns it.
func Vectorize(dst []Feat, text string) []Feat {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.feats = dst
	sc.block(text)
	return sc.feats
}

// negators open a negation scope: the next few words also count as "not_w".
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "dont": true, "didnt": true, "doesnt": true,
	"wont": true, "wouldnt": true, "cant": true, "cannot": true, "isnt": true, "arent": true,
	"wasnt": true, "havent": true, "nor": true, "without": true, "nothing": true,
}

const negScope = 3

func (sc *scratch) block(text string) {
	sc.buf = normalize(sc.buf[:0], text)
	sc.words = wordsInto(sc.words[:0], sc.buf)
	sc.touch = sc.touch[:0]
	buf := sc.buf
	neg := 0
	for i, w := range sc.words {
		word := buf[w[0]:w[1]]
		sc.count(hash(nsWord, word))
		if neg > 0 {
			sc.count(hash(nsNegWord, word))
			neg--
		}
		if negators[string(word)] {
			neg = negScope
		}
		if i > 0 {
			sc.count(hash(nsBigram, buf[sc.words[i-1][0]:w[1]]))
		}
		// character n-grams of the word padded with its surrounding spaces
		lo, hi := w[0]-1, w[1]+1
		for n := minGram; n <= maxGram; n++ {
			for s := lo; s+n <= hi; s++ {
				sc.count(hash(nsChar, buf[s:s+n]))
			}
		}
	}
	start := len(sc.feats)
	var ss float64
	for _, idx := range sc.touch {
		c := sc.cnt[idx]
		sc.cnt[idx] = 0
		var v float32
		if int(c) < len(logTF) {
			v = logTF[c]
		} else {
			v = float32(1 + math.Log(float64(c)))
		}
		ss += float64(v) * float64(v)
		sc.feats = append(sc.feats, Feat{idx, v})
	}
	if ss == 0 {
		return
	}
	k := float32(1 / math.Sqrt(ss))
	for i := start; i < len(sc.feats); i++ {
		sc.feats[i].Val *= k
	}
}

func (sc *scratch) count(h uint32) {
	idx := h & Mask
	c := sc.cnt[idx]
	if c == 0 {
		sc.touch = append(sc.touch, idx)
	}
	if c < maxCount {
		sc.cnt[idx] = c + 1
	}
}

// hash is 32-bit FNV-1a seeded with the namespace, with a final avalanche so
// that the low bits depend on every byte.
func hash(seed uint32, b []byte) uint32 {
	h := uint32(2166136261) ^ (seed * 16777619)
	h *= 16777619
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	h ^= h >> 15
	h *= 0x2c1b3c6d
	h ^= h >> 12
	return h
}

// normalize appends the layer's light normalisation of s to dst:
// " word word ... " with single spaces (and one at each end), lower case,
// apostrophes dropped ("don't" is "dont"), other punctuation a word break,
// leetspeak folded inside words that have letters (k1ll, $uicide, d13),
// and runs of three or more of the same letter collapsed to one (diiie).
func normalize(dst []byte, s string) []byte {
	dst = append(dst, ' ')
	for len(s) > 0 {
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
				if f := leet(r); seen && f != 0 {
					r = f
				}
			case r == '$' || r == '@':
				next, _ := utf8.DecodeRuneInString(tok[k+1:])
				if unicode.IsLetter(next) && (seen || r == '$') {
					r = leet(r)
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
	return collapse(dst)
}

// collapse rewrites runs of three or more of the same ASCII letter as one
// letter, in place ("sooo" is "so"); runs of two stay ("feel", "too").
func collapse(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); {
		j := i + 1
		for j < len(b) && b[j] == b[i] {
			j++
		}
		c := b[i]
		if j-i >= 3 && ('a' <= c && c <= 'z') {
			out = append(out, c)
		} else {
			out = append(out, b[i:j]...)
		}
		i = j
	}
	return out
}

func leet(r rune) rune {
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

// wordsInto appends the [start,end) of each word in a normalised buffer.
func wordsInto(dst [][2]int, buf []byte) [][2]int {
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
