package learn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// File format: magic, id, calibration (A, B), band thresholds (handoff,
// review), data checksum, the escalation head, then the category heads. A
// head is its bias, a scale and its non-zero weights quantised to int16
// (weight = q*scale), stored sparse as (index delta, value) varints.
const magic = "NFLEARN1\n"

// MarshalBinary encodes the model.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(magic)
	putStr(&b, m.ID)
	for _, f := range []float64{m.CalA, m.CalB, m.Handoff, m.Review} {
		putF64(&b, f)
	}
	b.Write(m.DataSum[:])
	putHead(&b, m.Bias, m.W)
	if err := binary.Write(&b, binary.LittleEndian, uint16(len(m.Cats))); err != nil {
		return nil, err
	}
	for _, h := range m.Cats {
		putStr(&b, h.Name)
		putHead(&b, h.Bias, h.W)
	}
	return b.Bytes(), nil
}

// Parse decodes a model file.
func Parse(data []byte) (m *Model, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("learn: model: corrupt: %v", p)
		}
	}()
	r := &reader{b: data}
	if string(r.next(len(magic))) != magic {
		return nil, errors.New("learn: model: bad magic")
	}
	m = &Model{}
	m.ID = r.str()
	m.CalA, m.CalB, m.Handoff, m.Review = r.f64(), r.f64(), r.f64(), r.f64()
	copy(m.DataSum[:], r.next(32))
	m.Bias, m.W = r.head(Buckets)
	nc := int(binary.LittleEndian.Uint16(r.next(2)))
	for i := 0; i < nc; i++ {
		var h CatHead
		h.Name = r.str()
		h.Bias, h.W = r.head(1 << CatBits)
		m.Cats = append(m.Cats, h)
	}
	if len(r.b) != 0 {
		return nil, errors.New("learn: model: trailing bytes")
	}
	if !(m.Review <= m.Handoff) || m.CalA <= 0 {
		return nil, fmt.Errorf("learn: model: bad calibration or bands (a=%v review=%v handoff=%v)", m.CalA, m.Review, m.Handoff)
	}
	return m, nil
}

func putStr(b *bytes.Buffer, s string) {
	_ = binary.Write(b, binary.LittleEndian, uint16(len(s)))
	b.WriteString(s)
}

func putF64(b *bytes.Buffer, f float64) {
	_ = binary.Write(b, binary.LittleEndian, math.Float64bits(f))
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
		q := quant(x, scale)
		if q == 0 {
			continue
		}
		tmp = binary.AppendUvarint(tmp, uint64(i-prev))
		tmp = binary.AppendVarint(tmp, int64(q))
		prev = i
		n++
	}
	_ = binary.Write(b, binary.LittleEndian, uint32(n))
	b.Write(tmp)
}

func quant(x float32, scale float64) int16 {
	if scale == 0 {
		return 0
	}
	return int16(math.Round(float64(x) / scale))
}

type reader struct{ b []byte }

func (r *reader) next(n int) []byte {
	if n > len(r.b) {
		panic("short file")
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) str() string {
	n := int(binary.LittleEndian.Uint16(r.next(2)))
	return string(r.next(n))
}

func (r *reader) f64() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(r.next(8)))
}

func (r *reader) head(size int) (float64, []float32) {
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
		if i >= size {
			panic("index out of range")
		}
		w[i] = float32(float64(q) * scale)
	}
	return bias, w
}
