package vad

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDBMatchesLog10 checks dB against 10*math.Log10, to 4 units in the
// last place, on a million values spread evenly in log scale from 1e-30 to
// 1e30 (the detector's powers and power ratios lie within 1e-24..1e24), on
// values near 1 (0 dB: no cancellation), on powers of two and their
// neighbours, and on the special values it hands to math.Log10.
func TestDBMatchesLog10(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(x float64) {
		t.Helper()
		got, want := dB(x), 10*math.Log10(x)
		if ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want); math.Abs(got-want) > 4*ulp {
			t.Fatalf("dB(%g) = %.17g, 10*log10 = %.17g", x, got, want)
		}
	}
	for range 1_000_000 {
		check(math.Pow(10, 60*rng.Float64()-30))
	}
	for e := -100; e <= 100; e++ {
		check(math.Ldexp(1, e))
		check(math.Nextafter(math.Ldexp(1, e), 0))
	}
	for range 100_000 {
		check(1 + 0.5*(rng.Float64()-0.5))
	}
	for _, x := range []float64{0, -1, math.SmallestNonzeroFloat64, math.Inf(1), math.NaN(), minPower} {
		got, want := dB(x), 10*math.Log10(x)
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("dB(%g) = %g, want %g", x, got, want)
		}
	}
}
