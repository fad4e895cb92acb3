package mediatest

import "math"

// Tone is a sine wave source of 16-bit PCM that keeps its phase across
// reads, so consecutive frames join without clicks.
type Tone struct {
	step  float64 // phase advance per sample, radians
	amp   float64
	phase float64
}

// NewTone returns a tone of freq Hz sampled at rate Hz, with peak
// amplitude as a fraction of full scale (0..1).
func NewTone(freq float64, rate int, amplitude float64) *Tone {
	return &Tone{step: 2 * math.Pi * freq / float64(rate), amp: amplitude * math.MaxInt16}
}

// Read fills pcm with the next len(pcm) samples and returns len(pcm).
func (t *Tone) Read(pcm []int16) int {
	for i := range pcm {
		pcm[i] = int16(math.Round(t.amp * math.Sin(t.phase)))
		t.phase += t.step
		if t.phase >= 2*math.Pi {
			t.phase -= 2 * math.Pi
		}
	}
	return len(pcm)
}

// ToneSamples returns n samples of a tone of freq Hz at rate Hz and peak
// amplitude as a fraction of full scale.
func ToneSamples(freq float64, rate int, amplitude float64, n int) []int16 {
	pcm := make([]int16, n)
	NewTone(freq, rate, amplitude).Read(pcm)
	return pcm
}

// BestLag finds where got best matches want: the lag in samples (got[i+lag]
// matches want[i]), refined between samples by a parabola through the
// correlation peak, and the normalised cross-correlation there. It tries
// lags in [-maxLag, maxLag] over want[maxLag:len(want)-maxLag].
func BestLag(want, got []int16, maxLag int) (lag, corr float64) {
	cs := make([]float64, 2*maxLag+1)
	best := 0
	for k := range cs {
		l := k - maxLag
		var xy, xx, yy float64
		for i := maxLag; i < len(want)-maxLag && i+l < len(got); i++ {
			x, y := float64(want[i]), float64(got[i+l])
			xy += x * y
			xx += x * x
			yy += y * y
		}
		cs[k] = xy / math.Sqrt(xx*yy+1)
		if cs[k] > cs[best] {
			best = k
		}
	}
	frac := 0.0
	if best > 0 && best < len(cs)-1 {
		a, b, c := cs[best-1], cs[best], cs[best+1]
		if d := a - 2*b + c; d != 0 {
			frac = 0.5 * (a - c) / d
		}
	}
	return float64(best-maxLag) + frac, cs[best]
}

// Channel returns channel ch of interleaved samples with channels
// channels, as a new slice.
func Channel(interleaved []int16, ch, channels int) []int16 {
	out := make([]int16, 0, len(interleaved)/channels)
	for i := ch; i < len(interleaved); i += channels {
		out = append(out, interleaved[i])
	}
	return out
}
