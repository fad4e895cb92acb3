package jitter

import (
	"fmt"
	"time"
)

// Defaults for the zero Config.
const (
	DefaultClockRate     = 8000
	DefaultFrameDuration = 20 * time.Millisecond
	DefaultMinDelay      = 40 * time.Millisecond
	DefaultMaxDelay      = 300 * time.Millisecond
	DefaultMaxPayload    = 1500
)

// Config configures a Buffer. The zero value of each field selects its
// default.
type Config struct {
	// ClockRate is the RTP clock rate of the stream in Hz (8000 for PCMU,
	// PCMA and G.722, 48000 for Opus). Default 8000.
	ClockRate int
	// FrameDuration is the media duration of one packet (the negotiated
	// ptime) and the interval at which Pop is called. ClockRate times
	// FrameDuration must be a whole number of RTP ticks. Default 20 ms.
	FrameDuration time.Duration
	// MinDelay and MaxDelay bound the target playout delay. Defaults 40 ms
	// and 300 ms.
	MinDelay, MaxDelay time.Duration
	// Capacity is the number of packets the buffer holds; when a packet
	// arrives beyond it, the oldest are dropped. It must be at least
	// MaxDelay in frames plus two. Default twice MaxDelay in frames plus
	// two.
	Capacity int
	// MaxPayload is the largest payload accepted, in bytes. Default 1500.
	MaxPayload int
	// Silent, if set, reports whether a payload carries silence (for
	// example a G.711 frame below a level, or a comfort-noise frame); the
	// buffer then adjusts its delay only by dropping or inserting frames
	// at silent packets. If nil, any packet may be dropped or delayed by a
	// frame, at most one every 500 ms when shrinking. It is called from
	// Pop with the buffer's mutex held.
	Silent func(payload []byte) bool
}

// withDefaults returns c with zero fields set to their defaults, validated.
func (c Config) withDefaults() (Config, error) {
	if c.ClockRate == 0 {
		c.ClockRate = DefaultClockRate
	}
	if c.FrameDuration == 0 {
		c.FrameDuration = DefaultFrameDuration
	}
	if c.MinDelay == 0 {
		c.MinDelay = DefaultMinDelay
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = max(DefaultMaxDelay, c.MinDelay)
	}
	if c.MaxPayload == 0 {
		c.MaxPayload = DefaultMaxPayload
	}
	switch {
	case c.ClockRate < 0 || c.ClockRate > 1_000_000:
		return c, fmt.Errorf("%w: clock rate %d Hz", ErrConfig, c.ClockRate)
	case c.FrameDuration < 0 || c.FrameDuration > time.Second:
		return c, fmt.Errorf("%w: frame duration %v", ErrConfig, c.FrameDuration)
	case int64(c.ClockRate)*int64(c.FrameDuration)%int64(time.Second) != 0:
		return c, fmt.Errorf("%w: %v at %d Hz is not a whole number of RTP ticks", ErrConfig, c.FrameDuration, c.ClockRate)
	case c.MinDelay < 0 || c.MaxDelay < c.MinDelay:
		return c, fmt.Errorf("%w: delay bounds %v..%v", ErrConfig, c.MinDelay, c.MaxDelay)
	case c.MaxDelay > time.Minute:
		return c, fmt.Errorf("%w: max delay %v", ErrConfig, c.MaxDelay)
	case c.MaxPayload < 0 || c.MaxPayload > 1<<16:
		return c, fmt.Errorf("%w: max payload %d bytes", ErrConfig, c.MaxPayload)
	}
	frames := int((c.MaxDelay + c.FrameDuration - 1) / c.FrameDuration)
	if c.Capacity == 0 {
		c.Capacity = 2*frames + 2
	}
	if c.Capacity < frames+2 || c.Capacity > 1<<16 {
		return c, fmt.Errorf("%w: capacity %d packets, need %d to %d for max delay %v",
			ErrConfig, c.Capacity, frames+2, 1<<16, c.MaxDelay)
	}
	return c, nil
}
