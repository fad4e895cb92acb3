package resample

import (
	"fmt"
	"math"
)

// Resampler converts a stream of 16-bit PCM from one sample rate to another.
// Create one per stream with New; the zero value is not usable.
type Resampler struct {
	inRate, outRate int
	l, m            int // interpolate by l, then decimate by m

	taps []float32 // shared with every Resampler for the pair; read only
	k    int       // taps per phase
	c    int       // prototype centre tap, at the intermediate rate

	// hist holds the last k inputs twice over (hist[i] == hist[i+k]) so
	// that hist[pos:pos+k] is always the window, oldest first, without
	// copying on every sample.
	hist []float32
	pos  int
	// phase is the intermediate-rate position of the next output relative
	// to the most recent input, in [0, m) between calls.
	phase int
}

// rates lists the sample rates New accepts, ascending.
var rates = [...]int{8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000}

// rateIndex returns the index of rate in rates, or -1.
func rateIndex(rate int) int {
	for i, r := range rates {
		if r == rate {
			return i
		}
	}
	return -1
}

// New returns a Resampler from inRate to outRate, each one of 8000, 11025,
// 16000, 22050, 24000, 32000, 44100 or 48000 Hz, in any combination. Equal
// rates give an identity Resampler that copies samples.
//
// The filter of each pair of rates is designed by the first New for that
// pair and kept for the life of the process, shared read-only by every
// later Resampler for the pair; a Resampler itself holds only its input
// history, 8 bytes per tap of one phase. New is safe for concurrent use.
func New(inRate, outRate int) (*Resampler, error) {
	i, j := rateIndex(inRate), rateIndex(outRate)
	if i < 0 || j < 0 {
		return nil, fmt.Errorf("%w: %d Hz to %d Hz", ErrRate, inRate, outRate)
	}
	g := gcd(inRate, outRate)
	r := &Resampler{inRate: inRate, outRate: outRate, l: outRate / g, m: inRate / g}
	if inRate == outRate {
		return r, nil
	}
	f := filters.get(i, j)
	r.taps, r.k, r.c = f.taps, f.k, f.c
	r.hist = make([]float32, 2*r.k)
	return r, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// InRate returns the input sample rate in Hz.
func (r *Resampler) InRate() int { return r.inRate }

// OutRate returns the output sample rate in Hz.
func (r *Resampler) OutRate() int { return r.outRate }

// String describes the conversion, for pipeline descriptions.
func (r *Resampler) String() string {
	return fmt.Sprintf("Resample(%d->%d)", r.inRate, r.outRate)
}

// OutLen returns the largest number of samples Process can write for n
// input samples: ceil(n*outRate/inRate).
//
// Process keeps exact count across calls: after N input samples in all
// since New or Reset, however they were split into calls, it has written
// ceil(N*outRate/inRate) samples in all. So when n*outRate is a multiple of
// inRate (any whole 20 ms frame, unless one of the rates is 11025 Hz, whose
// 20 ms is 220.5 samples) each call writes exactly OutLen(n); otherwise a
// call writes OutLen(n) or one fewer, depending on what came before.
// Feeding 11025 Hz in chunks of 220 and 221 samples alternately, for
// instance, yields 20 ms of output per chunk on average, and exactly 40 ms
// for every pair of chunks; 20 ms frames into 11025 Hz yield 221 and 220
// samples alternately.
func (r *Resampler) OutLen(n int) int {
	if n <= 0 {
		return 0
	}
	return (n*r.l + r.m - 1) / r.m
}

// Delay returns the filter's group delay in output samples: output sample
// i+Delay() corresponds to the input at time i. It is 0 for the identity.
func (r *Resampler) Delay() int {
	return r.c / r.m
}

// Reset clears the filter history, as if the Resampler were new.
func (r *Resampler) Reset() {
	clear(r.hist)
	r.pos = 0
	r.phase = 0
}

// Process resamples in into out and returns the number of samples written.
// out should hold OutLen(len(in)) samples; if it is shorter, the samples
// that do not fit are discarded (the filter state still advances over all
// of in), so size it with OutLen. Process does not retain either slice and
// allocates nothing.
func (r *Resampler) Process(in, out []int16) int {
	if r.l == r.m {
		return copy(out, in)
	}
	n := 0
	k := r.k
	for _, s := range in {
		v := float32(s)
		r.hist[r.pos] = v
		r.hist[r.pos+k] = v
		r.pos++
		if r.pos == k {
			r.pos = 0
		}
		win := r.hist[r.pos : r.pos+k]
		for ; r.phase < r.l; r.phase += r.m {
			if n < len(out) {
				out[n] = toInt16(dot(r.taps[r.phase*k:(r.phase+1)*k], win))
				n++
			}
		}
		r.phase -= r.l
	}
	return n
}

// dot returns the inner product of a and b, which have the same length. Four
// independent accumulators shorten the dependency chain; the summation order
// depends only on the length, so results do not depend on how a signal is
// split into calls.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// toInt16 rounds v to the nearest integer and saturates it to int16.
func toInt16(v float32) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	case v >= 0:
		return int16(v + 0.5)
	default:
		return int16(v - 0.5)
	}
}
