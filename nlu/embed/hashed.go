package embed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/parley-cc/parley/nlu/text"
)

// DefaultDim is the number of buckets of a Hashed embedder whose Config leaves Dim zero.
const DefaultDim = 1024

// Feature weights: whole words carry most meaning, bigrams keep a little word order,
// character n-grams catch misspellings and recognizer errors ("acount", "wifi").
const (
	wordWeight   = 1.0
	bigramWeight = 0.6
	charWeight   = 0.35
)

// HashedConfig configures a Hashed embedder. The zero value means defaults.
type HashedConfig struct {
	Dim int // buckets; DefaultDim if zero
}

// Hashed is the built-in embedder: TF-IDF-weighted hashed word uni/bigrams and
// character 3-5-grams. Before Fit every feature has IDF 1.
type Hashed struct {
	dim  int
	docs uint32
	idf  []float32
}

var _ Embedder = (*Hashed)(nil)

// NewHashed returns an unfitted Hashed embedder.
func NewHashed(cfg HashedConfig) *Hashed {
	if cfg.Dim <= 0 {
		cfg.Dim = DefaultDim
	}
	h := &Hashed{dim: cfg.Dim, idf: make([]float32, cfg.Dim)}
	for i := range h.idf {
		h.idf[i] = 1
	}
	return h
}

// Dim returns the vector length.
func (h *Hashed) Dim() int { return h.dim }

// Fit learns smoothed IDF weights per bucket from corpus, one document per string.
func (h *Hashed) Fit(corpus []string) {
	df := make([]uint32, h.dim)
	seen := make(map[int]struct{})
	for _, doc := range corpus {
		clear(seen)
		features(doc, func(f string, _ float32) {
			seen[h.bucket(f)] = struct{}{}
		})
		for b := range seen {
			df[b]++
		}
	}
	h.docs = uint32(len(corpus))
	n := float64(h.docs)
	for i, d := range df {
		h.idf[i] = float32(math.Log((1+n)/(1+float64(d))) + 1)
	}
}

// Embed returns one unit vector per text. It never fails; the error is for the interface.
func (h *Hashed) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("embed: %w", ctx.Err())
		}
		out[i] = h.Vector(t)
	}
	return out, nil
}

// Vector embeds one text.
func (h *Hashed) Vector(s string) []float32 {
	type feat struct{ n, w float32 }
	tf := make(map[string]feat)
	features(s, func(f string, w float32) { tf[f] = feat{tf[f].n + 1, w} })
	v := make([]float32, h.dim)
	for f, ft := range tf {
		hv := hash(f)
		b := int(hv % uint64(h.dim))
		sign := float32(1)
		if hv>>63 == 1 {
			sign = -1
		}
		v[b] += sign * ft.w * float32(1+math.Log(float64(ft.n))) * h.idf[b]
	}
	Normalize(v)
	return v
}

func (h *Hashed) bucket(f string) int { return int(hash(f) % uint64(h.dim)) }

// features calls emit for every feature of s with its weight. Feature strings are
// prefixed by kind so that a word and a character gram never share a key.
func features(s string, emit func(f string, w float32)) {
	terms := text.Terms(s)
	for i, t := range terms {
		emit("w:"+t, wordWeight)
		if i > 0 {
			emit("b:"+terms[i-1]+" "+t, bigramWeight)
		}
	}
	for _, tok := range text.Tokens(s) {
		r := []rune("<" + tok + ">")
		for n := 3; n <= 5; n++ {
			for i := 0; i+n <= len(r); i++ {
				emit("c:"+string(r[i:i+n]), charWeight)
			}
		}
	}
}

// hash is 64-bit FNV-1a.
func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

const hashedMagic = "PHE1"

// Errors from UnmarshalBinary.
var ErrBadModel = errors.New("embed: bad hashed model")

// MarshalBinary encodes the fitted model: magic, dim, document count, IDF per bucket.
func (h *Hashed) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 12+4*h.dim)
	b = append(b, hashedMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(h.dim))
	b = binary.LittleEndian.AppendUint32(b, h.docs)
	for _, x := range h.idf {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b, nil
}

// UnmarshalBinary decodes a model written by MarshalBinary, replacing h.
func (h *Hashed) UnmarshalBinary(b []byte) error {
	if len(b) < 12 || !strings.HasPrefix(string(b[:4]), hashedMagic) {
		return fmt.Errorf("%w: missing header", ErrBadModel)
	}
	dim := binary.LittleEndian.Uint32(b[4:])
	if dim == 0 || dim > 1<<20 || uint64(len(b)) != 12+4*uint64(dim) {
		return fmt.Errorf("%w: dim %d with %d bytes", ErrBadModel, dim, len(b))
	}
	idf := make([]float32, dim)
	for i := range idf {
		x := math.Float32frombits(binary.LittleEndian.Uint32(b[12+4*i:]))
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) || x < 0 {
			return fmt.Errorf("%w: idf[%d] = %v", ErrBadModel, i, x)
		}
		idf[i] = x
	}
	h.dim, h.docs, h.idf = int(dim), binary.LittleEndian.Uint32(b[8:]), idf
	return nil
}
