package vad

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refUpdate is noiseTracker.update as first written, with min and max.
func refUpdate(t *noiseTracker, band *[numBands]float64) {
	if t.seen < t.seed {
		t.seen++
		w := 1 / float64(t.seen)
		for b, p := range band {
			t.noise[b] += w * (p - t.noise[b])
		}
		t.smooth, t.min, t.tmp = t.noise, t.noise, t.noise
		return
	}
	t.count++
	turn := t.count >= t.window
	if turn {
		t.count = 0
	}
	for b, p := range band {
		s := t.alphaS*t.smooth[b] + (1-t.alphaS)*p
		t.smooth[b] = s
		t.min[b] = min(t.min[b], s)
		t.tmp[b] = min(t.tmp[b], s)
		if turn {
			t.min[b] = min(t.tmp[b], s)
			t.tmp[b] = s
		}
		var present float64
		if s > presenceRatio*t.min[b] || p > 2*presenceRatio*t.min[b] {
			present = 1
		}
		t.presence[b] = t.alphaP*t.presence[b] + (1-t.alphaP)*present
		a := t.alphaD + (1-t.alphaD)*max(t.presence[b], present)
		n := a*t.noise[b] + (1-a)*p
		t.noise[b] = max(min(n, floorCap*t.min[b]), minPower)
	}
}

// TestNoiseUpdateMatchesReference checks that update leaves exactly the
// state that the first version (refUpdate) does, frame after frame, for
// every frame duration, on band powers that jump between noise, speech and
// digital silence.
func TestNoiseUpdateMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, ms := range []int{10, 20, 30} {
		got, want := newNoiseTracker(ms), newNoiseTracker(ms)
		for f := range 20000 {
			var band [numBands]float64
			level := []float64{1e-6, 1e-3, minPower}[f/50%3]
			for b := range band {
				band[b] = max(level*math.Exp(3*rng.NormFloat64()), minPower)
			}
			got.update(&band)
			refUpdate(&want, &band)
			if got != want {
				t.Fatalf("%d ms, frame %d: state %+v, want %+v", ms, f, got, want)
			}
		}
	}
}
