package vad

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSpectrumMatchesDFT checks the packed real FFT against a direct DFT of
// the windowed frame, band by band, at every rate and frame duration.
func TestSpectrumMatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, rate := range []int{8000, 16000, 48000} {
		for _, ms := range []int{10, 20, 30} {
			n := rate * ms / 1000
			s := newSpectrum(n, rate)
			size := 2 * len(s.re)
			var band [numBands]float64
			for range 3 { // fill the window of 10 ms frames too
				pcm := make([]int16, n)
				for i := range pcm {
					pcm[i] = int16(rng.IntN(65536) - 32768)
				}
				s.analyze(pcm, &band)
			}
			for b := range numBands {
				var want float64
				for k := s.lo[b]; k < s.hi[b]; k++ {
					var xr, xi float64
					for i, v := range s.last {
						a := -2 * math.Pi * float64(k*i) / float64(size)
						x := float64(v) / 32768 * s.window[i]
						xr += x * math.Cos(a)
						xi += x * math.Sin(a)
					}
					want += xr*xr + xi*xi
				}
				want *= s.scale
				if math.Abs(band[b]-want) > 1e-9*want {
					t.Errorf("%d Hz %d ms band %d: power %g, DFT %g", rate, ms, b, band[b], want)
				}
			}
		}
	}
}
