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
