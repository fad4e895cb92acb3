package jitter

import (
	"fmt"
	"sync"
	"time"
)

// RFC 3550 A.1: the largest forward jump and backward step of the
// sequence number still taken as the same stream.
const (
	maxDropout  = 3000
	maxMisorder = 100
)

// Delay adjustment pacing, in Pop calls.
const (
	// shrinkHold is the least spacing of frames dropped to shrink the
	// delay: 500 ms at 20 ms frames.
	shrinkHold = 25
	// growHold is the least spacing of frames inserted to grow it.
	growHold = 2
)

// extOrigin is the extended sequence number of a stream's first packet's
// cycle, far enough from zero that reordering never makes one negative.
const extOrigin = 1 << 32

// rebaseSlack is how far beyond MaxDelay a packet's transit may move before
// its timestamp is taken as a discontinuity.
const rebaseSlack = time.Second

type slotState uint8

const (
	slotFree     slotState = iota
	slotBuffered           // holds a packet waiting to play
	slotPlayed             // its packet was played
	slotMissed             // declared lost, dropped late, dropped or skipped
)

// slot is one packet's place in the ring, indexed by extended sequence
// number modulo the capacity.
type slot struct {
	seq   int64 // extended sequence number
	ts    int64 // extended timestamp, RTP ticks
	rawTS uint32
	off   int // payload offset in Buffer.data
	n     int // payload length
	state slotState
}

// Buffer is an adaptive jitter buffer for the packets of one RTP stream.
// Create it with New.
type Buffer struct {
	mu  sync.Mutex
	cfg Config

	frameTS  int64 // RTP ticks per frame
	frameNs  int64 // frame duration, ns
	minNs    int64
	maxNs    int64
	rebaseNs int64

	slots []slot
	data  []byte // Capacity * MaxPayload bytes of payload storage

	epoch     time.Time // origin of the internal nanosecond clock
	haveEpoch bool

	// Receive side.
	synced   bool
	maxSeq   int64  // highest extended sequence number received
	maxTS    int64  // its extended timestamp
	maxRawTS uint32 // its RTP timestamp
	badSeq   uint16 // RFC 3550 A.1 probation: the jump's expected next
	haveBad  bool
	next     int64 // next extended sequence number to play
	count    int   // packets buffered

	// Playout side.
	started     bool  // the playout clock runs
	discont     bool  // the next packet starts a talkspurt
	playTS      int64 // media time of the next Pop, extended ticks
	lastSeq     int64 // last frame played or declared lost
	lastTS      int64
	lastRawTS   uint32
	sinceAdjust int   // Pops since the last talkspurt start, drop or insert
	delayNs     int64 // playout delay of the last packet played

	est estimator
	st  Stats
}

// New returns a Buffer configured by cfg, whose zero fields take their
// defaults. It allocates all payload storage up front.
func New(cfg Config) (*Buffer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Buffer{
		cfg:      cfg,
		frameTS:  int64(cfg.ClockRate) * int64(cfg.FrameDuration) / int64(time.Second),
		frameNs:  int64(cfg.FrameDuration),
		minNs:    int64(cfg.MinDelay),
		maxNs:    int64(cfg.MaxDelay),
		rebaseNs: int64(cfg.MaxDelay + rebaseSlack),
		slots:    make([]slot, cfg.Capacity),
		data:     make([]byte, cfg.Capacity*cfg.MaxPayload),
	}
	b.est.ceiling = b.maxNs + b.frameNs
	for i := range b.slots {
		b.slots[i].off = i * cfg.MaxPayload
	}
	return b, nil
}

// String describes the buffer, for pipeline descriptions.
func (b *Buffer) String() string {
	return fmt.Sprintf("Jitter(%v..%v)", b.cfg.MinDelay, b.cfg.MaxDelay)
}

// Config returns the configuration in effect, defaults filled in.
func (b *Buffer) Config() Config { return b.cfg }

// Stats returns a snapshot of the counters and delays.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.st
	s.Delay = time.Duration(b.delayNs)
	s.Target = time.Duration(b.target())
	s.Jitter = time.Duration(b.est.jitter)
	s.Buffered = b.count
	return s
}

// Reset drops every buffered packet and forgets the stream, as for a new
// SSRC; the next packet pushed starts it again. Counters are kept.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flush()
	b.synced = false
	b.started = false
	b.est.resetReference()
}

// nanos converts t to nanoseconds since the first time the buffer saw.
func (b *Buffer) nanos(t time.Time) int64 {
	if !b.haveEpoch {
		b.epoch, b.haveEpoch = t, true
	}
	return int64(t.Sub(b.epoch))
}

// ticksToNs converts extended RTP ticks to nanoseconds without overflow.
func (b *Buffer) ticksToNs(t int64) int64 {
	r := int64(b.cfg.ClockRate)
	return t/r*int64(time.Second) + t%r*int64(time.Second)/r
}

// nsToTicks converts nanoseconds to RTP ticks without overflow.
func (b *Buffer) nsToTicks(ns int64) int64 {
	r := int64(b.cfg.ClockRate)
	return ns/int64(time.Second)*r + ns%int64(time.Second)*r/int64(time.Second)
}

// target returns the target playout delay: the jitter envelope rounded up
// to whole frames, plus one frame, clamped to [MinDelay, MaxDelay].
func (b *Buffer) target() int64 {
	env := min(max(b.est.envelope, 0), b.maxNs)
	t := ((env+b.frameNs-1)/b.frameNs + 1) * b.frameNs
	return min(max(t, b.minNs), b.maxNs)
}

func (b *Buffer) slotFor(seq int64) *slot {
	return &b.slots[seq%int64(len(b.slots))]
}

// buffered returns the slot holding packet seq, or nil.
func (b *Buffer) buffered(seq int64) *slot {
	s := b.slotFor(seq)
	if s.state != slotBuffered || s.seq != seq {
		return nil
	}
	return s
}

// flush drops every buffered packet.
func (b *Buffer) flush() {
	for i := range b.slots {
		if b.slots[i].state == slotBuffered {
			b.st.Dropped++
		}
		b.slots[i].state = slotFree
	}
	b.count = 0
}
