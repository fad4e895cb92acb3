package vad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refSpectrum is the first packed real-FFT analysis (a radix-2
// decimation-in-time FFT with k*step twiddle indexing), kept verbatim as
// the reference that spectrum is checked and benchmarked against.
//
// The real frame of size points is transformed as a complex sequence of
// size/2 points, z[n] = x[2n] + i x[2n+1], whose spectrum Z is split into
// that of the even and odd samples to give X[k] = E[k] + W^k O[k] for the
// bins in the bands only (the standard real-FFT packing).
type refSpectrum struct {
	last   []int16   // the analysis window: the newest samples, frame last
	window []float64 // Hann window, len(last) points
	re, im []float64 // FFT work buffers, size/2 points
	cos    []float64 // twiddles of the size/2-point FFT
	sin    []float64
	rev    []int32   // bit-reversal permutation of size/2 points
	wr, wi []float64 // W^k = exp(-2 pi i k/size), k < size/2
	lo, hi [numBands]int
	scale  float64 // bin |X|^2 to signal power: 2 / (size * sum w^2)
}

// newRefSpectrum prepares the analysis of n-sample frames at rate Hz.
func newRefSpectrum(n, rate int) *refSpectrum {
	n = max(n, rate*minWindowMs/1000)
	size := 2
	for size < n {
		size <<= 1
	}
	half := size / 2
	s := &refSpectrum{
		last:   make([]int16, n),
		window: make([]float64, n),
		re:     make([]float64, half),
		im:     make([]float64, half),
		cos:    make([]float64, half/2),
		sin:    make([]float64, half/2),
		rev:    make([]int32, half),
		wr:     make([]float64, half),
		wi:     make([]float64, half),
	}
	var wsum float64
	for i := range s.window {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*(float64(i)+0.5)/float64(n))
		s.window[i] = w
		wsum += w * w
	}
	// A full-scale (+-1) signal's mean square is recovered by Parseval:
	// sum x^2 = (1/size) sum |X|^2, both halves of the spectrum.
	s.scale = 2 / (float64(size) * wsum)
	for i := range s.cos {
		a := -2 * math.Pi * float64(i) / float64(half)
		s.cos[i], s.sin[i] = math.Cos(a), math.Sin(a)
	}
	for k := range s.wr {
		a := -2 * math.Pi * float64(k) / float64(size)
		s.wr[k], s.wi[k] = math.Cos(a), math.Sin(a)
	}
	bits := 0
	for 1<<bits < half {
		bits++
	}
	for i := range s.rev {
		r := 0
		for b := range bits {
			r |= (i >> b & 1) << (bits - 1 - b)
		}
		s.rev[i] = int32(r)
	}
	binHz := float64(rate) / float64(size)
	for b := range numBands {
		s.lo[b] = int(math.Ceil(bandEdgesHz[b] / binHz))
		s.hi[b] = min(int(math.Ceil(bandEdgesHz[b+1]/binHz)), half)
	}
	return s
}

// analyze fills band with the power of each sub-band of the analysis
// window ending with pcm (one frame, no longer than the window) and
// returns the total in-band power. Powers are on the dBFS scale of the
// package documentation.
func (s *refSpectrum) analyze(pcm []int16, band *[numBands]float64) float64 {
	keep := copy(s.last, s.last[len(pcm):])
	copy(s.last[keep:], pcm)
	clear(s.re)
	clear(s.im)
	for i, v := range s.last {
		x := float64(v) / 32768 * s.window[i]
		if j := s.rev[i>>1]; i&1 == 0 {
			s.re[j] = x
		} else {
			s.im[j] = x
		}
	}
	s.fft()
	half := len(s.re)
	var total float64
	for b := range numBands {
		var p float64
		for k := s.lo[b]; k < s.hi[b]; k++ {
			m := (half - k) & (half - 1) // Z[size/2-k], with Z[size/2] = Z[0]
			zr, zi := s.re[k], s.im[k]
			cr, ci := s.re[m], -s.im[m] // conj(Z[size/2-k])
			er, ei := (zr+cr)/2, (zi+ci)/2
			or, oi := (zi-ci)/2, (cr-zr)/2
			xr := er + s.wr[k]*or - s.wi[k]*oi
			xi := ei + s.wr[k]*oi + s.wi[k]*or
			p += xr*xr + xi*xi
		}
		p *= s.scale
		band[b] = max(p, minPower)
		total += p
	}
	return max(total, minPower)
}

// fft runs an in-place radix-2 decimation-in-time FFT over re, im, whose
// input is already in bit-reversed order.
func (s *refSpectrum) fft() {
	size := len(s.re)
	re, im := s.re, s.im
	for half := 1; half < size; half <<= 1 {
		step := size / (2 * half)
		for start := 0; start < size; start += 2 * half {
			for k := range half {
				wr, wi := s.cos[k*step], s.sin[k*step]
				a, b := start+k, start+k+half
				tr := wr*re[b] - wi*im[b]
				ti := wr*im[b] + wi*re[b]
				re[b], im[b] = re[a]-tr, im[a]-ti
				re[a], im[a] = re[a]+tr, im[a]+ti
			}
		}
	}
}

// spectrumConfigs are the analysis sizes of every supported rate and
// frame duration.
var spectrumConfigs = []struct{ rate, ms int }{
	{8000, 10}, {8000, 20}, {8000, 30},
	{16000, 10}, {16000, 20}, {16000, 30},
	{48000, 10}, {48000, 20}, {48000, 30},
}

// speechLike returns secs of a voiced sound at rate: harmonics of a
// gliding 100-250 Hz pitch under moving formants, syllabic modulation and
// white noise 30 dB down, peaking near -6 dBFS.
func speechLike(rng *rand.Rand, rate int, secs float64) []int16 {
	pcm := make([]int16, int(secs*float64(rate)))
	var phase float64
	for i := range pcm {
		t := float64(i) / float64(rate)
		f0 := 175 + 75*math.Sin(2*math.Pi*0.7*t)
		phase += 2 * math.Pi * f0 / float64(rate)
		f1 := 500 + 300*math.Sin(2*math.Pi*1.3*t)
		f2 := 1500 + 700*math.Sin(2*math.Pi*0.9*t)
		var v float64
		for k := 1; float64(k)*f0 < min(4000, float64(rate)/2); k++ {
			f := float64(k) * f0
			a := 1/(1+math.Pow((f-f1)/100, 2)) + 0.5/(1+math.Pow((f-f2)/150, 2))
			v += a * math.Sin(float64(k)*phase)
		}
		v *= 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
		v = 0.15*v + 0.015*rng.NormFloat64()
		pcm[i] = int16(max(-32768, min(32767, math.Round(v*32768))))
	}
	return pcm
}

// TestSpectrumMatchesReference checks the band powers and total of the
// radix-4 analysis against refSpectrum, frame by frame, on random
// full-scale frames, speech-like sound, quiet noise and digital silence, at
// every rate and frame duration.
func TestSpectrumMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range spectrumConfigs {
		n := c.rate * c.ms / 1000
		random := make([]int16, 20*n)
		for i := range random {
			random[i] = int16(rng.IntN(65536) - 32768)
		}
		quiet := make([]int16, 20*n)
		for i := range quiet {
			quiet[i] = int16(rng.IntN(7) - 3)
		}
		signals := []struct {
			name string
			pcm  []int16
		}{
			{"random", random},
			{"speech", speechLike(rng, c.rate, 0.4)},
			{"quiet", quiet},
			{"silence", make([]int16, 5*n)},
		}
		for _, sig := range signals {
			s, ref := newSpectrum(n, c.rate), newRefSpectrum(n, c.rate)
			var band, want [numBands]float64
			worst := 0.0
			for i := 0; i+n <= len(sig.pcm); i += n {
				total := s.analyze(sig.pcm[i:i+n], &band)
				wantTotal := ref.analyze(sig.pcm[i:i+n], &want)
				worst = max(worst, relDiff(total, wantTotal))
				for b := range band {
					worst = max(worst, relDiff(band[b], want[b]))
				}
			}
			if worst > 1e-12 {
				t.Errorf("%d Hz %d ms %s: band powers differ from the reference by up to %.3g (relative), want <= 1e-12",
					c.rate, c.ms, sig.name, worst)
			}
		}
	}
}

func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / max(math.Abs(a), math.Abs(b))
}

// BenchmarkSpectrum compares the analysis of one frame by the reference
// (radix-2) and the current (radix-4) spectrum, in one run.
func BenchmarkSpectrum(b *testing.B) {
	for _, c := range spectrumConfigs {
		if c.ms == 10 && c.rate != 8000 {
			continue
		}
		n := c.rate * c.ms / 1000
		pcm := speechLike(rand.New(rand.NewPCG(5, 6)), c.rate, 1)
		var band [numBands]float64
		run := func(b *testing.B, analyze func([]int16, *[numBands]float64) float64) {
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				analyze(pcm[i:i+n], &band)
				if i += n; i+n > len(pcm) {
					i = 0
				}
			}
		}
		b.Run(fmt.Sprintf("%dHz/%dms/ref", c.rate, c.ms), func(b *testing.B) {
			run(b, newRefSpectrum(n, c.rate).analyze)
		})
		b.Run(fmt.Sprintf("%dHz/%dms/new", c.rate, c.ms), func(b *testing.B) {
			run(b, newSpectrum(n, c.rate).analyze)
		})
	}
}
