package mediatest

import (
	"math/rand/v2"
	"testing"
	"time"
)

// burstNoise is 3 s of 8 kHz noise whose loudness changes every 50 ms:
// a reference Correlate can place.
func burstNoise(seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]int16, 3*8000)
	amp := 0.0
	for i := range x {
		if i%400 == 0 {
			amp = 2000 + 8000*r.Float64()
		}
		x[i] = int16(amp * (2*r.Float64() - 1))
	}
	return x
}

func TestCorrelateSegmentsDroppedFrames(t *testing.T) {
	ref := burstNoise(1)
	// The recording: 300 ms of silence, then the reference with a 20 ms
	// frame dropped every 700 ms (a sender that skips frames).
	rec := make([]int16, 2400)
	for i := 0; i < len(ref); i += 160 {
		if i > 0 && i%(160*35) == 0 {
			continue
		}
		rec = append(rec, ref[i:min(i+160, len(ref))]...)
	}
	m, err := CorrelateSegments(ref, 8000, rec, 8000, time.Second, 200*time.Millisecond, 100*time.Millisecond, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(m)
	if m.Fraction < 0.8 {
		t.Errorf("dropped frames: %v, want most segments matched", m)
	}
	if m.Global.Peak > 0.9 {
		t.Logf("global correlation %.3f: the drops did not break it here", m.Global.Peak)
	}
	other := burstNoise(2)
	m, err = CorrelateSegments(ref, 8000, other, 8000, time.Second, 200*time.Millisecond, 100*time.Millisecond, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if m.Fraction > 0.1 {
		t.Errorf("unrelated audio: %v, want no segment matched", m)
	}
}
