package speech

import (
	"container/list"
	"context"
	"encoding/binary"
	"math"
	"sync"

	"github.com/parley-cc/parley/mrcp/ssml"
)

// DefaultCacheBytes is the Cache size when CacheOptions.MaxBytes is 0.
const DefaultCacheBytes = 64 << 20

// CacheOptions configures a Cache.
type CacheOptions struct {
	// MaxBytes bounds what the cache keeps: 2 bytes per sample, plus each
	// rendering's key and marks. 0 means DefaultCacheBytes. A rendering
	// larger than the whole cache is streamed but not kept.
	MaxBytes int64
}

// CacheStats are a Cache's counters, for metrics.
type CacheStats struct {
	// Hits counts requests served from a complete rendering.
	Hits uint64
	// Shared counts requests that joined a synthesis under way for an
	// identical request.
	Shared uint64
	// Misses counts requests that started a synthesis.
	Misses uint64
	// Evictions counts renderings dropped to make room.
	Evictions uint64
	// Bytes and Entries are what the cache holds now.
	Bytes   int64
	Entries int
}

// Cache is a Synthesizer that keeps whole renderings (audio and mark
// positions) of the Synthesizer it wraps, keyed by engine, voice, rate,
// baseline prosody and document content, in a least-recently-used list
// bounded by bytes.
//
// A request that misses starts a synthesis and streams its audio as the
// engine produces it. Identical requests arriving meanwhile share that
// one synthesis: each streams the rendering from the start at its own
// pace. The synthesis runs on its own goroutine, so a slow or stopped
// caller never holds up the others; it is cancelled when every caller
// sharing it has gone (context ended or emit failed), and a cancelled or
// failed synthesis is not kept. The call that leaves a synthesis last
// waits for its goroutine to end, so none outlives the calls.
//
// A Cache is safe for concurrent use.
type Cache struct {
	s   Synthesizer
	max int64

	mu      sync.Mutex
	lru     list.List // of *cacheEntry, most recently used first
	entries map[string]*list.Element
	flights map[string]*flight
	bytes   int64
	stats   CacheStats
}

var _ Synthesizer = (*Cache)(nil)

// cacheEntry is a complete rendering in the LRU list.
type cacheEntry struct {
	key  string
	r    *rendering
	size int64
}

// flight is a synthesis under way.
type flight struct {
	key      string
	r        *rendering
	cancel   context.CancelFunc
	waiters  int           // callers streaming it; guarded by Cache.mu
	finished chan struct{} // closed when its goroutine has ended
}

// NewCache returns a Cache in front of s.
func NewCache(s Synthesizer, opt CacheOptions) *Cache {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultCacheBytes
	}
	return &Cache{s: s, max: opt.MaxBytes, entries: map[string]*list.Element{}, flights: map[string]*flight{}}
}

// Name returns the wrapped engine's name.
func (c *Cache) Name() string { return c.s.Name() }

// Voices returns the wrapped engine's voices.
func (c *Cache) Voices() []Voice { return c.s.Voices() }

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	st.Bytes, st.Entries = c.bytes, len(c.entries)
	return st
}

// Synthesize streams req's rendering from the cache, from an identical
// synthesis under way, or from a new one; see Cache. Audio comes in
// chunks of up to 100 ms. A request without a document goes straight to
// the engine.
func (c *Cache) Synthesize(ctx context.Context, req SynthRequest, emit func(Chunk) error) error {
	if req.Doc == nil {
		return c.s.Synthesize(ctx, req, emit)
	}
	key := string(appendRequestKey(nil, c.s.Name(), req))
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		c.stats.Hits++
		r := el.Value.(*cacheEntry).r
		c.mu.Unlock()
		return r.stream(ctx, req.Rate, emit)
	}
	f, ok := c.flights[key]
	if ok {
		c.stats.Shared++
	} else {
		c.stats.Misses++
		f = c.start(ctx, key, req)
	}
	f.waiters++
	c.mu.Unlock()
	err := f.r.stream(ctx, req.Rate, emit)
	c.leave(f)
	return err
}

// start begins the synthesis of req under key. Called with c.mu held.
func (c *Cache) start(ctx context.Context, key string, req SynthRequest) *flight {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{key: key, r: newRendering(), cancel: cancel, finished: make(chan struct{})}
	c.flights[key] = f
	go c.run(fctx, f, req)
	return f
}

// run synthesizes f and keeps the rendering if it completed.
func (c *Cache) run(ctx context.Context, f *flight, req SynthRequest) {
	defer close(f.finished)
	defer f.cancel()
	err := c.s.Synthesize(ctx, req, func(ch Chunk) error {
		f.r.add(ch)
		return nil
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // the engine stopped early without saying so
	}
	f.r.finish(err)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flights[f.key] == f {
		delete(c.flights, f.key)
	}
	if err == nil {
		c.store(f.key, f.r)
	}
}

// leave is a caller's departure from f: the last one cancels it if it is
// still running, and waits for its goroutine to end.
func (c *Cache) leave(f *flight) {
	c.mu.Lock()
	f.waiters--
	last := f.waiters == 0
	if last && !f.r.isDone() {
		if c.flights[f.key] == f {
			delete(c.flights, f.key)
		}
		f.cancel()
	}
	c.mu.Unlock()
	if last {
		<-f.finished
	}
}

// store keeps a complete rendering, evicting the least recently used
// ones to make room. Called with c.mu held.
func (c *Cache) store(key string, r *rendering) {
	size := r.size() + int64(len(key)) + 64
	if size > c.max {
		return
	}
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, r: r, size: size})
	c.bytes += size
	for c.bytes > c.max {
		c.remove(c.lru.Back())
		c.stats.Evictions++
	}
}

func (c *Cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// rendering is a synthesis's output, growing while it runs and immutable
// once done.
type rendering struct {
	mu    sync.Mutex
	pcm   []int16
	marks []cachedMark
	done  bool
	err   error
	wake  chan struct{} // closed, and replaced, when anything is added
}

// cachedMark is a mark and the number of samples before it.
type cachedMark struct {
	name string
	at   int
}

func newRendering() *rendering { return &rendering{wake: make(chan struct{})} }

func (r *rendering) add(ch Chunk) {
	r.mu.Lock()
	if ch.Mark != "" {
		r.marks = append(r.marks, cachedMark{ch.Mark, len(r.pcm)})
	}
	r.pcm = append(r.pcm, ch.PCM...)
	r.signal()
	r.mu.Unlock()
}

func (r *rendering) finish(err error) {
	r.mu.Lock()
	r.done, r.err = true, err
	r.signal()
	r.mu.Unlock()
}

// signal wakes the streams waiting. Called with r.mu held.
func (r *rendering) signal() {
	close(r.wake)
	r.wake = make(chan struct{})
}

func (r *rendering) isDone() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// size is the memory the rendering accounts for.
func (r *rendering) size() int64 {
	n := int64(2 * len(r.pcm))
	for _, m := range r.marks {
		n += int64(len(m.name)) + 24
	}
	return n
}

// stream emits the rendering from its start, waiting for more while it
// grows, in chunks of up to 100 ms at rate Hz, each copied out of the
// rendering. It returns the synthesis's error once it has emitted
// everything, ctx.Err() if ctx ends first, or emit's error.
func (r *rendering) stream(ctx context.Context, rate int, emit func(Chunk) error) error {
	step := max(rate/10, 160)
	buf := make([]int16, step)
	pos, mi := 0, 0
	for {
		r.mu.Lock()
		for len(r.pcm) == pos && len(r.marks) == mi && !r.done {
			wake := r.wake
			r.mu.Unlock()
			select {
			case <-wake:
			case <-ctx.Done():
				return ctx.Err()
			}
			r.mu.Lock()
		}
		var ch Chunk
		switch end := len(r.pcm); {
		case mi < len(r.marks) && r.marks[mi].at <= pos:
			ch.Mark = r.marks[mi].name
			mi++
		case pos < end:
			if mi < len(r.marks) {
				end = r.marks[mi].at
			}
			n := copy(buf, r.pcm[pos:end])
			ch.PCM = buf[:n]
			pos += n
		default: // everything emitted, and done
			err := r.err
			r.mu.Unlock()
			return err
		}
		r.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(ch); err != nil {
			return err
		}
	}
}

// appendRequestKey appends to b an encoding of everything about req that
// shapes the audio of engine: voice, rate, baseline prosody and the
// document (ssml.Document.AppendKey: what each item says and how, not the
// source text or say-as that produced it).
func appendRequestKey(b []byte, engine string, req SynthRequest) []byte {
	b = appendString(b, engine)
	v := req.Voice
	b = appendString(b, v.Name)
	b = appendString(b, v.Engine)
	b = appendString(b, v.Language)
	b = appendString(b, v.Gender)
	b = binary.AppendVarint(b, int64(v.Age))
	b = binary.AppendVarint(b, int64(req.Rate))
	b = appendProsody(b, req.Prosody)
	return req.Doc.AppendKey(b)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendProsody(b []byte, p ssml.Prosody) []byte {
	for _, f := range [...]float64{p.Rate, p.Pitch, p.Range, p.Volume} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	return b
}
