package vad

import "fmt"

// Defaults applied by [New] to zero fields of [Config].
const (
	DefaultSampleRate  = 8000
	DefaultFrameMs     = 20
	DefaultStartMs     = 80
	DefaultHangoverMs  = 600
	DefaultThresholdDB = 2.5
	DefaultMinLevelDB  = -55.0
)

// Config configures a [Detector]. The zero value means the defaults.
type Config struct {
	// SampleRate is the PCM sample rate: 8000, 16000 or 48000 Hz.
	// Zero means 8000.
	SampleRate int
	// FrameMs is the frame duration: 10, 20 or 30 ms. Zero means 20.
	FrameMs int
	// StartMs is how long speech must last before SpeechStart, 10-1000 ms.
	// It is rounded up to whole frames. Zero means 80.
	StartMs int
	// HangoverMs is how long silence must last after speech before
	// SpeechEnd, 10-10000 ms: the turn-taking pause. It is rounded up to
	// whole frames. Zero means 600.
	HangoverMs int
	// ThresholdDB is the mean sub-band SNR above the noise floor, in dB,
	// that makes a frame speech, 0.5-30 dB. Speech already under way is
	// held open down to 60% of it, but not below 1.8 dB (or ThresholdDB if
	// that is lower). Zero means 2.5 dB.
	ThresholdDB float64
	// MinLevelDB is the in-band level in dBFS below which a frame is never
	// speech, -100 to -10 dBFS. Zero means -55 dBFS.
	MinLevelDB float64
}

// withDefaults returns c with zero fields replaced by defaults and checks
// every field.
func (c Config) withDefaults() (Config, error) {
	if c.SampleRate == 0 {
		c.SampleRate = DefaultSampleRate
	}
	if c.FrameMs == 0 {
		c.FrameMs = DefaultFrameMs
	}
	if c.StartMs == 0 {
		c.StartMs = DefaultStartMs
	}
	if c.HangoverMs == 0 {
		c.HangoverMs = DefaultHangoverMs
	}
	if c.ThresholdDB == 0 {
		c.ThresholdDB = DefaultThresholdDB
	}
	if c.MinLevelDB == 0 {
		c.MinLevelDB = DefaultMinLevelDB
	}
	switch c.SampleRate {
	case 8000, 16000, 48000:
	default:
		return c, fmt.Errorf("%w: %d Hz", ErrSampleRate, c.SampleRate)
	}
	switch c.FrameMs {
	case 10, 20, 30:
	default:
		return c, fmt.Errorf("%w: %d ms", ErrFrameMs, c.FrameMs)
	}
	if c.StartMs < 10 || c.StartMs > 1000 {
		return c, fmt.Errorf("%w: StartMs %d not in 10-1000", ErrConfig, c.StartMs)
	}
	if c.HangoverMs < 10 || c.HangoverMs > 10000 {
		return c, fmt.Errorf("%w: HangoverMs %d not in 10-10000", ErrConfig, c.HangoverMs)
	}
	// The negated comparisons also reject NaN.
	if !(c.ThresholdDB >= 0.5 && c.ThresholdDB <= 30) {
		return c, fmt.Errorf("%w: ThresholdDB %g not in 0.5-30", ErrConfig, c.ThresholdDB)
	}
	if !(c.MinLevelDB >= -100 && c.MinLevelDB <= -10) {
		return c, fmt.Errorf("%w: MinLevelDB %g not in -100 to -10", ErrConfig, c.MinLevelDB)
	}
	return c, nil
}
