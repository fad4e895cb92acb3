package index

import (
	"context"
	"errors"
	"slices"
)

// Payload is what the index stores and filters on besides the vector.
type Payload struct {
	Tenant    string            `json:"tenant,omitempty"`
	Language  string            `json:"language,omitempty"`
	KBVersion string            `json:"kb_version,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"` // free-form, stored not filtered
}

// Point is one vector with its ID and payload.
type Point struct {
	ID      string
	Vector  []float32
	Payload Payload
}

// Filter restricts a search. Empty fields match everything; Tags match a point that
// has every listed tag.
type Filter struct {
	Tenant    string
	Language  string
	KBVersion string
	Tags      []string
}

func (f Filter) empty() bool {
	return f.Tenant == "" && f.Language == "" && f.KBVersion == "" && len(f.Tags) == 0
}

// Match reports whether p passes f.
func (f Filter) Match(p *Payload) bool {
	if f.Tenant != "" && p.Tenant != f.Tenant ||
		f.Language != "" && p.Language != f.Language ||
		f.KBVersion != "" && p.KBVersion != f.KBVersion {
		return false
	}
	for _, t := range f.Tags {
		if !slices.Contains(p.Tags, t) {
			return false
		}
	}
	return true
}

// Hit is one search result, best first.
type Hit struct {
	ID      string
	Score   float32
	Payload Payload
}

// Index is a vector index with payload filters.
type Index interface {
	// Upsert inserts or replaces points by ID.
	Upsert(ctx context.Context, points []Point) error
	// Delete removes points by ID; unknown IDs are ignored.
	Delete(ctx context.Context, ids []string) error
	// Search returns up to k points passing f, by descending cosine similarity to v.
	Search(ctx context.Context, v []float32, k int, f Filter) ([]Hit, error)
}

// Sentinel errors.
var (
	ErrDim     = errors.New("index: vector dimension mismatch")
	ErrBadID   = errors.New("index: empty point id")
	ErrCorrupt = errors.New("index: corrupt snapshot")
	ErrClosed  = errors.New("index: closed")
)
