package index

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Config configures an Embedded index. The zero value means defaults.
type Config struct {
	// Dim is the vector length; if zero it is taken from the snapshot or the first upsert.
	Dim int
	// ExactThreshold is the point count above which the HNSW graph is used; 20,000 if zero.
	ExactThreshold int
	// EfSearch is the HNSW candidate list size; 64 if zero.
	EfSearch int
	Log      *slog.Logger
}

// Embedded is an in-process index persisted in a directory.
type Embedded struct {
	cfg  Config
	path string

	mu     sync.RWMutex
	dim    int
	ids    map[string]uint32 // id -> slot
	slots  []slot            // by slot; deleted slots have id ""
	free   []uint32
	graph  *graph
	dirty  bool
	closed bool
}

type slot struct {
	id      string
	vec     []float32
	payload Payload
}

var _ Index = (*Embedded)(nil)

const snapshotName = "vectors.pix"

// Open loads the index persisted in dir, creating dir if needed.
func Open(dir string, cfg Config) (*Embedded, error) {
	if cfg.ExactThreshold <= 0 {
		cfg.ExactThreshold = 20000
	}
	if cfg.EfSearch <= 0 {
		cfg.EfSearch = 64
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	e := &Embedded{cfg: cfg, path: filepath.Join(dir, snapshotName), dim: cfg.Dim, ids: map[string]uint32{}}
	f, err := os.Open(e.path)
	if os.IsNotExist(err) {
		return e, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	defer f.Close()
	dim, points, err := ReadSnapshot(f)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", e.path, err)
	}
	if cfg.Dim != 0 && len(points) > 0 && dim != cfg.Dim {
		return nil, fmt.Errorf("open index %s: %w: snapshot %d, configured %d", e.path, ErrDim, dim, cfg.Dim)
	}
	if len(points) > 0 {
		e.dim = dim
	}
	for _, p := range points {
		e.put(p)
	}
	e.maybeGraph()
	return e, nil
}

// Len returns the number of points.
func (e *Embedded) Len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.ids)
}

// Upsert inserts or replaces points, normalising their vectors.
func (e *Embedded) Upsert(ctx context.Context, points []Point) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	for _, p := range points {
		if p.ID == "" {
			return ErrBadID
		}
		if e.dim == 0 {
			e.dim = len(p.Vector)
		}
		if len(p.Vector) != e.dim || e.dim == 0 {
			return fmt.Errorf("%w: point %q has %d, index %d", ErrDim, p.ID, len(p.Vector), e.dim)
		}
	}
	for i, p := range points {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		v := slices.Clone(p.Vector)
		normalize(v)
		p.Vector = v
		e.put(p)
	}
	e.dirty = true
	e.maybeGraph()
	return nil
}

func (e *Embedded) put(p Point) {
	s, ok := e.ids[p.ID]
	switch {
	case ok && e.graph == nil:
		e.slots[s] = slot{p.ID, p.Vector, p.Payload}
		return
	case ok:
		// The graph links the old vector: leave it as a tombstone.
		e.slots[s].id = ""
	case e.graph == nil && len(e.free) > 0:
		s, e.free = e.free[len(e.free)-1], e.free[:len(e.free)-1]
		e.slots[s] = slot{p.ID, p.Vector, p.Payload}
		e.ids[p.ID] = s
		return
	}
	s = uint32(len(e.slots))
	e.slots = append(e.slots, slot{p.ID, p.Vector, p.Payload})
	e.ids[p.ID] = s
	if e.graph != nil {
		e.graph.add(s)
	}
}

// maybeGraph builds the HNSW graph once the index outgrows exact search.
func (e *Embedded) maybeGraph() {
	if e.graph != nil || len(e.ids) <= e.cfg.ExactThreshold {
		return
	}
	g := newGraph(func(s uint32) []float32 { return e.slots[s].vec })
	for s, sl := range e.slots {
		if sl.id != "" {
			g.add(uint32(s))
		}
	}
	e.graph = g
	e.cfg.Log.Info("index switched to HNSW", "points", len(e.ids))
}

// Delete removes points by ID.
func (e *Embedded) Delete(_ context.Context, ids []string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	for _, id := range ids {
		s, ok := e.ids[id]
		if !ok {
			continue
		}
		delete(e.ids, id)
		if e.graph != nil {
			e.slots[s].id = "" // tombstone: the graph still links its vector
		} else {
			e.slots[s] = slot{}
			e.free = append(e.free, s)
		}
		e.dirty = true
	}
	return nil
}

// Search returns the k best points passing f.
func (e *Embedded) Search(ctx context.Context, v []float32, k int, f Filter) ([]Hit, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return nil, ErrClosed
	}
	if k <= 0 || len(e.ids) == 0 {
		return nil, nil
	}
	if len(v) != e.dim {
		return nil, fmt.Errorf("%w: query has %d, index %d", ErrDim, len(v), e.dim)
	}
	q := slices.Clone(v)
	normalize(q)
	if e.graph != nil {
		if hits := e.searchGraph(q, k, f); len(hits) >= k {
			return hits, nil
		}
	}
	return e.searchExact(ctx, q, k, f)
}

func (e *Embedded) searchGraph(q []float32, k int, f Filter) []Hit {
	want := k
	if !f.empty() {
		want = k * 8
	}
	nodes := e.graph.search(q, max(want, e.cfg.EfSearch))
	hits := make([]Hit, 0, k)
	for _, n := range nodes {
		sl := &e.slots[n.id]
		if sl.id == "" || !f.Match(&sl.payload) {
			continue
		}
		hits = append(hits, Hit{sl.id, dot(q, sl.vec), sl.payload})
	}
	sortHits(hits)
	return hits[:min(k, len(hits))]
}

func (e *Embedded) searchExact(ctx context.Context, q []float32, k int, f Filter) ([]Hit, error) {
	noFilter := f.empty()
	top := make([]Hit, 0, k+1)
	for s := range e.slots {
		if s%8192 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		sl := &e.slots[s]
		if sl.id == "" || !noFilter && !f.Match(&sl.payload) {
			continue
		}
		score := dot(q, sl.vec)
		if len(top) == k && score <= top[k-1].Score {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, score, func(h Hit, s float32) int { return cmp.Compare(s, h.Score) })
		top = slices.Insert(top, i, Hit{ID: sl.id, Score: score})
		if len(top) > k {
			top = top[:k]
		}
	}
	for i := range top {
		top[i].Payload = e.slots[e.ids[top[i].ID]].payload
	}
	return top, nil
}

func sortHits(h []Hit) {
	slices.SortFunc(h, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// Save writes the snapshot atomically if anything changed since the last Save.
func (e *Embedded) Save() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.save()
}

func (e *Embedded) save() error {
	if !e.dirty {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(e.path), snapshotName+".tmp*")
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	defer os.Remove(tmp.Name())
	points := make([]Point, 0, len(e.ids))
	for _, sl := range e.slots {
		if sl.id != "" {
			points = append(points, Point{sl.id, sl.vec, sl.payload})
		}
	}
	if err := WriteSnapshot(tmp, e.dim, points); err != nil {
		tmp.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	if err := os.Rename(tmp.Name(), e.path); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	e.dirty = false
	return nil
}

// Close saves and releases the index; later calls fail with ErrClosed.
func (e *Embedded) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	err := e.save()
	e.closed = true
	return err
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}
