package resample

import (
	"math"
	"sync"
)

// Filter design parameters, relative to the lower of the two rates.
const (
	// passEdge is the passband edge as a fraction of the lower rate
	// (3.6 kHz for 8 kHz, 7.2 kHz for 16 kHz).
	passEdge = 0.45
	// stopEdge is the stopband edge as a fraction of the lower rate: the
	// lower rate's Nyquist frequency.
	stopEdge = 0.5
	// attenuationDB is the design stopband attenuation for the Kaiser
	// window formulas.
	attenuationDB = 80.0
)

// kaiserBeta returns the Kaiser window shape parameter for a stopband
// attenuation of a dB (Kaiser's empirical formula, a > 50 dB).
func kaiserBeta(a float64) float64 {
	return 0.1102 * (a - 8.7)
}

// kaiserLength returns the number of taps Kaiser's formula asks for to reach
// a dB of attenuation across a transition band of dw radians per sample.
func kaiserLength(a, dw float64) int {
	return int(math.Ceil((a-7.95)/(2.285*dw))) + 1
}

// besselI0 is the zeroth-order modified Bessel function of the first kind,
// summed from its power series until the terms no longer matter.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 500; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

// prototype is the polyphase filter of one rate pair. It is designed once
// and then shared read-only by every Resampler for that pair.
type prototype struct {
	taps []float32 // l phases of k reversed taps, see design
	k    int       // taps per phase
	c    int       // centre tap, at the intermediate rate
}

// filterCache designs each rate pair's prototype on first use and hands the
// same one to every later caller. Its zero value is empty and ready; it is
// safe for concurrent use, and concurrent first callers for one pair wait
// for a single design. It holds at most one prototype per ordered pair of
// rates and never frees them.
type filterCache struct {
	once [len(rates)][len(rates)]sync.Once
	f    [len(rates)][len(rates)]*prototype
}

// filters is the process-wide cache New draws from.
var filters filterCache

// get returns the prototype from rates[i] to rates[j], i != j.
func (fc *filterCache) get(i, j int) *prototype {
	fc.once[i][j].Do(func() {
		in, out := rates[i], rates[j]
		g := gcd(in, out)
		fc.f[i][j] = design(in, out/g, in/g, min(in, out))
	})
	return fc.f[i][j]
}

// design returns the polyphase prototype for interpolating by l and
// decimating by m, working at the intermediate rate inRate*l. The taps are
// laid out so that phase p occupies taps[p*k:(p+1)*k] in reversed order:
// taps[p*k+i] = h[p+(k-1-i)*l], and the output for phase p is the dot
// product with the k most recent inputs, oldest first. The centre tap c is
// a multiple of m, so that the group delay is a whole number of output
// samples.
func design(inRate, l, m int, lowRate int) *prototype {
	fs := float64(inRate * l)
	fp := passEdge * float64(lowRate)
	fstop := stopEdge * float64(lowRate)
	dw := 2 * math.Pi * (fstop - fp) / fs
	n := kaiserLength(attenuationDB, dw)
	c := ((n-1)/2 + m - 1) / m * m
	n = 2*c + 1
	k := (n + l - 1) / l

	fc := (fp + fstop) / 2 / fs // normalized cutoff, cycles per sample
	beta := kaiserBeta(attenuationDB)
	i0b := besselI0(beta)
	h := make([]float64, k*l)
	for i := range n {
		x := float64(i - c)
		r := x / float64(c)
		w := besselI0(beta*math.Sqrt(max(0, 1-r*r))) / i0b
		h[i] = 2 * fc * sinc(2*fc*x) * w
	}

	// Scale each phase to unit DC gain: every output is then a weighted
	// average of inputs, so a constant stays exactly constant.
	taps := make([]float32, k*l)
	for p := range l {
		var sum float64
		for j := range k {
			sum += h[p+j*l]
		}
		for j := range k {
			taps[p*k+(k-1-j)] = float32(h[p+j*l] / sum)
		}
	}
	return &prototype{taps: taps, k: k, c: c}
}

// sinc is the normalized sinc function sin(pi x)/(pi x).
func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}
