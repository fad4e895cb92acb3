package jitter

import "math"

// The transit minimum is kept over windowBlocks blocks of blockLen packets:
// 240 to 256 packets, about five seconds of 20 ms packets.
const (
	blockLen     = 16
	windowBlocks = 16
	// envelopeDecayShift sets how fast the jitter envelope falls: by
	// 1/256 of its excess per packet.
	envelopeDecayShift = 8
)

// estimator follows packet transit times (arrival minus media time, in
// nanoseconds): their sliding minimum (the fastest path), the envelope of
// their excess over it, and the RFC 3550 interarrival jitter.
type estimator struct {
	blocks [windowBlocks]int64 // minima of completed blocks, a ring
	filled int                 // completed blocks in the ring
	next   int                 // ring slot the current block goes to
	cur    int64               // minimum of the current block
	curN   int                 // packets in the current block
	min    int64               // minimum over the window, the reference
	have   bool                // min is valid

	envelope int64 // recent peak excess over min, ns
	ceiling  int64 // largest excess the envelope takes in, ns

	jitter      float64 // RFC 3550 J, ns
	lastTransit int64
	haveLast    bool
}

// observe records one packet's transit time.
func (e *estimator) observe(transit int64) {
	// RFC 3550 6.4.1 and A.8: J += (|D(i-1,i)| - J)/16.
	if e.haveLast {
		d := transit - e.lastTransit
		e.jitter += (math.Abs(float64(d)) - e.jitter) / 16
	}
	e.lastTransit, e.haveLast = transit, true

	if !e.have {
		e.min, e.cur, e.have = transit, transit, true
	}
	e.cur = min(e.cur, transit)
	if transit < e.min {
		// A faster path: the slowest recent packet is now further above
		// the minimum.
		e.envelope = min(e.envelope+e.min-transit, e.ceiling)
		e.min = transit
	}
	if e.curN++; e.curN == blockLen {
		e.rotate()
	}

	// Fast attack, slow release. A packet later than the ceiling is
	// useless whatever the delay, and must not hold the target at its
	// maximum for longer than one that just made it.
	x := min(transit-e.min, e.ceiling)
	if x >= e.envelope {
		e.envelope = x
	} else {
		e.envelope -= (e.envelope - x) >> envelopeDecayShift
	}
}

// rotate closes the current block and recomputes the window minimum, which
// forgets the block that falls out of the window.
func (e *estimator) rotate() {
	e.blocks[e.next] = e.cur
	e.next = (e.next + 1) % windowBlocks
	e.filled = min(e.filled+1, windowBlocks)
	m := e.cur
	for _, b := range e.blocks[:e.filled] {
		m = min(m, b)
	}
	// The envelope is relative to the minimum: keep the absolute peak.
	e.envelope = max(0, e.envelope+e.min-m)
	e.min, e.curN = m, 0
	e.cur = math.MaxInt64
}

// reference returns the window's minimum transit, and whether there is one.
func (e *estimator) reference() (int64, bool) { return e.min, e.have }

// resetReference forgets the transit history, as after a source restart
// whose timestamps have a new origin. The envelope and jitter, properties
// of the network path, are kept.
func (e *estimator) resetReference() {
	e.filled, e.next, e.curN, e.have, e.haveLast = 0, 0, 0, false, false
}
