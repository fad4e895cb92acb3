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
type spectrum struct {
	last   []int16   // the analysis window: the newest samples, frame last
	window []float64 // Hann window, len(last) points
	re, im []float64 // FFT work buffers, size points
	cos    []float64 // twiddles, size/2
	sin    []float64
	rev    []int32 // bit-reversal permutation
	lo, hi [numBands]int
	scale  float64 // bin |X|^2 to signal power: 2 / (size * sum w^2)
}

// newSpectrum prepares the analysis of n-sample frames at rate Hz.
func newSpectrum(n, rate int) *spectrum {
	n = max(n, rate*minWindowMs/1000)
	size := 1
	for size < n {
		size <<= 1
	}
	s := &spectrum{
		last:   make([]int16, n),
		window: make([]float64, n),
		re:     make([]float64, size),
		im:     make([]float64, size),
		cos:    make([]float64, size/2),
		sin:    make([]float64, size/2),
		rev:    make([]int32, size),
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
		a := -2 * math.Pi * float64(i) / float64(size)
		s.cos[i], s.sin[i] = math.Cos(a), math.Sin(a)
	}
	bits := 0
	for 1<<bits < size {
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
		s.hi[b] = int(math.Ceil(bandEdgesHz[b+1] / binHz))
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
		s.re[s.rev[i]] = float64(v) / 32768 * s.window[i]
	}
	s.fft()
	var total float64
	for b := range numBands {
		var p float64
		for k := s.lo[b]; k < s.hi[b]; k++ {
			p += s.re[k]*s.re[k] + s.im[k]*s.im[k]
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
