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

// DefaultPacerSlots is how many groups a Pacer spreads its streams over
// when NewPacer is given zero: with 20 ms frames, one group every 5 ms.
const DefaultPacerSlots = 4

// Pacer drives the frame-interval work of many streams (jitter-buffer
// playout, prompt playback, recording) from one goroutine and one
// time.Ticker, instead of a timer per stream: a thousand calls cost a few
// wake-ups every 20 ms, not a thousand.
//
// Streams are spread over slots, groups ticked at even offsets within the
// interval (every 5 ms for 20 ms frames and four slots), so the work of many
// calls is not one burst every 20 ms that delays socket reads and sends.
// Each stream is still ticked once per interval.
//
// Tick callbacks run on the Pacer's goroutine, in the order the streams of
// a slot were added, and must not block. Add and remove are safe from any
// goroutine.
type Pacer struct {
	interval time.Duration

	mu    sync.Mutex
	slots [][]*pacerEntry
	next  int           // slot Run ticks next
	snap  []*pacerEntry // reused copy iterated outside the lock
}

type pacerEntry struct {
	mu      sync.Mutex // held while t ticks; remove takes it to wait out a tick
	t       Ticker
	slot    int
	removed bool
}

// NewPacer returns a Pacer ticking each stream every interval (20 ms when
// zero), spreading streams over slots groups (DefaultPacerSlots when zero).
func NewPacer(interval time.Duration, slots int) *Pacer {
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	if slots <= 0 {
		slots = DefaultPacerSlots
	}
	return &Pacer{interval: interval, slots: make([][]*pacerEntry, slots)}
}

// Interval returns the pacing interval.
func (p *Pacer) Interval() time.Duration { return p.interval }

// Add registers t in the least loaded slot and returns the function that
// unregisters it. When the returned function returns, no Tick of t is
// running and none will start, so the caller may release what Tick uses. It
// must not be called from t's own Tick.
func (p *Pacer) Add(t Ticker) (remove func()) {
	p.mu.Lock()
	slot := 0
	for i := range p.slots {
		if len(p.slots[i]) < len(p.slots[slot]) {
			slot = i
		}
	}
	e := &pacerEntry{t: t, slot: slot}
	p.slots[slot] = append(p.slots[slot], e)
	p.mu.Unlock()
	return func() { p.remove(e) }
}

func (p *Pacer) remove(e *pacerEntry) {
	e.mu.Lock()
	e.removed = true
	e.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.slots[e.slot]
	for i, x := range s {
		if x == e {
			p.slots[e.slot] = append(s[:i], s[i+1:]...)
			return
		}
	}
}

// Len returns the number of registered streams.
func (p *Pacer) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.slots {
		n += len(s)
	}
	return n
}

// Run ticks the slots in turn, one every interval/slots, until ctx is done.
func (p *Pacer) Run(ctx context.Context) {
	tk := time.NewTicker(p.interval / time.Duration(len(p.slots)))
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tk.C:
			p.mu.Lock()
			slot := p.next
			p.next = (p.next + 1) % len(p.slots)
			p.mu.Unlock()
			p.tickSlot(slot, now)
		}
	}
}

// TickAll ticks every registered stream once, now. Tests and benchmarks
// call it to drive streams on a simulated clock.
func (p *Pacer) TickAll(now time.Time) {
	for slot := range p.slots {
		p.tickSlot(slot, now)
	}
}

func (p *Pacer) tickSlot(slot int, now time.Time) {
	p.mu.Lock()
	p.snap = append(p.snap[:0], p.slots[slot]...)
	p.mu.Unlock()
	for _, e := range p.snap {
		e.mu.Lock()
		if !e.removed {
			e.t.Tick(now)
		}
		e.mu.Unlock()
	}
}
