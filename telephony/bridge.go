package telephony

import (
	"errors"
	"fmt"
	"sync"

	"github.com/parley-cc/parley/media/bridge"
)

// ErrBridged is returned when a call is added to a bridge while in
// another.
var ErrBridged = errors.New("telephony: call is already bridged")

// ErrNotAnswered is returned when a call that has no audio yet (ringing)
// is added to a bridge.
var ErrNotAnswered = errors.New("telephony: call not answered")

// Bridge connects the audio of answered calls in Parley's media path (a
// back-to-back user agent): with two calls it is a plain bridge (caller
// and agent), with three or more a conference through the mixer (a
// three-way call with a supervisor or a consulted agent). Each call hears
// the mix of the others; calls on different codecs (PCMU and Opus, say)
// are transcoded through PCM. What a caller's call records on its Parley
// channel is what it hears, so the call's recording goes on across the
// bridge, holds and transfers.
//
// A call that ends leaves its bridge by itself; a call put on hold by its
// phone is muted in the bridge until unhold. Methods are safe from any
// goroutine.
type Bridge struct {
	conf *bridge.Conference

	mu      sync.Mutex
	members map[*Call]*bridge.Participant
	order   []*Call
	closed  bool
	stop    chan struct{}
	wg      sync.WaitGroup
}

// NewBridge bridges the answered calls given (none to start empty).
func (u *UA) NewBridge(calls ...*Call) (*Bridge, error) {
	conf, err := bridge.New(bridge.Config{Log: u.log})
	if err != nil {
		return nil, fmt.Errorf("telephony: bridge: %w", err)
	}
	b := &Bridge{conf: conf, members: map[*Call]*bridge.Participant{}, stop: make(chan struct{})}
	for _, c := range calls {
		if err := b.Add(c); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// Add joins an answered call to the bridge: it stops whatever the call was
// playing (a prompt, hold music) and from then hears the others.
func (b *Bridge) Add(c *Call) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return bridge.ErrClosed
	}
	if _, in := b.members[c]; in {
		return nil
	}
	c.mu.Lock()
	leg, st, held, other := c.leg, c.state, c.session.held, c.bridge
	c.mu.Unlock()
	switch {
	case st == stateEnded:
		return ErrCallEnded
	case leg == nil || leg.Receiver() == nil:
		return ErrNotAnswered
	case other != nil:
		return ErrBridged
	}
	p, err := b.conf.Join(leg)
	if err != nil {
		return fmt.Errorf("telephony: bridge call %s: %w", c.id, err)
	}
	p.Mute(held)
	c.mu.Lock()
	c.bridge, c.part = b, p
	c.mu.Unlock()
	b.members[c] = p
	b.order = append(b.order, c)
	c.eventDetail("bridge", 0, map[string]any{"calls": b.idsLocked()})
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		select {
		case <-c.Done():
			b.Remove(c)
		case <-b.stop:
		}
	}()
	return nil
}

// Remove takes a call out of the bridge; the call goes on (with silence
// until something plays to it). It reports whether the call was in.
func (b *Bridge) Remove(c *Call) bool {
	b.mu.Lock()
	p, in := b.members[c]
	if in {
		delete(b.members, c)
		for i, m := range b.order {
			if m == c {
				b.order = append(b.order[:i], b.order[i+1:]...)
				break
			}
		}
	}
	b.mu.Unlock()
	if !in {
		return false
	}
	p.Leave()
	c.mu.Lock()
	if c.bridge == b {
		c.bridge, c.part = nil, nil
	}
	c.mu.Unlock()
	c.event("unbridge", 0)
	return true
}

// Calls returns the calls in the bridge, in the order they joined.
func (b *Bridge) Calls() []*Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*Call(nil), b.order...)
}

// Others returns the calls in the bridge other than c.
func (b *Bridge) Others(c *Call) []*Call {
	var out []*Call
	for _, m := range b.Calls() {
		if m != c {
			out = append(out, m)
		}
	}
	return out
}

// Mute keeps the others from hearing c (a supervisor listening in, a
// consultation) until Mute(c, false).
func (b *Bridge) Mute(c *Call, on bool) {
	b.mu.Lock()
	p := b.members[c]
	b.mu.Unlock()
	if p != nil {
		p.Mute(on)
	}
}

// Close takes every call out of the bridge; the calls go on.
func (b *Bridge) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	calls := append([]*Call(nil), b.order...)
	close(b.stop)
	b.mu.Unlock()
	for _, c := range calls {
		b.Remove(c)
	}
	b.conf.Close()
	b.wg.Wait()
}

func (b *Bridge) idsLocked() []string {
	ids := make([]string, len(b.order))
	for i, c := range b.order {
		ids[i] = string(c.id)
	}
	return ids
}

// Bridge returns the bridge the call is in, nil when none.
func (c *Call) Bridge() *Bridge {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bridge
}
