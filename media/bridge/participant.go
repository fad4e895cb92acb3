package bridge

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/resample"
)

// Participant is one leg in a Conference. Its methods are safe from any
// goroutine.
type Participant struct {
	conf *Conference
	in   audioIn
	out  audioOut
	src  media.Source

	inN, outN int                 // samples per frame at in's and out's rates
	inRS      *resample.Resampler // in's rate to the mixing rate
	outRS     *resample.Resampler // the mixing rate to out's rate

	// Guarded by conf.mu.
	queue    queue   // frames received, at the mixing rate
	mixQ     queue   // mixed frames not yet played, at the mixing rate
	cur      []int16 // the mixed frame of the step under way
	deep     int     // consecutive steps with a frame left after the step
	mixDeep  int     // consecutive reads with a mixed frame left after the read
	audible  uint64  // bit i of mixQ's slot i: the frame holds someone's audio
	left     bool
	unlisten func()

	muted, deaf, playing atomic.Bool
	leaveOnce            sync.Once

	received, mixed, underruns, dropped, badFrames atomic.Uint64
}

// Stats counts what a participant sent into the conference and heard from
// it.
type Stats struct {
	Received  uint64 // frames received from its leg
	Mixed     uint64 // frames of the others' mix played to its leg
	Underruns uint64 // mixing steps with no frame of it (silent or late)
	Dropped   uint64 // received frames dropped: queue full, or trimmed to cut delay
	BadFrames uint64 // frames of the wrong length (a leg on another ptime), not mixed
}

func newParticipant(c *Conference, in audioIn, out audioOut) (*Participant, error) {
	inRate, outRate := in.Rate(), out.Rate()
	p := &Participant{
		conf:  c,
		in:    in,
		out:   out,
		inN:   frameLen(inRate, c.cfg.Ptime),
		outN:  frameLen(outRate, c.cfg.Ptime),
		queue: newQueue(c.cfg.Depth, c.frameN),
		mixQ:  newQueue(c.cfg.Depth, c.frameN),
		cur:   make([]int16, c.frameN),
	}
	if p.inN <= 0 || p.outN <= 0 {
		return nil, fmt.Errorf("%w: ptime %v at %d or %d Hz", ErrInvalidConfig, c.cfg.Ptime, inRate, outRate)
	}
	var err error
	if p.inRS, err = resample.New(inRate, c.cfg.Rate); err != nil {
		return nil, fmt.Errorf("bridge join: %w", err)
	}
	if p.outRS, err = resample.New(c.cfg.Rate, outRate); err != nil {
		return nil, fmt.Errorf("bridge join: %w", err)
	}
	p.src = media.SourceFunc(p.next)
	return p, nil
}

// frameLen is the samples in one frame of ptime at rate.
func frameLen(rate int, ptime time.Duration) int {
	return int(int64(rate) * int64(ptime) / int64(time.Second))
}

// hear takes one frame its leg received; it is the Receiver's listener and
// runs on the pacing goroutine.
func (p *Participant) hear(_ time.Duration, pcm []int16) {
	if len(pcm) != p.inN {
		p.badFrames.Add(1)
		return
	}
	c := p.conf
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.left {
		return // a call under way when the listener was removed
	}
	slot, dropped := p.queue.push()
	if dropped {
		p.dropped.Add(1)
	}
	if n := p.inRS.Process(pcm, slot); n < len(slot) {
		clear(slot[n:]) // an 11025 Hz leg's short frame
	}
	p.received.Add(1)
}

// take returns the participant's frame for this step, nil for silence. It
// runs under conf.mu.
func (p *Participant) take() []int16 {
	f := p.queue.pop()
	if f == nil {
		p.underruns.Add(1)
		p.deep = 0
		return nil
	}
	if p.queue.len() > 0 {
		if p.deep++; p.deep >= trimAfter {
			p.queue.pop()
			p.dropped.Add(1)
			p.deep = 0
		}
	} else {
		p.deep = 0
	}
	if p.muted.Load() {
		return nil
	}
	return f
}

// next is the Source its Transmitter plays: the others' mix, at the
// Transmitter's rate. It runs on the pacing goroutine.
func (p *Participant) next(pcm []int16) (int, error) {
	c := p.conf
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.left {
		return 0, io.EOF
	}
	if len(pcm) != p.outN {
		p.badFrames.Add(1)
		return 0, nil
	}
	if p.mixQ.len() == 0 {
		c.step()
	}
	frame, audible := p.popMix()
	// Resample even silence, so the filter's history stays continuous.
	if n := p.outRS.Process(frame, pcm); n < len(pcm) {
		clear(pcm[n:])
	}
	if !audible {
		return 0, nil
	}
	p.mixed.Add(1)
	return len(pcm), nil
}

// pushMix queues the mix a step made for p (in p.cur). It runs under
// conf.mu.
func (p *Participant) pushMix(audible bool) {
	slot, i, _ := p.mixQ.pushAt()
	copy(slot, p.cur)
	if audible {
		p.audible |= 1 << i
	} else {
		p.audible &^= 1 << i
	}
}

// popMix returns the oldest mixed frame for p, valid until the next push,
// and whether it holds audio. It runs under conf.mu.
func (p *Participant) popMix() ([]int16, bool) {
	if p.mixQ.len() > 1 {
		if p.mixDeep++; p.mixDeep >= trimAfter {
			p.mixQ.pop() // a backlog that persists is only delay
			p.mixDeep = 0
		}
	} else {
		p.mixDeep = 0
	}
	i := p.mixQ.head
	return p.mixQ.pop(), p.audible&(1<<i) != 0
}

// played is the done function of its Source's playback.
func (p *Participant) played(error) { p.playing.Store(false) }

// Mute stops (true) or resumes (false) the others hearing this
// participant, as when it is on hold. Its frames are still taken and
// discarded, so no stale audio plays on resuming.
func (p *Participant) Mute(on bool) { p.muted.Store(on) }

// Deaf makes this participant hear silence (true) or the others again
// (false).
func (p *Participant) Deaf(on bool) { p.deaf.Store(on) }

// Muted reports whether Mute(true) is in force.
func (p *Participant) Muted() bool { return p.muted.Load() }

// Deafened reports whether Deaf(true) is in force.
func (p *Participant) Deafened() bool { return p.deaf.Load() }

// Playing reports whether its Transmitter still plays the conference's
// mix: false once another source replaced it, or after Leave.
func (p *Participant) Playing() bool { return p.playing.Load() }

// Leave takes the participant out of the conference: the others stop
// hearing it at once, and its Transmitter's source ends at its next frame
// (silence follows, until something else is played). It is idempotent.
func (p *Participant) Leave() {
	p.leaveOnce.Do(func() {
		n := p.conf.leave(p)
		p.conf.log.Debug("bridge leave", "participants", n)
	})
}

// Stats returns a snapshot of the participant's counters.
func (p *Participant) Stats() Stats {
	return Stats{
		Received:  p.received.Load(),
		Mixed:     p.mixed.Load(),
		Underruns: p.underruns.Load(),
		Dropped:   p.dropped.Load(),
		BadFrames: p.badFrames.Load(),
	}
}
