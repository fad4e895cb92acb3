package bridge

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/mix"
	"github.com/parley-cc/parley/media/resample"
)

// Defaults applied to zero fields of Config.
const (
	DefaultRate  = 16000
	DefaultPtime = 20 * time.Millisecond
	DefaultDepth = 3
)

// trimAfter is how many consecutive mixing steps a participant's queue may
// stay a frame or more deep after the step before its oldest frame is
// dropped: a second at 20 ms, so a one-off burst costs delay only briefly.
const trimAfter = 50

// Config configures a Conference. The zero value means the defaults.
type Config struct {
	// Rate is the sample rate the conference mixes at, one of the rates
	// media/resample converts; default 16000 Hz (wideband: an 8 kHz leg
	// loses nothing and a 16 kHz leg keeps its band).
	Rate int
	// Ptime is the frame duration, which every leg joined must use;
	// default 20 ms.
	Ptime time.Duration
	// Depth is how many frames each participant's queue holds before the
	// oldest is dropped; default 3.
	Depth int
	// Limiter tunes the per-listener limiter; its SampleRate is set to
	// Rate.
	Limiter mix.Config
	// Log receives joins, leaves and anomalies; default slog.Default().
	Log *slog.Logger
}

// Member is a call leg that can join a conference. *media.Leg satisfies it
// once started.
type Member interface {
	Receiver() *media.Receiver
	Transmitter() *media.Transmitter
}

// audioIn is the receive side of a participant: *media.Receiver.
type audioIn interface {
	Rate() int
	AddListener(fn func(at time.Duration, pcm []int16)) (remove func())
}

// audioOut is the send side of a participant: *media.Transmitter.
type audioOut interface {
	Rate() int
	Play(src media.Source, done func(error))
}

var (
	_ Member   = (*media.Leg)(nil)
	_ audioIn  = (*media.Receiver)(nil)
	_ audioOut = (*media.Transmitter)(nil)
)

// Conference mixes the audio of its participants, each hearing all the
// others. Create it with New; it has no goroutine of its own and runs on
// the callbacks of its legs' Pacer.
type Conference struct {
	cfg    Config
	frameN int // samples per frame at cfg.Rate
	log    *slog.Logger

	mu     sync.Mutex
	closed bool
	parts  []*Participant // index = matrix index
	matrix *mix.Matrix    // nil with fewer than two participants
	srcs   [][]int16      // per participant: its frame of this step, nil for none
	dst    [][]int16      // per participant: the mix it hears, this step
	steps  uint64
}

// New returns an empty conference.
func New(cfg Config) (*Conference, error) {
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Ptime == 0 {
		cfg.Ptime = DefaultPtime
	}
	if cfg.Depth == 0 {
		cfg.Depth = DefaultDepth
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if _, err := resample.New(cfg.Rate, cfg.Rate); err != nil {
		return nil, fmt.Errorf("%w: mixing rate: %w", ErrInvalidConfig, err)
	}
	n := int(int64(cfg.Rate) * int64(cfg.Ptime) / int64(time.Second))
	if n <= 0 || time.Duration(n)*time.Second != time.Duration(cfg.Rate)*cfg.Ptime {
		return nil, fmt.Errorf("%w: ptime %v is not a whole number of samples at %d Hz", ErrInvalidConfig, cfg.Ptime, cfg.Rate)
	}
	if cfg.Depth < 1 || cfg.Depth > 50 {
		return nil, fmt.Errorf("%w: depth %d not in 1-50 frames", ErrInvalidConfig, cfg.Depth)
	}
	cfg.Limiter.SampleRate = cfg.Rate
	if _, err := mix.New(cfg.Limiter); err != nil {
		return nil, fmt.Errorf("%w: limiter: %w", ErrInvalidConfig, err)
	}
	return &Conference{cfg: cfg, frameN: n, log: cfg.Log}, nil
}

// Join adds a started leg: from its next frame the others hear it and its
// Transmitter plays the mix of the others, replacing whatever it played.
// The leg's Receiver must deliver frames of the conference's Ptime.
func (c *Conference) Join(m Member) (*Participant, error) {
	if m == nil {
		return nil, ErrNotStarted
	}
	rx, tx := m.Receiver(), m.Transmitter()
	if rx == nil || tx == nil {
		return nil, ErrNotStarted
	}
	return c.join(rx, tx)
}

// join adds a participant receiving from in and sending to out.
func (c *Conference) join(in audioIn, out audioOut) (*Participant, error) {
	p, err := newParticipant(c, in, out)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return nil, ErrClosed
	case len(c.parts) == mix.MaxParticipants:
		c.mu.Unlock()
		return nil, ErrFull
	}
	for _, q := range c.parts {
		if q.in == in || q.out == out {
			c.mu.Unlock()
			return nil, ErrJoined
		}
	}
	parts := append(c.parts[:len(c.parts):len(c.parts)], p)
	if err := c.setParts(parts); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	p.unlisten = in.AddListener(p.hear)
	n := len(c.parts)
	c.mu.Unlock()

	// Play outside the lock: it calls the replaced source's done function.
	p.playing.Store(true)
	out.Play(p.src, p.played)
	c.log.Debug("bridge join", "participants", n, "in_rate", in.Rate(), "out_rate", out.Rate())
	return p, nil
}

// setParts makes parts the participants, rebuilding the mixing matrix (its
// limiters restart at unity gain). It runs under c.mu.
func (c *Conference) setParts(parts []*Participant) error {
	var m *mix.Matrix
	if len(parts) >= 2 {
		var err error
		if m, err = mix.NewMinusOne(len(parts), c.cfg.Limiter); err != nil {
			return fmt.Errorf("bridge matrix: %w", err)
		}
	}
	c.parts, c.matrix = parts, m
	c.srcs = make([][]int16, len(parts))
	c.dst = make([][]int16, len(parts))
	for i, p := range parts {
		c.dst[i] = p.cur
	}
	return nil
}

// leave removes p; it runs once per participant.
func (c *Conference) leave(p *Participant) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	p.left = true
	p.unlisten()
	parts := make([]*Participant, 0, len(c.parts))
	for _, q := range c.parts {
		if q != p {
			parts = append(parts, q)
		}
	}
	if err := c.setParts(parts); err != nil {
		// Fewer participants than before always fit; keep going silent
		// rather than leave p mixed.
		c.log.Error("bridge leave", "err", err)
		c.parts, c.matrix = parts, nil
	}
	return len(parts)
}

// step runs one mixing step: one frame from each queue, one mix per
// listener. It runs under c.mu.
func (c *Conference) step() {
	for i, p := range c.parts {
		c.srcs[i] = p.take()
	}
	if c.matrix != nil {
		// The frames were sized by the conference, so Mix cannot fail.
		_ = c.matrix.Mix(c.dst, c.srcs)
	}
	for i, p := range c.parts {
		audible := false
		if c.matrix == nil || p.deaf.Load() {
			clear(p.cur)
		} else {
			for j, s := range c.srcs {
				if j != i && s != nil {
					audible = true
					break
				}
			}
		}
		p.pushMix(audible)
	}
	clear(c.srcs) // the frames live in the queues
	c.steps++
}

// Len returns the number of participants.
func (c *Conference) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.parts)
}

// Steps returns the number of mixing steps run.
func (c *Conference) Steps() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.steps
}

// Close makes every participant leave; later Joins fail with ErrClosed.
// It is idempotent.
func (c *Conference) Close() {
	c.mu.Lock()
	c.closed = true
	parts := append([]*Participant(nil), c.parts...)
	c.mu.Unlock()
	for _, p := range parts {
		p.Leave()
	}
}

// String describes the conference for log lines.
func (c *Conference) String() string {
	return fmt.Sprintf("Conference(%d Hz, %d participants)", c.cfg.Rate, c.Len())
}
