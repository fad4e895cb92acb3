package speechtest

import (
	"fmt"
	"math"
	"slices"
)

// RMS returns the root mean square of pcm.
func RMS(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(pcm)))
}

// MedianF0 estimates the median fundamental frequency of the voiced 40 ms
// frames of pcm by normalized autocorrelation, in Hz (0 if none).
func MedianF0(pcm []int16, rate int) float64 {
	fs := f0s(pcm, rate)
	if len(fs) == 0 {
		return 0
	}
	return fs[len(fs)/2]
}

// F0Spread returns the ratio of the 90th to the 10th percentile of the F0
// of pcm's voiced frames: how much the pitch moves (0 with fewer than 10
// voiced frames).
func F0Spread(pcm []int16, rate int) float64 {
	fs := f0s(pcm, rate)
	if len(fs) < 10 {
		return 0
	}
	return fs[len(fs)*9/10] / fs[len(fs)/10]
}

// f0s estimates the fundamental frequency of each voiced 40 ms frame of
// pcm by normalized autocorrelation, in Hz, sorted. Audio above 8 kHz is
// first decimated to 8 kHz by averaging (ample for voice pitch, and four
// times cheaper at 16 kHz).
func f0s(pcm []int16, rate int) []float64 {
	pcm, rate = decimate(pcm, rate)
	n := rate * 40 / 1000
	var fs []float64
	for off := 0; off+n <= len(pcm); off += n / 2 {
		if f, ok := frameF0(pcm[off:off+n], rate); ok {
			fs = append(fs, f)
		}
	}
	slices.Sort(fs)
	return fs
}

// decimate averages pcm down to 8 kHz when rate is a multiple of it.
func decimate(pcm []int16, rate int) ([]int16, int) {
	d := rate / 8000
	if d <= 1 || rate%8000 != 0 {
		return pcm, rate
	}
	low := make([]int16, len(pcm)/d)
	for i := range low {
		var s int
		for _, v := range pcm[i*d : i*d+d] {
			s += int(v)
		}
		low[i] = int16(s / d)
	}
	return low, 8000
}

// frameF0 estimates the fundamental frequency (60-500 Hz) of one frame,
// and whether the frame is voiced: loud enough, with a normalized
// autocorrelation peak of at least 0.7.
func frameF0(fr []int16, rate int) (float64, bool) {
	if RMS(fr) < 500 {
		return 0, false
	}
	cs := make([]float64, rate/60+1)
	best := 0.0
	for l := rate / 500; l < len(cs); l++ {
		var s, e1, e2 float64
		for i := 0; i+l < len(fr); i++ {
			a, b := float64(fr[i]), float64(fr[i+l])
			s += a * b
			e1 += a * a
			e2 += b * b
		}
		cs[l] = s / math.Sqrt(e1*e2+1)
		best = max(best, cs[l])
	}
	if best < 0.7 {
		return 0, false
	}
	// The first peak nearly as high as the best is the period; the best
	// itself may be a multiple of it.
	for l := rate/500 + 1; l < len(cs)-1; l++ {
		if cs[l] >= 0.9*best && cs[l] >= cs[l-1] && cs[l] >= cs[l+1] {
			return float64(rate) / float64(l), true
		}
	}
	return 0, false
}

// LongestZeroRun returns the length of the longest run of zero samples.
func LongestZeroRun(pcm []int16) int {
	best, run := 0, 0
	for _, v := range pcm {
		if v == 0 {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// Similar compares two renderings of one request by duration (within
// 2%), median F0 (within 8%) and energy envelope (correlation at least
// 0.85: espeak-ng renderings of one request under concurrent load were
// seen as low as 0.926) instead of sample by sample, for engines that carry some state
// from one synthesis to the next (espeak-ng's pitch flutter's phase) so
// that renderings of one text differ by a few milliseconds. It returns ""
// when they match, else how they differ.
func Similar(a, b []int16, rate int) string {
	da, db := float64(len(a))/float64(rate), float64(len(b))/float64(rate)
	if math.Abs(da-db) > 0.02*max(da, db) {
		return fmt.Sprintf("durations %.3f and %.3f s", da, db)
	}
	fa, fb := MedianF0(a, rate), MedianF0(b, rate)
	if math.Abs(fa-fb) > 0.08*max(fa, fb) {
		return fmt.Sprintf("median F0 %.0f and %.0f Hz", fa, fb)
	}
	if c := corr(envelope(a, rate), envelope(b, rate)); c < 0.85 {
		return fmt.Sprintf("energy envelopes correlate %.3f", c)
	}
	return ""
}

// Same compares two renderings sample by sample; it returns "" when they
// are equal, else where they first differ.
func Same(a, b []int16, rate int) string {
	i, n := 0, min(len(a), len(b))
	for i < n && a[i] == b[i] {
		i++
	}
	if i == len(a) && i == len(b) {
		return ""
	}
	return fmt.Sprintf("%d and %d samples, first different at %.3f s", len(a), len(b), float64(i)/float64(rate))
}

// envelope returns the log energy of pcm's 50 ms frames, coarse enough
// for the few milliseconds two renderings of one text drift apart.
func envelope(pcm []int16, rate int) []float64 {
	n := rate / 20
	var out []float64
	for i := 0; i+n <= len(pcm); i += n {
		out = append(out, math.Log(RMS(pcm[i:i+n])+1))
	}
	return out
}

// corr returns the correlation coefficient of a and b over their common
// length.
func corr(a, b []float64) float64 {
	n := min(len(a), len(b))
	if n == 0 {
		return 0
	}
	a, b = a[:n], b[:n]
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(n)
	mb /= float64(n)
	var s, ea, eb float64
	for i := range a {
		s += (a[i] - ma) * (b[i] - mb)
		ea += (a[i] - ma) * (a[i] - ma)
		eb += (b[i] - mb) * (b[i] - mb)
	}
	return s / math.Sqrt(ea*eb+1e-12)
}
