package media

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
)

// TestCodecRoundTrip encodes a 1 kHz tone with every audio codec Parley
// negotiates and checks what decodes back is the same tone (correlation
// after the codec's delay), frame by frame as the media path uses them.
func TestCodecRoundTrip(t *testing.T) {
	opus16, err := NewCodec(111, NameOpus, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	opus16.SampleRate = 16000
	l16, err := NewCodec(96, NameL16, 16000, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		codec   Codec
		minCorr float64
	}{
		{PCMU(), 0.99},
		{PCMA(), 0.99},
		{G722(), 0.95},
		{l16, 0.999},
		{opus16, 0.9},
	}
	for _, tc := range tests {
		t.Run(tc.codec.Name, func(t *testing.T) {
			enc, err := NewEncoder(tc.codec)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := NewDecoder(tc.codec)
			if err != nil {
				t.Fatal(err)
			}
			n := tc.codec.FrameSamples(20 * time.Millisecond)
			frames := 50
			in := mediatest.ToneSamples(1000, tc.codec.SampleRate, 0.5, n*frames)
			out := make([]int16, 0, len(in))
			payload := make([]byte, 1500)
			pcm := make([]int16, n)
			for f := range frames {
				pn, err := enc.Encode(in[f*n:(f+1)*n], payload)
				if err != nil {
					t.Fatalf("frame %d: encode: %v", f, err)
				}
				got, err := dec.Decode(payload[:pn], pcm)
				if err != nil {
					t.Fatalf("frame %d: decode: %v", f, err)
				}
				if got != n {
					t.Fatalf("frame %d: decoded %d samples, want %d", f, got, n)
				}
				out = append(out, pcm[:got]...)
			}
			if c := bestCorrelation(in, out, 400); c < tc.minCorr {
				t.Fatalf("correlation %.4f < %.2f", c, tc.minCorr)
			}
		})
	}
}

func TestNewCodecUnknown(t *testing.T) {
	te, err := NewCodec(101, NameTelephoneEvent, 8000, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewDecoder(te); !errors.Is(err, ErrUnknownCodec) {
		t.Fatalf("decoder for telephone-event: %v", err)
	}
	if _, err := NewEncoder(Codec{Name: "GSM"}); !errors.Is(err, ErrUnknownCodec) {
		t.Fatalf("encoder for GSM: %v", err)
	}
}

// bestCorrelation is the highest normalised cross-correlation of b against
// a over lags 0..maxLag, skipping the first frames where codecs settle.
func bestCorrelation(a, b []int16, maxLag int) float64 {
	best := -1.0
	skip := len(a) / 5
	for lag := 0; lag <= maxLag; lag++ {
		var ab, aa, bb float64
		for i := skip; i+lag < len(b) && i < len(a); i++ {
			x, y := float64(a[i]), float64(b[i+lag])
			ab += x * y
			aa += x * x
			bb += y * y
		}
		if aa == 0 || bb == 0 {
			continue
		}
		best = math.Max(best, ab/math.Sqrt(aa*bb))
	}
	return best
}
