package vad

import "math"

// bandEdgesHz are the edges of the analysis sub-bands: the telephone
// speech band (ITU-T G.712 passes 300-3400 Hz) widened slightly, split
// about evenly on a perceptual scale. Each band spans at least two FFT bins
// at the coarsest resolution used (47 Hz: 48 kHz, 1024 points).
var bandEdgesHz = [numBands + 1]float64{250, 450, 650, 900, 1150, 1450, 1800, 2200, 2650, 3150, 3750}

const numBands = 10

// minPower is the power floor (-120 dBFS) that keeps logarithms finite on
// digital silence.
const minPower = 1e-12

// minWindowMs is the shortest analysis window. Shorter frames are analysed
// together with the samples before them, so that the band powers of 10 ms
// frames are as steady as those of 20 ms frames.
const minWindowMs = 20

// spectrum computes sub-band powers of one frame. Its buffers are sized in
// newSpectrum and reused for every frame.
//
// The real frame of size points is transformed as a complex sequence of
// size/2 points, z[n] = x[2n] + i x[2n+1], whose spectrum Z is split into
// that of the even and odd samples to give X[k] = E[k] + W^k O[k] for the
// bins in the bands only (the standard real-FFT packing).
type spectrum struct {
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

// newSpectrum prepares the analysis of n-sample frames at rate Hz.
func newSpectrum(n, rate int) *spectrum {
	n = max(n, rate*minWindowMs/1000)
	size := 2
	for size < n {
		size <<= 1
	}
	half := size / 2
	s := &spectrum{
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

// reset forgets the samples held for the analysis window.
func (s *spectrum) reset() { clear(s.last) }

// analyze fills band with the power of each sub-band of the analysis
// window ending with pcm (one frame, no longer than the window) and
// returns the total in-band power. Powers are on the dBFS scale of the
// package documentation.
func (s *spectrum) analyze(pcm []int16, band *[numBands]float64) float64 {
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
func (s *spectrum) fft() {
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
