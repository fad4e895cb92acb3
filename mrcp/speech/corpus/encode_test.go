package corpus

import (
	"errors"
	"math"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

// TestEncode passes synthesized speech through every codec and checks
// that the speech survives: it lines up with the input at the codec's
// delay, correlates with it, and keeps its level.
func TestEncode(t *testing.T) {
	requireSynths(t)
	us, err := Build(t.Context(), t.TempDir(), threePhrases[:2], Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		format  Format
		rate    int
		lag     float64 // expected, in samples at rate
		minCorr float64
	}{
		{FormatL16, 16000, 0, 0.9999},
		{FormatG722, 16000, 22, 0.99},
		{FormatOpus, 16000, 104, 0.9},
		{FormatPCMU, 8000, 0, 0.99},
	}
	for _, u := range us {
		src := readUtterance(t, u.WAV)
		for _, tc := range tests {
			t.Run(u.ID+"/"+string(tc.format), func(t *testing.T) {
				got, rate, err := Encode(u, tc.format)
				if err != nil {
					t.Fatal(err)
				}
				if rate != tc.rate {
					t.Fatalf("rate %d, want %d", rate, tc.rate)
				}
				want, err := resampleTo(src, SampleRate, rate)
				if err != nil {
					t.Fatal(err)
				}
				frame := rate / 50
				if wantLen := (len(want) + frame - 1) / frame * frame; len(got) != wantLen {
					t.Errorf("%d samples, want %d", len(got), wantLen)
				}
				lag, corr := mediatest.BestLag(want, got, rate/50)
				t.Logf("%s by %s: lag %.1f samples, correlation %.4f, RMS %.0f -> %.0f", u.ID, u.Voice, lag, corr, rms(want), rms(got))
				if math.Abs(lag-tc.lag) > 2 {
					t.Errorf("lag %.1f samples, want %.0f", lag, tc.lag)
				}
				if corr < tc.minCorr {
					t.Errorf("correlation %.4f, want at least %.4f", corr, tc.minCorr)
				}
				if r := rms(got) / rms(want); r < 0.8 || r > 1.25 {
					t.Errorf("level changed by %.2f", r)
				}
			})
		}
	}
}

func TestRoundTripErrors(t *testing.T) {
	pcm := mediatest.ToneSamples(440, 16000, 0.5, 1600)
	if _, _, err := RoundTrip(pcm, 16000, "gsm"); !errors.Is(err, ErrFormat) {
		t.Errorf("RoundTrip(gsm) = %v, want ErrFormat", err)
	}
	if _, _, err := RoundTrip(pcm, 12345, FormatG722); !errors.Is(err, ErrFormat) {
		t.Errorf("RoundTrip at 12345 Hz = %v, want ErrFormat", err)
	}
	if _, _, err := Encode(Utterance{ID: "x", WAV: "/nonexistent.wav"}, FormatL16); err == nil {
		t.Error("Encode of a missing file: no error")
	}
	out, rate, err := RoundTrip(nil, 16000, FormatOpus)
	if err != nil || len(out) != 0 || rate != 16000 {
		t.Errorf("RoundTrip(nil) = %d samples, %d Hz, %v; want 0, 16000, nil", len(out), rate, err)
	}
}

func TestRoundTripTone(t *testing.T) {
	// From 8 kHz input too: RoundTrip resamples to the codec's rate.
	for _, in := range []int{8000, 16000, 48000} {
		for _, f := range Formats() {
			pcm := mediatest.ToneSamples(440, in, 0.3, in/2)
			got, rate, err := RoundTrip(pcm, in, f)
			if err != nil {
				t.Fatalf("%s from %d Hz: %v", f, in, err)
			}
			want := mediatest.ToneSamples(440, rate, 0.3, rate/2)
			if _, corr := mediatest.BestLag(want, got, rate/50); corr < 0.9 {
				t.Errorf("%s from %d Hz: correlation %.3f", f, in, corr)
			}
		}
	}
}
