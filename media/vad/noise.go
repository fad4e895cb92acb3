package vad

import "math"

// MCRA parameters (Cohen and Berdugo 2002, section III), given as time
// constants so that they hold for every frame duration.
const (
	smoothMs   = 60.0   // power smoothing before minimum search (alpha_s)
	presenceMs = 30.0   // speech presence probability smoothing (alpha_p)
	noiseMs    = 1000.0 // noise averaging where speech is absent (alpha_d)
	minWinMs   = 800.0  // minimum-search sub-window L; the search spans L to 2L
	// presenceRatio is delta: a band whose smoothed power exceeds its
	// running minimum by this factor (7 dB) holds speech.
	presenceRatio = 5.0
	// seedMs is how long the first frames seed the estimates by plain
	// averaging, before a single low first frame could pin the minimum.
	seedMs = 200.0
	// floorCap bounds the noise estimate to 6 dB above the running minimum,
	// so that a stream that opens with speech does not keep a floor at
	// speech level once the speech stops.
	floorCap = 4.0
)

// noiseTracker estimates the noise power of each sub-band.
type noiseTracker struct {
	alphaS, alphaP, alphaD float64
	window                 int // frames per minimum sub-window
	seed                   int // frames that seed the estimates
	count                  int
	seen                   int // frames folded in, up to seed
	smooth, min, tmp       [numBands]float64
	presence, noise        [numBands]float64
	bandSNR                [numBands]float64 // of the last snr call
}

func newNoiseTracker(frameMs int) noiseTracker {
	f := float64(frameMs)
	return noiseTracker{
		alphaS: math.Exp(-f / smoothMs),
		alphaP: math.Exp(-f / presenceMs),
		alphaD: math.Exp(-f / noiseMs),
		window: max(1, int(minWinMs/f)),
		seed:   max(1, int(seedMs/f)),
	}
}

// reset forgets all estimates; the next frame seeds them.
func (t *noiseTracker) reset() {
	*t = noiseTracker{alphaS: t.alphaS, alphaP: t.alphaP, alphaD: t.alphaD, window: t.window, seed: t.seed}
}

// snr returns the mean over the sub-bands of the band SNR in dB against
// the current noise estimate, each clipped at 0 dB. Before the first update
// it returns 0.
func (t *noiseTracker) snr(band *[numBands]float64) float64 {
	if t.seen == 0 {
		return 0
	}
	var sum float64
	for b, p := range band {
		x := dB(p / t.noise[b])
		t.bandSNR[b] = x
		sum += max(0, x)
	}
	return sum / numBands
}

// contrast returns the spectral contrast of the SNR profile computed by
// the last snr call: the mean SNR of the three best bands minus that of the
// five worst, in dB. A change of noise level lifts every band alike (low
// contrast); speech lifts its formant or fricative bands far more than the
// rest.
func (t *noiseTracker) contrast() float64 {
	s := t.bandSNR
	for i := 1; i < len(s); i++ { // insertion sort: ten values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return (s[9]+s[8]+s[7])/3 - (s[0]+s[1]+s[2]+s[3]+s[4])/5
}

// update folds one frame's sub-band powers into the estimates.
func (t *noiseTracker) update(band *[numBands]float64) {
	if t.seen < t.seed {
		// Seeding: every estimate is the mean power so far. The stream is
		// assumed to open without speech (ringing, greeting playback).
		t.seen++
		w := 1 / float64(t.seen)
		for b, p := range band {
			t.noise[b] += w * (p - t.noise[b])
		}
		t.smooth, t.min, t.tmp = t.noise, t.noise, t.noise
		return
	}
	t.count++
	turn := t.count >= t.window
	if turn {
		t.count = 0
	}
	// The constants in locals, and comparisons where min and max would
	// add their NaN and signed-zero handling (no value here is either):
	// the loop is the costliest part of the frame after the FFT.
	aS, aP, aD := t.alphaS, t.alphaP, t.alphaD
	for b, p := range band {
		s := aS*t.smooth[b] + (1-aS)*p
		t.smooth[b] = s
		lo, tmp := t.min[b], t.tmp[b]
		if s < lo {
			lo = s
		}
		if s < tmp {
			tmp = s
		}
		if turn {
			lo, tmp = tmp, s // tmp <= s already
		}
		t.min[b], t.tmp[b] = lo, tmp
		// Cohen's indicator looks at the smoothed power only, which lags
		// an onset by the smoothing time constant; the raw frame power
		// holds the update off from the onset's first frame. The weight
		// is a = alphaD + (1-alphaD) max(presence, present), the new
		// presence at most 1: with present = 1 it is alphaD + (1-alphaD).
		presence := aP * t.presence[b]
		a := aD + (1-aD)*presence
		if s > presenceRatio*lo || p > 2*presenceRatio*lo {
			presence += 1 - aP
			a = aD + (1 - aD)
		}
		t.presence[b] = presence
		n := a*t.noise[b] + (1-a)*p
		if c := floorCap * lo; n > c {
			n = c
		}
		if n < minPower {
			n = minPower
		}
		t.noise[b] = n
	}
}

// floor returns the total in-band noise power.
func (t *noiseTracker) floor() float64 {
	var sum float64
	for _, n := range t.noise {
		sum += n
	}
	return max(sum, minPower)
}
