package vad

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestFFTMatchesDFT checks fftPlan against a direct DFT for every size the
// detector uses and window lengths from an eighth of the size to all of
// it, which takes the first stage through each of its loops (one to four
// points of a butterfly inside the window).
func TestFFTMatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for _, n := range []int{128, 256, 512, 1024} {
		for _, nz := range []int{n / 8, n/4 + 3, n / 2, 5 * n / 8, 3*n/4 + 1, n} {
			gain := make([]float64, 2*nz)
			x := make([]int16, 2*n) // from 2nz on, samples run must not read
			z := make([]complex128, n)
			for i := range x {
				x[i] = int16(rng.IntN(65536) - 32768)
			}
			for i := range gain {
				gain[i] = rng.Float64() / 32768
			}
			for t := range nz {
				z[t] = complex(float64(x[2*t])*gain[2*t], float64(x[2*t+1])*gain[2*t+1])
			}
			p := newFFTPlan(n, gain)
			re, im := make([]float64, n), make([]float64, n)
			zr, zi := make([]float64, n), make([]float64, n)
			for i := range zr {
				zr[i], zi[i] = math.NaN(), math.NaN() // must all be written
			}
			p.run(zr, zi, re, im, x)
			var worst, peak float64
			for k := range n {
				var want complex128
				for t, v := range z {
					want += v * cmplx.Rect(1, -2*math.Pi*float64(k*t%n)/float64(n))
				}
				got := complex(zr[k], zi[k])
				worst = max(worst, cmplx.Abs(got-want))
				peak = max(peak, cmplx.Abs(want))
			}
			if !(worst <= 1e-12*peak) {
				t.Errorf("n %d, %d points: largest error %g against a peak of %g", n, nz, worst, peak)
			}
		}
	}
}
