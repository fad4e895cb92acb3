package mix

import "math"

// limiter is a soft peak limiter without look-ahead for one output stream.
// Its gain is exactly 1 until a sample exceeds the ceiling; it then falls
// towards ceiling/|sum| with an exponential attack, holds for a while after
// the last overloading sample, and rises back at a fixed rate in dB per
// sample (release), snapping to exactly 1.
type limiter struct {
	ceiling int32
	attack  float64 // fraction of the gap to the target closed per sample
	hold    int     // samples to hold the gain after an overload
	release float64 // gain factor per sample while rising, > 1
	gain    float64 // current gain, 1 when idle
	held    int     // samples left to hold
	limited uint64  // samples processed with a gain below 1
}

func newLimiter(c Config) limiter {
	return limiter{
		ceiling: int32(c.Ceiling),
		attack:  1 - math.Exp(-1000/(c.AttackMs*float64(c.SampleRate))),
		hold:    int(math.Ceil(c.HoldMs * float64(c.SampleRate) / 1000)),
		release: math.Pow(10, c.ReleaseDBPerSec/20/float64(c.SampleRate)),
		gain:    1,
	}
}

// pass reports whether s leaves the limiter unchanged: unity gain and
// within the ceiling. Callers test it inline and call slow otherwise.
func (l *limiter) pass(s int32) bool {
	return l.gain == 1 && s <= l.ceiling && s >= -l.ceiling
}

// slow limits one sample whose sum is s.
func (l *limiter) slow(s int32) int16 {
	a := float64(s)
	if a < 0 {
		a = -a
	}
	target := 1.0
	if a > float64(l.ceiling) {
		target = float64(l.ceiling) / a
		l.held = l.hold
	}
	switch {
	case target < l.gain:
		l.gain += l.attack * (target - l.gain)
	case l.held > 0:
		l.held--
	default:
		l.gain = min(l.gain*l.release, target)
	}
	if l.gain >= 1 {
		l.gain = 1
		return saturate(s)
	}
	l.limited++
	return saturate(int32(math.Round(float64(s) * l.gain)))
}

// relax advances the hold and release by n samples of silence.
func (l *limiter) relax(n int) {
	if l.gain == 1 {
		return
	}
	hold := min(n, l.held)
	l.held -= hold
	l.gain = min(l.gain*math.Pow(l.release, float64(n-hold)), 1)
}

// saturate clamps s to the int16 range.
func saturate(s int32) int16 {
	return int16(max(min(s, math.MaxInt16), math.MinInt16))
}
