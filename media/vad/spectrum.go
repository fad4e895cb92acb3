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

// spectrum computes sub-band powers of one frame. Its buffers and tables
// are sized in newSpectrum and reused for every frame.
//
// The real frame of size points is transformed as a complex sequence of
// size/2 points, z[n] = x[2n] + i x[2n+1], whose spectrum Z is split into
// that of the even and odd samples to give X[k] = E[k] + W^k O[k] for the
// bins in the bands only (the standard real-FFT packing). The FFT (fft.go)
// leaves Z in bit-reversed order, which the split reads through a table.
type spectrum struct {
	last   []int16   // the analysis window: the newest samples, frame last
	window []float64 // Hann window, len(last) points
	gain   []float64 // window/32768: from sample to windowed full-scale value
	re, im []float64 // FFT work buffers, size/2 points
	fft    fftPlan
	bins   []splitBin // the bins of the bands, with their mirrors where possible
	runs   []splitRun // bins in runs of one band
	lo, hi [numBands]int
	scale  float64 // bin |X|^2 to signal power: 2 / (size * sum w^2)
	// scale2 is scale/2: split yields 2|X[k]|^2.
	scale2 float64
}

// splitBin is what split needs for bin k: where Z[k] and Z[size/2-k] are
// in the FFT output, and W^k = exp(-2 pi i k/size) as 2 Re W^k and Im W^k.
type splitBin struct {
	z, m    int32
	wr2, wi float64
}

// splitRun is a run of consecutive entries of spectrum.bins whose bins k
// are in band bk and whose mirrors size/2-k are all in band bm, or are
// all outside the bands (bm = numBands; this includes k = size/4, its own
// mirror).
type splitRun struct {
	n      int
	bk, bm uint8
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
		last:   make([]int16, n, size), // zero past n: see fftPlan.run
		window: make([]float64, n),
		gain:   make([]float64, n),
		re:     make([]float64, half),
		im:     make([]float64, half),
	}
	var wsum float64
	for i := range s.window {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*(float64(i)+0.5)/float64(n))
		s.window[i] = w
		s.gain[i] = w / 32768
		wsum += w * w
	}
	// A full-scale (+-1) signal's mean square is recovered by Parseval:
	// sum x^2 = (1/size) sum |X|^2, both halves of the spectrum.
	s.scale = 2 / (float64(size) * wsum)
	s.scale2 = s.scale / 2
	s.fft = newFFTPlan(half, s.gain)
	binHz := float64(rate) / float64(size)
	band := make([]uint8, half) // band of each bin, numBands if none
	for k := range band {
		band[k] = numBands
	}
	for b := range numBands {
		s.lo[b] = int(math.Ceil(bandEdgesHz[b] / binHz))
		s.hi[b] = min(int(math.Ceil(bandEdgesHz[b+1]/binHz)), half)
		for k := s.lo[b]; k < s.hi[b]; k++ {
			band[k] = uint8(b)
		}
	}
	// Bin k and its mirror m = size/2-k are split together, from Z[k] and
	// Z[m] alike: k runs up to size/4 and over the bins whose mirror is
	// not in a band.
	for k := 1; k < half; k++ {
		m := half - k
		if band[k] == numBands || (m < k && band[m] != numBands) {
			continue // not in a band, or split with m already
		}
		bm := band[m]
		if m == k {
			bm = numBands
		}
		if r := len(s.runs) - 1; r >= 0 && s.runs[r].bk == band[k] && s.runs[r].bm == bm {
			s.runs[r].n++
		} else {
			s.runs = append(s.runs, splitRun{1, band[k], bm})
		}
		a := -2 * math.Pi * float64(k) / float64(size)
		s.bins = append(s.bins, splitBin{s.fft.pos(k), s.fft.pos(m), 2 * math.Cos(a), math.Sin(a)})
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
	s.fft.run(s.re, s.im, s.last[:cap(s.last)])
	var acc [numBands]float64
	s.split(&acc)
	var total float64
	for b := range band {
		p := acc[b] * s.scale2
		band[b] = max(p, minPower)
		total += p
	}
	return max(total, minPower)
}

// split adds 2|X[k]|^2 of every bin of the bands to acc. With Z = Z[k],
// M = Z[size/2-k] and C = conj(M), the even and odd spectra are 2E = Z + C
// and 2O = -i(Z - C); then 4|X[k]|^2 = |2E + W 2O|^2 and, since
// X[size/2-k] = conj(E - W O), 4|X[size/2-k]|^2 = |2E - W 2O|^2. Expanded,
// with A = |Z|^2 and B = |M|^2,
//
//	2|X[k]|^2        = (A+B) + d,
//	2|X[size/2-k]|^2 = (A+B) - d,
//	d = (A-B) Im W + 2 Re W (Re M Im Z + Im M Re Z).
func (s *spectrum) split(acc *[numBands]float64) {
	re := s.re
	im := s.im[:len(re)] // one bounds check for both
	bins := s.bins
	for _, r := range s.runs {
		if r.n > len(bins) {
			return
		}
		run := bins[:r.n]
		bins = bins[r.n:]
		var sum, diff float64 // of A+B and of d
		for i := range run {
			c := &run[i]
			zr, zi := re[c.z], im[c.z]
			mr, mi := re[c.m], im[c.m]
			a, b := zr*zr+zi*zi, mr*mr+mi*mi
			sum += a + b
			diff += (a-b)*c.wi + c.wr2*(mr*zi+mi*zr)
		}
		acc[r.bk%numBands] += sum + diff
		if r.bm != numBands {
			acc[r.bm%numBands] += sum - diff
		}
	}
}
