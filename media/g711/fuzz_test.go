package g711

import (
	"errors"
	"testing"
)

// fuzzDecoder checks the decoder contract on arbitrary payloads: it never
// panics, writes exactly len(payload) samples when pcm has room and
// reports ErrShortBuffer otherwise, and re-encoding the samples gives the
// payload back (canon maps codes that share a value to one code).
func fuzzDecoder(f *testing.F, dec decoder, enc encoder, canon func(byte) byte) {
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0x00, 0x7F, 0x80, 0xFF}, uint16(4))
	f.Add([]byte{0x2A, 0x55, 0xAA, 0xD5}, uint16(3))
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	f.Add(all, uint16(256))
	f.Add(make([]byte, 160), uint16(160))
	f.Fuzz(func(t *testing.T, payload []byte, room uint16) {
		pcm := make([]int16, int(room)%2048)
		n, err := dec.Decode(payload, pcm)
		if len(pcm) < len(payload) {
			if !errors.Is(err, ErrShortBuffer) || n != 0 {
				t.Fatalf("Decode %d bytes into %d samples = %d, %v", len(payload), len(pcm), n, err)
			}
			return
		}
		if err != nil || n != len(payload) {
			t.Fatalf("Decode %d bytes = %d, %v", len(payload), n, err)
		}
		again := make([]byte, n)
		if m, err := enc.Encode(pcm[:n], again); err != nil || m != n {
			t.Fatalf("Encode %d samples = %d, %v", n, m, err)
		}
		for i := range again {
			if again[i] != canon(payload[i]) {
				t.Fatalf("code %#02x decodes to %d, encodes to %#02x", payload[i], pcm[i], again[i])
			}
		}
	})
}

func FuzzDecodeULaw(f *testing.F) {
	fuzzDecoder(f, ULawDecoder{}, ULawEncoder{}, func(c byte) byte {
		if c == 0x7F { // negative zero
			return 0xFF
		}
		return c
	})
}

func FuzzDecodeALaw(f *testing.F) {
	fuzzDecoder(f, ALawDecoder{}, ALawEncoder{}, func(c byte) byte { return c })
}
