package media

import (
	"context"
	"sync"
	"time"
)

// Ticker is a stream stage paced by a Pacer: every interval the Pacer calls
// Tick once, from its own goroutine.
type Ticker interface {
	Tick(now time.Time)
}

// TickerFunc adapts a function to the Ticker interface.
type TickerFunc func(now time.Time)

// Tick calls f(now).
func (f TickerFunc) Tick(now time.Time) { f(now) }

// Pacer drives the frame-interval work of many streams (jitter-buffer
// playout, prompt playback, recording) from one goroutine and one
// time.Ticker, instead of a timer per stream: a thousand calls cost one
// wake-up every 20 ms, not a thousand.
//
// Tick callbacks run on the Pacer's goroutine, in the order the streams were
// added, and must not block. Add and remove are safe from any goroutine.
type Pacer struct {
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	entries []*pacerEntry
	snap    []*pacerEntry // reused copy iterated outside the lock
}

type pacerEntry struct {
	mu      sync.Mutex // held while t ticks; remove takes it to wait out a tick
	t       Ticker
	removed bool
}

// NewPacer returns a Pacer ticking every interval (20 ms when zero).
func NewPacer(interval time.Duration) *Pacer {
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	return &Pacer{interval: interval, now: time.Now}
}

// Interval returns the pacing interval.
func (p *Pacer) Interval() time.Duration { return p.interval }

// Add registers t and returns the function that unregisters it. When the
// returned function returns, no Tick of t is running and none will start, so
// the caller may release what Tick uses. It must not be called from t's own
// Tick.
func (p *Pacer) Add(t Ticker) (remove func()) {
	e := &pacerEntry{t: t}
	p.mu.Lock()
	p.entries = append(p.entries, e)
	p.mu.Unlock()
	return func() { p.remove(e) }
}

func (p *Pacer) remove(e *pacerEntry) {
	e.mu.Lock()
	e.removed = true
	e.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.entries {
		if x == e {
			p.entries = append(p.entries[:i], p.entries[i+1:]...)
			return
		}
	}
}

// Len returns the number of registered streams.
func (p *Pacer) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.entries)
}

// Run ticks every registered stream each interval until ctx is done.
func (p *Pacer) Run(ctx context.Context) {
	tk := time.NewTicker(p.interval)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tk.C:
			p.TickAll(now)
		}
	}
}

// TickAll ticks every registered stream once, now. Run calls it each
// interval; tests and benchmarks call it directly.
func (p *Pacer) TickAll(now time.Time) {
	p.mu.Lock()
	p.snap = append(p.snap[:0], p.entries...)
	p.mu.Unlock()
	for _, e := range p.snap {
		e.mu.Lock()
		if !e.removed {
			e.t.Tick(now)
		}
		e.mu.Unlock()
	}
}
