package opus

import (
	"strconv"
	"testing"
)

// TestRoundTripQuality encodes and decodes a tone and espeak-ng speech at
// each rate and checks the waveform match after the codec delay. The
// bounds sit about 3 dB / 0.01 below the measured figures
// (docs/benchmarks/opus-dtmf.md).
func TestRoundTripQuality(t *testing.T) {
	tests := []struct {
		signal  string
		rate    int
		minSNR  float64
		minCorr float64
	}{
		{"tone", 8000, 14, 0.985},
		{"tone", 16000, 20, 0.99},
		{"tone", 48000, 20, 0.99},
		{"speech", 8000, 7, 0.93},
		{"speech", 16000, 8, 0.95},
		{"speech", 48000, 8, 0.95},
	}
	for _, tc := range tests {
		t.Run(tc.signal+"/"+strconv.Itoa(tc.rate), func(t *testing.T) {
			pcm := tone(tc.rate, tc.rate, 440, 8000)
			if tc.signal == "speech" {
				pcm = speech(t, tc.rate)
			}
			enc, err := NewEncoder(Config{SampleRate: tc.rate})
			if err != nil {
				t.Fatal(err)
			}
			dec, err := NewDecoder(tc.rate)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeAll(t, dec, encodeAll(t, enc, pcm, tc.rate/50))
			if len(got) != len(pcm)/(tc.rate/50)*(tc.rate/50) {
				t.Fatalf("decoded %d samples from %d", len(got), len(pcm))
			}
			a := align(pcm, got, tc.rate, tc.rate/10)
			t.Logf("lag %d snr %.2f dB corr %.4f", a.lag, a.snr, a.corr)
			if a.snr < tc.minSNR || a.corr < tc.minCorr {
				t.Errorf("snr %.2f dB corr %.4f, want >= %.0f dB and >= %.2f", a.snr, a.corr, tc.minSNR, tc.minCorr)
			}
		})
	}
}

// TestFrameDurations encodes 10, 20, 40 and 60 ms frames: each packet
// declares and decodes to exactly one frame, and the speech survives.
func TestFrameDurations(t *testing.T) {
	const rate = 16000
	pcm := speech(t, rate)
	for _, ms := range []int{10, 20, 40, 60} {
		t.Run(strconv.Itoa(ms)+"ms", func(t *testing.T) {
			frame := rate * ms / 1000
			enc, err := NewEncoder(Config{SampleRate: rate})
			if err != nil {
				t.Fatal(err)
			}
			dec, err := NewDecoder(rate)
			if err != nil {
				t.Fatal(err)
			}
			pkts := encodeAll(t, enc, pcm, frame)
			for i, p := range pkts {
				if n, err := PacketSamples(p, rate); err != nil || n != frame {
					t.Fatalf("packet %d: PacketSamples = %d, %v; want %d", i, n, err, frame)
				}
			}
			got := decodeAll(t, dec, pkts)
			if want := len(pkts) * frame; len(got) != want {
				t.Fatalf("decoded %d samples, want %d", len(got), want)
			}
			if a := align(pcm, got, rate, rate/10); a.corr < 0.93 {
				t.Errorf("corr %.4f at %d ms frames, want >= 0.93", a.corr, ms)
			}
		})
	}
}
