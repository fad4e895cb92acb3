package mix

import (
	"fmt"
	"math"
)

// Defaults applied to zero fields of [Config].
const (
	DefaultSampleRate      = 8000
	DefaultCeiling         = 29205 // -1 dBFS
	DefaultAttackMs        = 1.0
	DefaultHoldMs          = 20.0
	DefaultReleaseDBPerSec = 40.0
)

// Config configures the limiter of a [Mixer] or of each output of a
// [Matrix]. The zero value means the defaults.
type Config struct {
	// SampleRate sets the limiter's time constants, 1000-192000 Hz. Zero
	// means 8000.
	SampleRate int
	// Ceiling is the peak level the limiter holds the sum to, 1-32767.
	// Sums within it pass unchanged. Zero means 29205 (-1 dBFS).
	Ceiling int
	// AttackMs is the time constant of the gain's fall on an overload,
	// 0.01-100 ms. Zero means 1 ms.
	AttackMs float64
	// HoldMs is how long the gain stays down after the last overloading
	// sample before it starts to rise, 0.01-1000 ms: at least a period of
	// the lowest frequency, so that the gain does not ripple between the
	// peaks of one tone. Zero means 20 ms.
	HoldMs float64
	// ReleaseDBPerSec is how fast the gain rises back towards 1 after an
	// overload, 1-1000 dB/s. Zero means 40 dB/s: 6 dB of gain reduction
	// recovers in 150 ms.
	ReleaseDBPerSec float64
}

func (c Config) withDefaults() (Config, error) {
	if c.SampleRate == 0 {
		c.SampleRate = DefaultSampleRate
	}
	if c.Ceiling == 0 {
		c.Ceiling = DefaultCeiling
	}
	if c.AttackMs == 0 {
		c.AttackMs = DefaultAttackMs
	}
	if c.HoldMs == 0 {
		c.HoldMs = DefaultHoldMs
	}
	if c.ReleaseDBPerSec == 0 {
		c.ReleaseDBPerSec = DefaultReleaseDBPerSec
	}
	if c.SampleRate < 1000 || c.SampleRate > 192000 {
		return c, fmt.Errorf("%w: SampleRate %d not in 1000-192000", ErrConfig, c.SampleRate)
	}
	if c.Ceiling < 1 || c.Ceiling > math.MaxInt16 {
		return c, fmt.Errorf("%w: Ceiling %d not in 1-32767", ErrConfig, c.Ceiling)
	}
	// The negated comparisons also reject NaN.
	if !(c.AttackMs >= 0.01 && c.AttackMs <= 100) {
		return c, fmt.Errorf("%w: AttackMs %g not in 0.01-100", ErrConfig, c.AttackMs)
	}
	if !(c.HoldMs >= 0.01 && c.HoldMs <= 1000) {
		return c, fmt.Errorf("%w: HoldMs %g not in 0.01-1000", ErrConfig, c.HoldMs)
	}
	if !(c.ReleaseDBPerSec >= 1 && c.ReleaseDBPerSec <= 1000) {
		return c, fmt.Errorf("%w: ReleaseDBPerSec %g not in 1-1000", ErrConfig, c.ReleaseDBPerSec)
	}
	return c, nil
}
