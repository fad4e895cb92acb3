package g722

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMode(t *testing.T) {
	tests := []struct {
		mode    Mode
		bitRate int
		str     string
	}{
		{Mode1, 64000, "mode 1 (64 kbit/s)"},
		{Mode2, 56000, "mode 2 (56 kbit/s)"},
		{Mode3, 48000, "mode 3 (48 kbit/s)"},
		{0, 0, "mode 0 (unknown)"},
		{4, 0, "mode 4 (unknown)"},
	}
	for _, tc := range tests {
		t.Run(tc.str, func(t *testing.T) {
			if got := tc.mode.BitRate(); got != tc.bitRate {
				t.Errorf("BitRate() = %d, want %d", got, tc.bitRate)
			}
			if got := tc.mode.String(); got != tc.str {
				t.Errorf("String() = %q, want %q", got, tc.str)
			}
			d, err := NewDecoder(tc.mode)
			if tc.bitRate == 0 {
				if !errors.Is(err, ErrMode) || d != nil {
					t.Errorf("NewDecoder(%d) = %v, %v; want nil, ErrMode", tc.mode, d, err)
				}
				return
			}
			if err != nil || d.Mode() != tc.mode {
				t.Errorf("NewDecoder(%d) = %v, %v", tc.mode, d, err)
			}
		})
	}
}

// noise returns n samples of deterministic pseudo-random PCM at about
// -10 dBFS, low-pass filtered so that both sub-bands carry signal.
func noise(n int, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 0))
	pcm := make([]int16, n)
	var y float64
	for i := range pcm {
		y = 0.7*y + 0.3*rng.NormFloat64()*10000
		pcm[i] = int16(max(min(y, 32767), -32768))
	}
	return pcm
}

func TestEncodeErrors(t *testing.T) {
	pcm := noise(320, 1)
	tests := []struct {
		name    string
		pcm     []int16
		payload int
		err     error
	}{
		{"odd length", pcm[:319], 160, ErrOddLength},
		{"short payload", pcm, 159, ErrShortBuffer},
		{"empty payload", pcm[:2], 0, ErrShortBuffer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := NewEncoder()
			payload := make([]byte, tc.payload)
			n, err := enc.Encode(tc.pcm, payload)
			if !errors.Is(err, tc.err) || n != 0 {
				t.Fatalf("Encode = %d, %v; want 0, %v", n, err, tc.err)
			}
			// A failed call leaves the state untouched.
			got := make([]byte, 160)
			want := make([]byte, 160)
			if _, err := enc.Encode(pcm, got); err != nil {
				t.Fatal(err)
			}
			if _, err := NewEncoder().Encode(pcm, want); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("failed Encode changed the encoder state")
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	payload := encodeAll(t, noise(320, 2))
	dec, _ := NewDecoder(Mode1)
	n, err := dec.Decode(payload, make([]int16, 319))
	if !errors.Is(err, ErrShortBuffer) || n != 0 {
		t.Fatalf("Decode 160 bytes into 319 samples = %d, %v; want 0, ErrShortBuffer", n, err)
	}
	got := decodeAll(t, Mode1, payload)
	pcm := make([]int16, 320)
	if _, err := dec.Decode(payload, pcm); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pcm, got) {
		t.Errorf("failed Decode changed the decoder state")
	}
	if n, err := dec.Decode(nil, nil); n != 0 || err != nil {
		t.Errorf("Decode(nil) = %d, %v", n, err)
	}
	if n, err := NewEncoder().Encode(nil, nil); n != 0 || err != nil {
		t.Errorf("Encode(nil) = %d, %v", n, err)
	}
}

// TestFraming checks that the bitstream does not depend on how the input
// is cut into calls: state carries across frames.
func TestFraming(t *testing.T) {
	pcm := noise(3200, 3)
	want := encodeAll(t, pcm)
	for _, size := range []int{2, 6, 160, 322, 3200} {
		enc := NewEncoder()
		got := make([]byte, 0, len(want))
		buf := make([]byte, size/2)
		for i := 0; i < len(pcm); i += size {
			n, err := enc.Encode(pcm[i:min(i+size, len(pcm))], buf)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, buf[:n]...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("encoding in %d-sample calls differs from 320-sample frames", size)
		}
		dec, _ := NewDecoder(Mode1)
		out := make([]int16, 0, len(pcm))
		samples := make([]int16, size)
		for i := 0; i < len(want); i += size / 2 {
			n, err := dec.Decode(want[i:min(i+size/2, len(want))], samples)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, samples[:n]...)
		}
		if !slices.Equal(out, decodeAll(t, Mode1, want)) {
			t.Errorf("decoding in %d-byte calls differs from 160-byte frames", size/2)
		}
	}
}

func TestReset(t *testing.T) {
	a, b := noise(640, 4), noise(640, 5)
	enc := NewEncoder()
	encodeInto := func(pcm []int16) []byte {
		out := make([]byte, len(pcm)/2)
		if _, err := enc.Encode(pcm, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	encodeInto(a)
	enc.Reset()
	if !slices.Equal(encodeInto(b), encodeAll(t, b)) {
		t.Errorf("Encoder.Reset did not restore the initial state")
	}
	payload := encodeAll(t, b)
	for _, mode := range []Mode{Mode1, Mode2, Mode3} {
		dec, _ := NewDecoder(mode)
		out := make([]int16, 2*len(payload))
		if _, err := dec.Decode(encodeAll(t, a), out); err != nil {
			t.Fatal(err)
		}
		dec.Reset()
		if _, err := dec.Decode(payload, out); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, decodeAll(t, mode, payload)) {
			t.Errorf("%v: Decoder.Reset did not restore the initial state", mode)
		}
	}
}

// TestModeIgnoresDataBits checks G.722's modes 2 and 3: the decoder does
// not look at the one or two lowest bits of each octet, which a network
// may use for data; and each mode decodes differently.
func TestModeIgnoresDataBits(t *testing.T) {
	payload := encodeAll(t, noise(3200, 6))
	rng := rand.New(rand.NewPCG(7, 0))
	for _, tc := range []struct {
		mode Mode
		mask byte
	}{{Mode2, 0x01}, {Mode3, 0x03}} {
		stolen := slices.Clone(payload)
		for i := range stolen {
			stolen[i] ^= byte(rng.Uint32()) & tc.mask
		}
		if !slices.Equal(decodeAll(t, tc.mode, stolen), decodeAll(t, tc.mode, payload)) {
			t.Errorf("%v: output depends on the data bits %#02x", tc.mode, tc.mask)
		}
	}
	m1, m2, m3 := decodeAll(t, Mode1, payload), decodeAll(t, Mode2, payload), decodeAll(t, Mode3, payload)
	if slices.Equal(m1, m2) || slices.Equal(m2, m3) || slices.Equal(m1, m3) {
		t.Errorf("modes 1, 2 and 3 decode the same stream identically")
	}
}

// codecDelay is the delay of the transmit and receive QMF together, in
// 16 kHz samples: decoded sample i+22 best matches input sample i.
const codecDelay = 22

// snr returns the signal to noise ratio in dB of out against in, with out
// delayed by codecDelay.
func snr(in, out []int16) float64 {
	var sig, noise float64
	for i := 0; i+codecDelay < len(out) && i < len(in); i++ {
		x, y := float64(in[i]), float64(out[i+codecDelay])
		sig += x * x
		noise += (x - y) * (x - y)
	}
	return 10 * math.Log10(sig/noise)
}

// TestRoundTripSNR encodes and decodes speech and tones and checks the SNR
// of each mode against a floor a few dB under what this implementation
// (bit-exact with FFmpeg) measures, so a regression in either coder or a
// QMF misalignment fails.
func TestRoundTripSNR(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		pcm   []int16
		floor [3]float64 // dB for modes 1, 2, 3
	}{
		{"speech", speech(t, dir), [3]float64{24, 22, 18}},
		{"tones", soxSynth(t, dir, "tones", "synth", "1", "sine", "300", "sine", "3400", "sine", "6000", "channels", "1", "vol", "0.6"), [3]float64{20, 20, 19}},
	}
	for _, tc := range tests {
		pcm := tc.pcm[:len(tc.pcm)/320*320]
		payload := encodeAll(t, pcm)
		prev := math.Inf(1)
		for i, mode := range []Mode{Mode1, Mode2, Mode3} {
			got := snr(pcm, decodeAll(t, mode, payload))
			t.Logf("%s %v: SNR %.2f dB", tc.name, mode, got)
			if got < tc.floor[i] {
				t.Errorf("%s %v: SNR %.2f dB < %.0f dB", tc.name, mode, got, tc.floor[i])
			}
			if got > prev {
				t.Errorf("%s %v: SNR %.2f dB above the higher bit rate's %.2f dB", tc.name, mode, got, prev)
			}
			prev = got
		}
	}
}

// TestSilence checks the idle channel: digital silence comes back as
// low-level noise from the adaptive quantizers' smallest steps.
func TestSilence(t *testing.T) {
	out := decodeAll(t, Mode1, encodeAll(t, make([]int16, 16000)))
	peak := 0
	for _, s := range out[1600:] {
		peak = max(peak, int(s), -int(s))
	}
	t.Logf("idle channel peak after 100 ms: %d", peak)
	if peak > 16 {
		t.Errorf("silence decodes with peak %d, want <= 16 (-66 dBFS)", peak)
	}
}

func TestZeroAllocs(t *testing.T) {
	pcm := noise(320, 8)
	payload := make([]byte, 160)
	enc := NewEncoder()
	decs := make([]*Decoder, 3)
	for i := range decs {
		decs[i], _ = NewDecoder(Mode(i + 1))
	}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = enc.Encode(pcm, payload)
		for _, d := range decs {
			_, _ = d.Decode(payload, pcm)
		}
	})
	if allocs != 0 {
		t.Errorf("encode and decode of one 20 ms frame: %v allocs, want 0", allocs)
	}
}
