package vad

import (
	"math"
	"sync"
)

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
// bins in the bands only (the standard real-FFT packing); see fftPlan and
// split.
type spectrum struct {
	*spectrumTables
	// last is the analysis window: the newest samples, frame last. Its
	// capacity is size, the length fftPlan.run takes.
	last   []int16
	re, im []float64 // FFT work buffers, size/2 points
	zr, zi []float64 // Z, size/2 points
}

// spectrumTables are the parts of a spectrum that depend only on the
// window length and the rate. They are immutable once made, and shared by
// every spectrum of that length and rate (see tableCache): with many
// streams on a core, each frame then finds the tables in cache.
type spectrumTables struct {
	window []float64 // Hann window, len(last) points
	gain   []float64 // window/32768: from sample to windowed full-scale value
	fft    fftPlan
	// wr2 and wi hold W^k = exp(-2 pi i k/size) as 2 Re W^k and Im W^k,
	// k < size/2.
	wr2, wi []float64
	runs    []splitRun // the bins of the bands, in runs
	lo, hi  [numBands]int
	scale   float64 // bin |X|^2 to signal power: 2 / (size * sum w^2)
	// scale2 is scale/2: split yields 2|X[k]|^2.
	scale2 float64
}

// tableCache holds the spectrumTables made so far, by window length and
// rate ([2]int): at most one per supported configuration.
var tableCache sync.Map

// splitRun is a run of bins k0 <= k < k1 in band bk whose mirrors
// size/2-k are all in band bm, or are all outside the bands (bm =
// numBands; this includes k = size/4, its own mirror).
type splitRun struct {
	k0, k1 int
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
	t, ok := tableCache.Load([2]int{n, rate})
	if !ok {
		t, _ = tableCache.LoadOrStore([2]int{n, rate}, newSpectrumTables(n, size, rate))
	}
	return &spectrum{
		spectrumTables: t.(*spectrumTables),
		last:           make([]int16, n, size),
		re:             make([]float64, half),
		im:             make([]float64, half),
		zr:             make([]float64, half),
		zi:             make([]float64, half),
	}
}

// newSpectrumTables makes the tables of the analysis of an n-sample window
// at rate Hz with an FFT of size real points.
func newSpectrumTables(n, size, rate int) *spectrumTables {
	half := size / 2
	s := &spectrumTables{
		window: make([]float64, n),
		gain:   make([]float64, n),
		wr2:    make([]float64, half),
		wi:     make([]float64, half),
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
	for k := range half {
		a := -2 * math.Pi * float64(k) / float64(size)
		s.wr2[k], s.wi[k] = 2*math.Cos(a), math.Sin(a)
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
		if r := len(s.runs) - 1; r >= 0 && s.runs[r].k1 == k && s.runs[r].bk == band[k] && s.runs[r].bm == bm {
			s.runs[r].k1++
		} else {
			s.runs = append(s.runs, splitRun{k, k + 1, band[k], bm})
		}
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
	s.fft.run(s.zr, s.zi, s.re, s.im, s.last[:cap(s.last)])
	var acc [numBands]float64
	switch len(s.zr) {
	case 128:
		split[*[128]float64](s, &acc)
	case 256:
		split[*[256]float64](s, &acc)
	case 512:
		split[*[512]float64](s, &acc)
	case 1024:
		split[*[1024]float64](s, &acc)
	}
	var total float64
	for b := range band {
		p := acc[b] * s.scale2
		band[b] = max(p, minPower)
		total += p
	}
	return max(total, minPower)
}

// split adds 2|X[k]|^2 of every bin of the bands to acc. With Z = Z[k],
// M = Z[size/2-k], C = conj(M) and W = W^k, the even and odd spectra are
// 2E = Z + C and 2O = -i(Z - C); then 4|X[k]|^2 = |2E + W 2O|^2 and, since
// X[size/2-k] = conj(E - W O), 4|X[size/2-k]|^2 = |2E - W 2O|^2. Expanded,
// with A = |Z|^2 and B = |M|^2,
//
//	2|X[k]|^2        = (A+B) + d,
//	2|X[size/2-k]|^2 = (A+B) - d,
//	d = (A-B) Im W + 2 Re W (Re M Im Z + Im M Re Z).
func split[A spectra](s *spectrum, acc *[numBands]float64) {
	zr, zi, wr2, wi := A(s.zr), A(s.zi), A(s.wr2), A(s.wi)
	h := len(zr)
	for _, r := range s.runs {
		var sum, diff float64 // of A+B and of d
		for k := r.k0; k < r.k1; k++ {
			k, m := k&(h-1), (h-k)&(h-1) // no-ops that drop bounds checks
			a := zr[k]*zr[k] + zi[k]*zi[k]
			b := zr[m]*zr[m] + zi[m]*zi[m]
			sum += a + b
			diff += (a-b)*wi[k] + wr2[k]*(zr[m]*zi[k]+zi[m]*zr[k])
		}
		acc[r.bk%numBands] += sum + diff
		if r.bm != numBands {
			acc[r.bm%numBands] += sum - diff
		}
	}
}
