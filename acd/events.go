package acd

import (
	"context"
	"sync"
	"sync/atomic"
)

// subscriberBuffer is how many events a subscriber may fall behind before it loses some.
const subscriberBuffer = 1024

type hub struct {
	mu      sync.Mutex
	subs    map[chan Event]struct{}
	dropped atomic.Uint64
}

func (h *hub) add(ch chan Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[chan Event]struct{}{}
	}
	h.subs[ch] = struct{}{}
}

func (h *hub) remove(ch chan Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, ch)
	close(ch)
}

// deliver never blocks: a full subscriber loses the event (counted).
func (h *hub) deliver(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- ev:
		default:
			h.dropped.Add(1)
		}
	}
}

// Subscribe returns the events of every node sharing the backend, in order per call,
// while Run runs. The channel is closed when ctx ends. A subscriber that falls more
// than 1024 events behind loses events (see Dropped); it never blocks routing.
func (a *ACD) Subscribe(ctx context.Context) <-chan Event {
	ch := make(chan Event, subscriberBuffer)
	a.hub.add(ch)
	context.AfterFunc(ctx, func() { a.hub.remove(ch) })
	return ch
}

// Dropped returns how many events slow subscribers have lost.
func (a *ACD) Dropped() uint64 { return a.hub.dropped.Load() }
