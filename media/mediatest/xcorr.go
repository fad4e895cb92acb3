package mediatest

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Match is where a reference signal was found in a recording by Correlate.
type Match struct {
	// Peak is the normalised cross-correlation of the two waveforms (both
	// resampled to CorrelateRate) at Lag, over the part of the reference
	// that overlaps the recording: 1 for an identical copy, about 0 for
	// unrelated audio, -1 for an inverted copy (the lag of largest
	// magnitude wins). In [-1, 1].
	Peak float64
	// Lag is how much later the reference starts in the recording:
	// rec(t+Lag) matches ref(t). Negative when the recording lacks the
	// reference's start.
	Lag time.Duration
	// Envelope is the correlation of the two amplitude envelopes at the
	// coarse lag, the first stage of the search. In [-1, 1].
	Envelope float64
}

func (m Match) String() string {
	return fmt.Sprintf("peak %.3f at lag %v (envelope %.3f)", m.Peak, m.Lag, m.Envelope)
}

// CorrelateRate is the common sample rate Correlate compares waveforms
// at: the narrowband telephone band, which every codec keeps.
const CorrelateRate = 8000

// envelopeBlock is the envelope's resolution (coarse lag step) and
// fineWindow how far around the coarse lag the waveform search looks.
const (
	envelopeBlock = 5 * time.Millisecond
	fineWindow    = 15 * time.Millisecond
)

// Correlate finds the reference ref (sampled at refRate Hz, mono) in the
// recording rec (recRate Hz, mono) within lags of ±maxLag, and returns
// the normalised cross-correlation there. It is robust to what a phone
// call does to audio: G.711, G.722 or Opus coding, a change of sample
// rate (both signals are resampled to CorrelateRate), a delay of
// seconds, and extra audio (silence, other sounds) around the
// reference in the recording.
//
// The search has two stages, so that it stays cheap for seconds of lag
// without an FFT: the lag that best aligns the 5 ms amplitude envelopes
// (rectified, block-averaged), then the waveform lag within ±15 ms of it.
// A reference with a flat envelope (one steady tone) gives no coarse
// lag; use a reference whose loudness varies: speech, tone bursts.
func Correlate(ref []int16, refRate int, rec []int16, recRate int, maxLag time.Duration) (Match, error) {
	if refRate <= 0 || recRate <= 0 {
		return Match{}, fmt.Errorf("correlate: sample rates %d and %d", refRate, recRate)
	}
	if maxLag < 0 {
		return Match{}, fmt.Errorf("correlate: negative max lag %v", maxLag)
	}
	x := Resample(ref, refRate, CorrelateRate)
	y := Resample(rec, recRate, CorrelateRate)
	block := int(CorrelateRate * envelopeBlock / time.Second)
	ex, ey := envelope(x, block), envelope(y, block)
	if len(ex) < 4 || len(ey) < 4 {
		return Match{}, errors.New("correlate: signals shorter than 20 ms")
	}
	maxBlocks := int(maxLag / envelopeBlock)
	coarse, env := bestLag(ex, ey, -maxBlocks, maxBlocks, false)
	win := int(CorrelateRate * fineWindow / time.Second)
	center := coarse * block
	fine, peak := bestLag(x, y, center-win, center+win, true)
	frac, peak := subSample(x, y, fine, peak)
	return Match{
		Peak:     peak,
		Lag:      time.Duration((float64(fine) + frac) * float64(time.Second) / CorrelateRate),
		Envelope: env,
	}, nil
}

// subSteps is how finely subSample divides a sample.
const subSteps = 8

// subSample refines the integer lag of y against x: it delays x by
// fractions of a sample in (-1/2, 1/2] (band-limited interpolation) and
// returns the fraction with the correlation of largest magnitude, and
// that correlation. A resampler in the call path commonly shifts the
// audio by half a sample at 8 kHz, which alone costs speech about 0.08
// of correlation at integer lags.
func subSample(x, y []float64, lag int, c float64) (float64, float64) {
	bestF, bestC := 0.0, c
	i0, i1 := max(0, -lag), min(len(x), len(y)-lag)
	if i1-i0 < 2 {
		return bestF, bestC
	}
	for k := -subSteps/2 + 1; k <= subSteps/2; k++ {
		if k == 0 {
			continue
		}
		f := float64(k) / subSteps
		xs := delay(x[i0:i1], f)
		if r := pearson(xs, y[i0+lag:i1+lag]); math.Abs(r) > math.Abs(bestC) {
			bestF, bestC = f, r
		}
	}
	return bestF, bestC
}

// delay returns x delayed by d samples (|d| < 1), interpolated with a
// windowed sinc; x is taken to be band-limited below 0.9 of Nyquist, as
// Resample leaves it.
func delay(x []float64, d float64) []float64 {
	const half = resampleTaps
	// The kernel is the same for every output sample: tap k of output j
	// is x[j+k] at distance -d-k.
	var w [2 * half]float64
	for i := range w {
		u := -d - float64(i-half+1)
		w[i] = sinc(u) * blackman(u, half)
	}
	out := make([]float64, len(x))
	for j := range out {
		var s float64
		for i, wi := range w {
			if k := j + i - half + 1; k >= 0 && k < len(x) {
				s += x[k] * wi
			}
		}
		out[j] = s
	}
	return out
}

// bestLag returns the lag in [lo, hi] (y[i+lag] against x[i]) with the
// highest Pearson correlation over the overlap (the highest magnitude
// when abs is set), and that correlation. Overlaps shorter than a
// quarter of x are not considered.
func bestLag(x, y []float64, lo, hi int, abs bool) (int, float64) {
	best, bestC, bestM := lo, 0.0, math.Inf(-1)
	minOverlap := max(len(x)/4, 2)
	for lag := lo; lag <= hi; lag++ {
		i0, i1 := max(0, -lag), min(len(x), len(y)-lag)
		if i1-i0 < minOverlap {
			continue
		}
		c := pearson(x[i0:i1], y[i0+lag:i1+lag])
		m := c
		if abs {
			m = math.Abs(c)
		}
		if m > bestM {
			best, bestC, bestM = lag, c, m
		}
	}
	return best, bestC
}

// pearson is the correlation coefficient of x and y (same length); 0
// when either is constant.
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var xy, xx, yy float64
	for i := range x {
		a, b := x[i]-mx, y[i]-my
		xy += a * b
		xx += a * a
		yy += b * b
	}
	if xx == 0 || yy == 0 {
		return 0
	}
	return max(-1, min(1, xy/math.Sqrt(xx*yy)))
}

// envelope returns the mean absolute value of x over consecutive blocks.
func envelope(x []float64, block int) []float64 {
	out := make([]float64, len(x)/block)
	for i := range out {
		var s float64
		for _, v := range x[i*block : (i+1)*block] {
			s += math.Abs(v)
		}
		out[i] = s / float64(block)
	}
	return out
}

// resampleTaps is the half-length, in input samples at the narrower
// rate, of the windowed-sinc kernel Resample uses.
const resampleTaps = 16

// Resample converts mono PCM from rate from to rate to with a
// windowed-sinc (Blackman) low-pass at 0.9 of the lower Nyquist
// frequency. It is exact enough for correlation checks, not fast.
func Resample(x []int16, from, to int) []float64 {
	if from == to {
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = float64(v)
		}
		return out
	}
	ratio := float64(from) / float64(to)          // input samples per output sample
	cutoff := 0.9 * math.Min(1, 1/ratio)          // in cycles per input sample ×2
	half := int(math.Ceil(resampleTaps / cutoff)) // kernel half-width in input samples
	n := int(float64(len(x)) / ratio)
	out := make([]float64, n)
	for j := range out {
		t := float64(j) * ratio
		c := int(t)
		var s float64
		for k := c - half + 1; k <= c+half; k++ {
			if k < 0 || k >= len(x) {
				continue
			}
			d := t - float64(k)
			s += float64(x[k]) * cutoff * sinc(cutoff*d) * blackman(d, float64(half))
		}
		out[j] = s
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window over [-half, half].
func blackman(d, half float64) float64 {
	if d <= -half || d >= half {
		return 0
	}
	p := (d + half) / (2 * half)
	return 0.42 - 0.5*math.Cos(2*math.Pi*p) + 0.08*math.Cos(4*math.Pi*p)
}
