package espeak

import (
	"fmt"
	"math"
)

// espeak-ng carries some state from one synthesis to the next (its pitch
// flutter's phase), so renderings of one text differ by a few
// milliseconds. similar compares two renderings by duration, median F0
// and energy envelope instead of sample by sample; it returns "" when
// they match.
func similar(a, b []int16, rate int) string {
	da, db := float64(len(a))/float64(rate), float64(len(b))/float64(rate)
	if math.Abs(da-db) > 0.02*max(da, db) {
		return fmt.Sprintf("durations %.3f and %.3f s", da, db)
	}
	fa, fb := medianF0(a, rate), medianF0(b, rate)
	if math.Abs(fa-fb) > 0.08*max(fa, fb) {
		return fmt.Sprintf("median F0 %.0f and %.0f Hz", fa, fb)
	}
	if c := corr(envelope(a, rate), envelope(b, rate)); c < 0.95 {
		return fmt.Sprintf("energy envelopes correlate %.3f", c)
	}
	return ""
}

// envelope returns the log energy of pcm's 50 ms frames, coarse enough
// for the few milliseconds two renderings of one text drift apart.
func envelope(pcm []int16, rate int) []float64 {
	n := rate / 20
	var out []float64
	for i := 0; i+n <= len(pcm); i += n {
		out = append(out, math.Log(rms(pcm[i:i+n])+1))
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
