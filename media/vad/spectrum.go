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
	pairs  []splitPair // the bins of the bands, two at a time where possible
	lo, hi [numBands]int
	scale  float64 // bin |X|^2 to signal power: 2 / (size * sum w^2)
	// scale4 is scale/4: the split leaves out its two exact halvings, so
	// it yields 2X[k] rather than X[k].
	scale4 float64
}

// splitPair is what the split needs for bin k and its mirror size/2-k:
// where Z[k] and Z[size/2-k] are in the FFT output, W^k = exp(-2 pi i
// k/size), and the bands of the two bins. X[size/2-k] is conj(E[k] - W^k
// O[k]), so one pass over Z[k] and Z[size/2-k] yields both; bands
// numBands is the discard slot of a bin that is not in a band (or is k
// itself, for k = size/4).
type splitPair struct {
	z, m   int32
	bk, bm uint8
	wr, wi float64
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
		gain:   make([]float64, n),
		re:     make([]float64, half),
		im:     make([]float64, half),
		fft:    newFFTPlan(half, n/2),
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
	s.scale4 = s.scale / 4
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
	// Within a band's entries, the accumulation is serial: the table takes
	// one entry of each band in turn, so that consecutive entries add to
	// different bands and do not wait for each other.
	var byBand [numBands][]splitPair
	for k := 1; k < half; k++ {
		m := half - k
		if band[k] == numBands || (m < k && band[m] != numBands) {
			continue // not in a band, or paired with m already
		}
		bm := band[m]
		if m == k {
			bm = numBands
		}
		a := -2 * math.Pi * float64(k) / float64(size)
		byBand[band[k]] = append(byBand[band[k]], splitPair{
			z: s.fft.pos(k), m: s.fft.pos(m), bk: band[k], bm: bm,
			wr: math.Cos(a), wi: math.Sin(a),
		})
	}
	for i := 0; ; i++ {
		n := len(s.pairs)
		for _, p := range byBand {
			if i < len(p) {
				s.pairs = append(s.pairs, p[i])
			}
		}
		if len(s.pairs) == n {
			break
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
	s.fft.run(s.re, s.im, s.last, s.gain)
	var acc [16]float64 // per band; numBands discards
	re, im := s.re, s.im
	for i := range s.pairs {
		c := &s.pairs[i]
		// With Z = Z[k] and C = conj(Z[size/2-k]): 2E[k] = Z + C,
		// 2O[k] = -i (Z - C), 2X[k] = 2E + W 2O and
		// 2X[size/2-k] = conj(2E - W 2O). mi is -Im C.
		zr, zi := re[c.z], im[c.z]
		cr, mi := re[c.m], im[c.m]
		er, ei := zr+cr, zi-mi
		or, oi := zi+mi, cr-zr
		tr := c.wr*or - c.wi*oi
		ti := c.wr*oi + c.wi*or
		xr, xi := er+tr, ei+ti
		acc[c.bk&15] += xr*xr + xi*xi
		xr, xi = er-tr, ei-ti
		acc[c.bm&15] += xr*xr + xi*xi
	}
	var total float64
	for b := range band {
		p := acc[b] * s.scale4
		band[b] = max(p, minPower)
		total += p
	}
	return max(total, minPower)
}
