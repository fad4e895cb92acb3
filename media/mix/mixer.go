package mix

import (
	"fmt"
	"strconv"
)

// Mixer sums frames of several streams into one through a soft limiter.
// Create it with [New]; it is not safe for concurrent use.
type Mixer struct {
	cfg Config
	lim limiter
}

// New returns a mixer for cfg, whose zero fields take the defaults.
func New(cfg Config) (*Mixer, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new mixer: %w", err)
	}
	return &Mixer{cfg: c, lim: newLimiter(c)}, nil
}

// Config returns the mixer's configuration with defaults filled in.
func (m *Mixer) Config() Config { return m.cfg }

// Mix writes the limited sum of srcs into dst. Every source must be as
// long as dst, except that a nil source stands for silence; at least one
// source is needed. dst may be one of the sources (mixing in place).
func (m *Mixer) Mix(dst []int16, srcs ...[]int16) error {
	if err := checkFrames(dst, srcs); err != nil {
		return err
	}
	m.lim.mix(dst, srcs)
	return nil
}

// Gain returns the limiter's current gain: exactly 1 unless an overload
// happened within the release time.
func (m *Mixer) Gain() float64 { return m.lim.gain }

// Limited returns how many output samples the limiter has scaled down.
func (m *Mixer) Limited() uint64 { return m.lim.limited }

// Reset returns the limiter to unity gain and clears the Limited count.
func (m *Mixer) Reset() { m.lim = newLimiter(m.cfg) }

// String describes the mixer for pipeline descriptions.
func (m *Mixer) String() string {
	return "Mix(" + strconv.Itoa(m.cfg.SampleRate) + ")"
}

// checkFrames validates one Mix call's frames.
func checkFrames(dst []int16, srcs [][]int16) error {
	if len(srcs) == 0 {
		return ErrNoSources
	}
	for i, s := range srcs {
		if s != nil && len(s) != len(dst) {
			return fmt.Errorf("%w: source %d has %d samples, destination %d", ErrLength, i, len(s), len(dst))
		}
	}
	return nil
}

// mix sums srcs (validated, nil for silence) into dst through l. The two-
// and three-source cases, the common calls, have their own loops.
func (l *limiter) mix(dst []int16, srcs [][]int16) {
	var a, b, c []int16
	live := 0
	for _, s := range srcs {
		if s == nil {
			continue
		}
		switch live {
		case 0:
			a = s
		case 1:
			b = s
		case 2:
			c = s
		}
		live++
	}
	switch live {
	case 0:
		clear(dst)
		l.relax(len(dst))
	case 1:
		a = a[:len(dst)]
		for i := range dst {
			if s := int32(a[i]); l.pass(s) {
				dst[i] = int16(s)
			} else {
				dst[i] = l.slow(s)
			}
		}
	case 2:
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			if s := int32(a[i]) + int32(b[i]); l.pass(s) {
				dst[i] = int16(s)
			} else {
				dst[i] = l.slow(s)
			}
		}
	case 3:
		a, b, c = a[:len(dst)], b[:len(dst)], c[:len(dst)]
		for i := range dst {
			if s := int32(a[i]) + int32(b[i]) + int32(c[i]); l.pass(s) {
				dst[i] = int16(s)
			} else {
				dst[i] = l.slow(s)
			}
		}
	default:
		for i := range dst {
			var s int32
			for _, src := range srcs {
				if src != nil {
					s += int32(src[i])
				}
			}
			if l.pass(s) {
				dst[i] = int16(s)
			} else {
				dst[i] = l.slow(s)
			}
		}
	}
}
