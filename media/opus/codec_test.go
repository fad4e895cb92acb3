package opus

import (
	"errors"
	"strconv"
	"testing"
)

// TestRoundTripQuality encodes and decodes a tone and espeak-ng speech at
// each rate and checks the waveform match after the codec delay. The
// bounds sit about 3 dB / 0.01 below the measured figures
// (docs/BENCHMARKS.md).
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

// TestDTX encodes silence: with DTX the encoder soon emits packets of at
// most 2 bytes and reports InDTX; without it, it keeps sending frames.
func TestDTX(t *testing.T) {
	const rate = 16000
	silence := make([]int16, rate/50)
	for _, dtx := range []bool{true, false} {
		enc, err := NewEncoder(Config{SampleRate: rate, DTX: dtx})
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		small := 0
		for range 50 {
			n, err := enc.Encode(silence, buf)
			if err != nil {
				t.Fatal(err)
			}
			if n <= 2 {
				small++
			}
		}
		t.Logf("dtx %v: %d of 50 silent frames sent as <= 2 bytes", dtx, small)
		if dtx && (small < 30 || !enc.InDTX()) { // DTX starts after about 200 ms of silence
			t.Errorf("DTX on: %d of 50 frames <= 2 bytes, InDTX %v", small, enc.InDTX())
		}
		if !dtx && (small != 0 || enc.InDTX()) {
			t.Errorf("DTX off: %d of 50 frames <= 2 bytes, InDTX %v", small, enc.InDTX())
		}
	}
}

func TestEncoderSetters(t *testing.T) {
	enc, err := NewEncoder(Config{SampleRate: 16000, FEC: true, PacketLossPercent: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := enc.String(), "Opus(16000 voip 24kbps fec)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if err := enc.SetBitrate(16000); err != nil {
		t.Fatal(err)
	}
	if err := enc.SetPacketLossPercent(30); err != nil {
		t.Fatal(err)
	}
	if c := enc.Config(); c.Bitrate != 16000 || c.PacketLossPercent != 30 {
		t.Errorf("config after setters: %+v", c)
	}
	if b, err := enc.lib.Bitrate(); err != nil || b != 16000 {
		t.Errorf("libopus bitrate %d, %v", b, err)
	}
	if p, err := enc.lib.PacketLossPerc(); err != nil || p != 30 {
		t.Errorf("libopus packet loss %d, %v", p, err)
	}
	for _, bad := range []int{0, 5999, 510001} {
		if err := enc.SetBitrate(bad); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("SetBitrate(%d): %v", bad, err)
		}
	}
	for _, bad := range []int{-1, 101} {
		if err := enc.SetPacketLossPercent(bad); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("SetPacketLossPercent(%d): %v", bad, err)
		}
	}
	if enc.SampleRate() != 16000 {
		t.Errorf("SampleRate() = %d", enc.SampleRate())
	}
	dec := newDecoder(t, 8000)
	if dec.String() != "Opus(8000)" || dec.SampleRate() != 8000 {
		t.Errorf("decoder %v at %d", dec, dec.SampleRate())
	}
	if got := (Application(9)).String(); got != "Application(9)" {
		t.Errorf("unknown application: %q", got)
	}
	if ModeHybrid.String() != "Hybrid" || Mode(7).String() != "Mode(7)" || Fullband.String() != "FB" || Bandwidth(9).String() != "Bandwidth(9)" {
		t.Error("Mode or Bandwidth String")
	}
}
