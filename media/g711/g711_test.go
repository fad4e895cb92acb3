package g711

import (
	"errors"
	"testing"
)

func TestKnownCodes(t *testing.T) {
	tests := []struct {
		name string
		in   int16
		ulaw byte
		alaw byte
	}{
		{"zero", 0, 0xFF, 0xD5},
		{"minus one", -1, 0xFF, 0xD5},
		{"minus five", -5, 0x7E, 0x55},
		{"plus two rounds up", 2, 0xFE, 0xD5},
		{"plus four", 4, 0xFE, 0xD5},
		{"full scale positive", 32767, 0x80, 0xAA},
		{"full scale negative", -32768, 0x00, 0x2A},
		{"μ-law clip edge", 32124, 0x80, 0xAA},
		{"segment boundary", 1000, 0xCE, 0xFA},
		{"negative segment boundary", -1000, 0x4E, 0x7A},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LinearToULaw(tc.in); got != tc.ulaw {
				t.Errorf("LinearToULaw(%d) = %#02x, want %#02x", tc.in, got, tc.ulaw)
			}
			if got := LinearToALaw(tc.in); got != tc.alaw {
				t.Errorf("LinearToALaw(%d) = %#02x, want %#02x", tc.in, got, tc.alaw)
			}
		})
	}
}

func TestDecodeKnownValues(t *testing.T) {
	tests := []struct {
		name string
		code byte
		ulaw int16
		alaw int16
	}{
		{"0x00", 0x00, -32124, -5504},
		{"0x2A", 0x2A, -5372, -32256},
		{"0x55", 0x55, -716, -8},
		{"0x7F", 0x7F, 0, -848},
		{"0x80", 0x80, 32124, 5504},
		{"0xAA", 0xAA, 5372, 32256},
		{"0xD5", 0xD5, 716, 8},
		{"0xFF", 0xFF, 0, 848},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ULawToLinear(tc.code); got != tc.ulaw {
				t.Errorf("ULawToLinear(%#02x) = %d, want %d", tc.code, got, tc.ulaw)
			}
			if got := ALawToLinear(tc.code); got != tc.alaw {
				t.Errorf("ALawToLinear(%#02x) = %d, want %d", tc.code, got, tc.alaw)
			}
		})
	}
}

// TestCodeRoundTrip checks that every reconstruction value encodes back to
// its own code: decode is a right inverse of encode, except μ-law's
// negative zero 0x7F, which decodes to 0 and encodes as positive zero 0xFF.
func TestCodeRoundTrip(t *testing.T) {
	for c := range 256 {
		code := byte(c)
		wantU := code
		if code == 0x7F {
			wantU = 0xFF
		}
		if got := LinearToULaw(ULawToLinear(code)); got != wantU {
			t.Errorf("μ-law %#02x -> %d -> %#02x", code, ULawToLinear(code), got)
		}
		if got := LinearToALaw(ALawToLinear(code)); got != code {
			t.Errorf("A-law %#02x -> %d -> %#02x", code, ALawToLinear(code), got)
		}
	}
}

// TestMonotonic checks that the reconstructed value never decreases as the
// input increases, and that the quantization error stays within one step
// of the segment (G.711 Tables 1a/2a: largest step 1024 μ-law, 1024 A-law
// in 16-bit units), plus the clipped range at the top.
func TestMonotonic(t *testing.T) {
	laws := []struct {
		name   string
		enc    func(int16) byte
		dec    func(byte) int16
		maxErr int
	}{
		{"ulaw", LinearToULaw, ULawToLinear, 1024},
		{"alaw", LinearToALaw, ALawToLinear, 1024},
	}
	for _, law := range laws {
		t.Run(law.name, func(t *testing.T) {
			prev := law.dec(law.enc(-32768))
			for s := -32768; s <= 32767; s++ {
				y := law.dec(law.enc(int16(s)))
				if y < prev {
					t.Fatalf("%d decodes to %d, below %d for %d", s, y, prev, s-1)
				}
				if d := abs(int(y) - s); d > law.maxErr {
					t.Fatalf("%d decodes to %d: error %d > %d", s, y, d, law.maxErr)
				}
				prev = y
			}
		})
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestSliceFunctionsUseShorterLength(t *testing.T) {
	pcm := []int16{0, 1000, -1000, 32767}
	buf := make([]byte, 2)
	if n := EncodeULaw(buf, pcm); n != 2 || buf[0] != 0xFF || buf[1] != 0xCE {
		t.Errorf("EncodeULaw into 2 bytes = %d, % x", n, buf)
	}
	if n := EncodeALaw(buf, pcm); n != 2 || buf[0] != 0xD5 || buf[1] != 0xFA {
		t.Errorf("EncodeALaw into 2 bytes = %d, % x", n, buf)
	}
	out := make([]int16, 8)
	if n := DecodeULaw(out, []byte{0x80, 0x00, 0xFF}); n != 3 || out[0] != 32124 || out[1] != -32124 || out[2] != 0 {
		t.Errorf("DecodeULaw = %d, %v", n, out)
	}
	if n := DecodeALaw(out[:1], []byte{0xAA, 0x2A}); n != 1 || out[0] != 32256 {
		t.Errorf("DecodeALaw into 1 sample = %d, %v", n, out)
	}
}

type encoder interface {
	Encode(pcm []int16, payload []byte) (int, error)
	String() string
}

type decoder interface {
	Decode(payload []byte, pcm []int16) (int, error)
	String() string
}

func TestEncoderDecoder(t *testing.T) {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(i*409 - 32768)
	}
	codecs := []struct {
		enc    encoder
		dec    decoder
		encode func([]byte, []int16) int
	}{
		{ULawEncoder{}, ULawDecoder{}, EncodeULaw},
		{ALawEncoder{}, ALawDecoder{}, EncodeALaw},
	}
	for _, c := range codecs {
		t.Run(c.enc.String(), func(t *testing.T) {
			if c.enc.String() != c.dec.String() {
				t.Errorf("encoder %q, decoder %q", c.enc, c.dec)
			}
			payload := make([]byte, 160)
			n, err := c.enc.Encode(pcm, payload)
			if err != nil || n != 160 {
				t.Fatalf("Encode = %d, %v", n, err)
			}
			want := make([]byte, 160)
			c.encode(want, pcm)
			if string(payload) != string(want) {
				t.Fatalf("Encode differs from the slice function")
			}
			out := make([]int16, 200)
			n, err = c.dec.Decode(payload, out)
			if err != nil || n != 160 {
				t.Fatalf("Decode = %d, %v", n, err)
			}
			if out[160] != 0 {
				t.Errorf("Decode wrote past len(payload)")
			}
		})
		t.Run(c.enc.String()+" short", func(t *testing.T) {
			payload := make([]byte, 159)
			for i := range payload {
				payload[i] = 0x42
			}
			n, err := c.enc.Encode(pcm, payload)
			if !errors.Is(err, ErrShortBuffer) || n != 0 {
				t.Errorf("Encode into 159 bytes = %d, %v; want 0, ErrShortBuffer", n, err)
			}
			if payload[0] != 0x42 {
				t.Errorf("failed Encode wrote into payload")
			}
			out := make([]int16, 158)
			n, err = c.dec.Decode(payload, out)
			if !errors.Is(err, ErrShortBuffer) || n != 0 {
				t.Errorf("Decode into 158 samples = %d, %v; want 0, ErrShortBuffer", n, err)
			}
			if out[0] != 0 {
				t.Errorf("failed Decode wrote into pcm")
			}
		})
	}
}

func TestZeroAllocs(t *testing.T) {
	pcm := make([]int16, 160)
	payload := make([]byte, 160)
	for i := range pcm {
		pcm[i] = int16(i * 200)
	}
	var (
		ue ULawEncoder
		ud ULawDecoder
		ae ALawEncoder
		ad ALawDecoder
	)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ue.Encode(pcm, payload)
		_, _ = ud.Decode(payload, pcm)
		_, _ = ae.Encode(pcm, payload)
		_, _ = ad.Decode(payload, pcm)
	})
	if allocs != 0 {
		t.Errorf("encode+decode of one 20 ms frame per law: %v allocs, want 0", allocs)
	}
}
