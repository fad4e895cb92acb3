package render

import (
	"math"

	"github.com/parley-cc/parley/mrcp/ssml"
)

// Limits applied to prosody factors.
const (
	minFactor = 0.25
	maxFactor = 4
)

// Effective combines the request's baseline prosody with an item's:
// factors multiply. A zero Prosody counts as ssml.DefaultProsody; a
// factor that is not a positive number counts as 1 (Range and Volume may
// be 0). Rate and Pitch are clamped to [0.25, 4], Range and Volume to
// [0, 4].
func Effective(base, item ssml.Prosody) ssml.Prosody {
	b, i := normal(base), normal(item)
	return ssml.Prosody{
		Rate:   clamp(b.Rate*i.Rate, minFactor, maxFactor),
		Pitch:  clamp(b.Pitch*i.Pitch, minFactor, maxFactor),
		Range:  clamp(b.Range*i.Range, 0, maxFactor),
		Volume: clamp(b.Volume*i.Volume, 0, maxFactor),
	}
}

// normal replaces invalid factors of p with 1.
func normal(p ssml.Prosody) ssml.Prosody {
	if p == (ssml.Prosody{}) {
		return ssml.DefaultProsody
	}
	pos := func(v float64) float64 {
		if v > 0 && !math.IsInf(v, 0) {
			return v
		}
		return 1
	}
	nonNeg := func(v float64) float64 {
		if v >= 0 && !math.IsInf(v, 0) {
			return v
		}
		return 1
	}
	return ssml.Prosody{Rate: pos(p.Rate), Pitch: pos(p.Pitch), Range: nonNeg(p.Range), Volume: nonNeg(p.Volume)}
}

// clamp returns v limited to [lo, hi].
func clamp(v, lo, hi float64) float64 {
	return math.Min(math.Max(v, lo), hi)
}
