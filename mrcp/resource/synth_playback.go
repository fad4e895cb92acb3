package resource

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp/speech"
)

// playbackBuffer is how much synthesized audio may wait for playback
// before the engine is held back.
const playbackBuffer = time.Second

// errSpeakLength stops an engine once Speak-Length worth of audio has been
// produced; the SPEAK completes normally.
var errSpeakLength = errors.New("speak length reached")

// markAt is an SSML mark at a sample position of the output.
type markAt struct {
	pos  int64
	name string
}

// reachedMark is a mark the output has played past, and when.
type reachedMark struct {
	name string
	at   time.Time
}

// playback is one run of a synthesizer into the output: the engine's
// goroutine writes audio and marks into a bounded ring with emit, and the
// output's pacing goroutine reads it with Next. Neither holds the lock
// for longer than a copy. A playback ends (ended) when the output has
// played everything the engine produced, or stopped it.
type playback struct {
	rate   int
	limit  int64 // samples to play at most (Speak-Length), 0 for all
	notify func()
	// first, if set, is called once on the engine's goroutine when its
	// first audio is ready: the output sends it now (Kicker).
	first  func()
	cancel context.CancelFunc // stops the engine

	mu         sync.Mutex
	ring       []int16
	head, n    int   // read index and fill of ring
	read       int64 // samples played
	written    int64 // samples produced
	marks      []markAt
	reached    []reachedMark
	paused     bool
	engineDone bool
	engineErr  error
	underruns  uint64

	space chan struct{} // signalled when the reader frees room

	ended     atomic.Bool
	outputErr atomic.Pointer[error] // why the output ended it early
}

var _ media.Source = (*playback)(nil)

func newPlayback(rate int, limit int64, paused bool, notify func()) *playback {
	return &playback{
		rate:   rate,
		limit:  limit,
		notify: notify,
		ring:   make([]int16, max(rate*int(playbackBuffer/time.Millisecond)/1000, 160)),
		paused: paused,
		space:  make(chan struct{}, 1),
	}
}

// Next fills pcm with the next frame (media.Source). It never blocks on
// the engine: while the engine is behind, and while paused, it returns
// a frame of silence. It returns io.EOF once everything produced has
// been played and the engine is done (or Speak-Length is reached).
func (p *playback) Next(pcm []int16) (int, error) {
	p.mu.Lock()
	if p.paused {
		p.mu.Unlock()
		clear(pcm)
		return len(pcm), nil
	}
	before := p.read
	n := min(len(pcm), p.n)
	if p.limit > 0 {
		n = int(min(int64(n), max(p.limit-p.read, 0)))
	}
	k := copy(pcm[:n], p.ring[p.head:min(p.head+n, len(p.ring))])
	copy(pcm[k:n], p.ring[:n-k])
	p.head = (p.head + n) % len(p.ring)
	p.n -= n
	p.read += int64(n)
	reached := false
	if len(p.marks) > 0 && p.marks[0].pos <= p.read {
		now := time.Now()
		for len(p.marks) > 0 && p.marks[0].pos <= p.read {
			m := p.marks[0]
			p.marks = p.marks[1:]
			at := now.Add(time.Duration(max(m.pos-before, 0)) * time.Second / time.Duration(p.rate))
			p.reached = append(p.reached, reachedMark{name: m.name, at: at})
		}
		reached = true
	}
	end := p.engineDone && p.n == 0 || p.limit > 0 && p.read >= p.limit
	started := p.written > 0
	if !end && n < len(pcm) && started {
		p.underruns++
	}
	p.mu.Unlock()

	if n > 0 {
		select {
		case p.space <- struct{}{}:
		default:
		}
	}
	if reached {
		p.notify()
	}
	switch {
	case n == 0 && end:
		return 0, io.EOF
	case n == 0 && !started:
		return 0, nil // the engine has not begun: no audio yet, not an underrun
	case n < len(pcm) && !end:
		clear(pcm[n:]) // the engine is behind: silence, not the end
		return len(pcm), nil
	}
	return n, nil
}

// emit returns the engine's emit function: it copies audio into the ring,
// waiting for room (or ctx), and records marks at their position.
func (p *playback) emit(ctx context.Context) func(speech.Chunk) error {
	return func(c speech.Chunk) error {
		if c.Mark != "" {
			p.mu.Lock()
			p.marks = append(p.marks, markAt{pos: p.written, name: c.Mark})
			p.mu.Unlock()
		}
		pcm := c.PCM
		for len(pcm) > 0 {
			p.mu.Lock()
			if p.limit > 0 && p.written >= p.limit {
				p.mu.Unlock()
				return errSpeakLength
			}
			free := len(p.ring) - p.n
			if free == 0 {
				p.mu.Unlock()
				select {
				case <-p.space:
					continue
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			k := min(free, len(pcm))
			w := (p.head + p.n) % len(p.ring)
			m := copy(p.ring[w:], pcm[:k])
			copy(p.ring, pcm[m:k])
			p.n += k
			first := p.written == 0
			p.written += int64(k)
			p.mu.Unlock()
			pcm = pcm[k:]
			if first && p.first != nil {
				p.first()
			}
		}
		return ctx.Err()
	}
}

// finish records the engine's end.
func (p *playback) finish(err error) {
	if errors.Is(err, errSpeakLength) {
		err = nil
	}
	p.mu.Lock()
	p.engineDone, p.engineErr = true, err
	p.mu.Unlock()
}

// done is the output's callback: the source played to its end (nil), or
// the output stopped it. It runs on the pacing goroutine or inside the
// output's Play or Stop, perhaps under the resource's lock, so it only
// records and kicks.
func (p *playback) done(err error) {
	if err != nil {
		p.outputErr.Store(&err)
	}
	p.ended.Store(true)
	p.notify()
}

// setPaused pauses or resumes the output of this playback.
func (p *playback) setPaused(paused bool) {
	p.mu.Lock()
	p.paused = paused
	p.mu.Unlock()
}

// takeReached returns and forgets the marks played past.
func (p *playback) takeReached() []reachedMark {
	p.mu.Lock()
	r := p.reached
	p.reached = nil
	p.mu.Unlock()
	return r
}

// position returns how many samples have been played.
func (p *playback) position() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.read
}

// result returns why the playback ended: nil when all was played, the
// engine's error, or the output's.
func (p *playback) result() error {
	p.mu.Lock()
	err := p.engineErr
	p.mu.Unlock()
	if err != nil {
		return err
	}
	if e := p.outputErr.Load(); e != nil {
		return *e
	}
	return nil
}
