package mediatest

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// bursts returns seconds of speech-like audio at rate Hz: harmonic
// bursts of random pitch, length and loudness with short gaps.
func bursts(seed uint64, rate int, seconds float64) []int16 {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]int16, int(seconds*float64(rate)))
	for i := 0; i < len(out); {
		n := rate * (60 + rng.IntN(200)) / 1000
		f0 := 90 + rng.Float64()*200
		amp := 2000 + rng.Float64()*8000
		for k := 0; k < n && i+k < len(out); k++ {
			t := float64(k) / float64(rate)
			ramp := math.Sin(math.Pi * float64(k) / float64(n))
			var v float64
			for h := 1; h <= 8; h++ {
				v += math.Sin(2*math.Pi*f0*float64(h)*t) / float64(h)
			}
			out[i+k] = int16(amp * ramp * v / 2)
		}
		i += n + rate*rng.IntN(80)/1000
	}
	return out
}

// ulaw round-trips x through G.711 μ-law (ITU-T G.711, 14-bit segments).
func ulaw(x []int16) []int16 {
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = ulawDecode(ulawEncode(v))
	}
	return out
}

func ulawEncode(s int16) byte {
	const bias, clip = 0x84, 32635
	v := int(s)
	sign := 0
	if v < 0 {
		v, sign = -v, 0x80
	}
	v = min(v, clip) + bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}

func ulawDecode(u byte) int16 {
	u = ^u
	v := ((int(u&0x0f) << 3) + 0x84) << ((u >> 4) & 7)
	if u&0x80 != 0 {
		return int16(0x84 - v)
	}
	return int16(v - 0x84)
}

func toInt16(x []float64) []int16 {
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = int16(max(math.MinInt16, min(math.MaxInt16, math.Round(v))))
	}
	return out
}

// call makes what a phone call does of ref (at 16 kHz): 8 kHz, μ-law,
// delay seconds of low noise before it and half a second after.
func call(ref []int16, delay float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 1))
	narrow := ulaw(toInt16(Resample(ref, 16000, 8000)))
	rec := make([]int16, 0, len(narrow)+int((delay+0.5)*8000))
	noise := func(n int) {
		for range n {
			rec = append(rec, int16(rng.NormFloat64()*30))
		}
	}
	noise(int(delay * 8000))
	rec = append(rec, narrow...)
	noise(4000)
	return rec
}

func TestCorrelate(t *testing.T) {
	ref := bursts(1, 16000, 3)
	cases := []struct {
		name     string
		rec      []int16
		rate     int
		wantLag  time.Duration
		min, max float64 // bounds on Peak
	}{
		{"identical", ref, 16000, 0, 0.999, 1},
		{"call delayed 1.3 s", call(ref, 1.3, 2), 8000, 1300 * time.Millisecond, 0.95, 1},
		{"call delayed 1.95 s", call(ref, 1.95, 3), 8000, 1950 * time.Millisecond, 0.95, 1},
		{"start cut off", call(ref, 0, 4)[4000:], 8000, -500 * time.Millisecond, 0.95, 1},
		{"inverted", invert(ref), 16000, 0, -1, -0.999},
		{"other audio", call(bursts(7, 16000, 3), 1, 5), 8000, -1, -0.5, 0.5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Correlate(ref, 16000, tc.rec, tc.rate, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v", m)
			if m.Peak < tc.min || m.Peak > tc.max {
				t.Errorf("peak %.3f, want in [%.3f, %.3f]", m.Peak, tc.min, tc.max)
			}
			if tc.wantLag >= 0 || tc.min > 0 {
				if d := m.Lag - tc.wantLag; d < -time.Millisecond || d > time.Millisecond {
					t.Errorf("lag %v, want %v", m.Lag, tc.wantLag)
				}
			}
		})
	}
}

func invert(x []int16) []int16 {
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = -max(v, -math.MaxInt16)
	}
	return out
}

// espeak-ng speech (22050 Hz) found in a μ-law call recording at 8 kHz:
// the resampling ratio is not an integer.
func TestCorrelateSpeech(t *testing.T) {
	path := t.TempDir() + "/speech.wav"
	Run(t, "espeak-ng", "-w", path, "Thank you for calling. How can I help you today?")
	ref, rate := readMono16(t, path)
	narrow := ulaw(toInt16(Resample(ref, rate, 8000)))
	rec := append(make([]int16, 8000*7/10), narrow...)
	m, err := Correlate(ref, rate, rec, 8000, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v", m)
	if m.Peak < 0.95 {
		t.Errorf("peak %.3f, want >= 0.95", m.Peak)
	}
	if d := m.Lag - 700*time.Millisecond; d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("lag %v, want 700ms", m.Lag)
	}
}

// A recording half a sample (at CorrelateRate) away from the reference,
// as a 16-to-8 kHz resampler leaves it, still correlates fully, at the
// fractional lag: whole-sample lags alone gave speech 0.92.
func TestCorrelateHalfSample(t *testing.T) {
	ref := toInt16(Resample(bursts(3, 16000, 3), 16000, 16000))
	for shift := range 3 { // in 16 kHz samples: 0, 1/2 and 1 sample at 8 kHz
		rec := append(make([]int16, 8000+shift), ref...)
		m, err := Correlate(ref, 16000, rec, 16000, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		want := 500*time.Millisecond + time.Duration(shift)*time.Second/16000
		if m.Peak < 0.995 {
			t.Errorf("shift %d/16000 s: peak %.3f, want >= 0.995", shift, m.Peak)
		}
		if d := m.Lag - want; d < -20*time.Microsecond || d > 20*time.Microsecond {
			t.Errorf("shift %d/16000 s: lag %v, want %v", shift, m.Lag, want)
		}
	}
}

func TestCorrelateErrors(t *testing.T) {
	ref := bursts(1, 8000, 1)
	for _, tc := range []struct {
		name     string
		ref, rec []int16
		r1, r2   int
		maxLag   time.Duration
	}{
		{"zero rate", ref, ref, 0, 8000, time.Second},
		{"negative lag", ref, ref, 8000, 8000, -time.Second},
		{"too short", ref[:100], ref, 8000, 8000, time.Second},
		{"empty recording", ref, nil, 8000, 8000, time.Second},
	} {
		if _, err := Correlate(tc.ref, tc.r1, tc.rec, tc.r2, tc.maxLag); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func BenchmarkCorrelate5s(b *testing.B) {
	ref := bursts(1, 16000, 5)
	rec := call(ref, 1.5, 2)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Correlate(ref, 16000, rec, 8000, 2*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}

// readMono16 converts a WAV file to raw mono 16-bit at 22050 Hz with sox
// and returns its samples.
func readMono16(t *testing.T, path string) ([]int16, int) {
	t.Helper()
	const rate = 22050
	raw := path + ".raw"
	Run(t, "sox", path, "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", "22050", "-L", raw)
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm, rate
}
