package g722

import "testing"

// BenchmarkEncode measures encoding one 20 ms frame (320 samples at
// 16 kHz into 160 octets).
func BenchmarkEncode(b *testing.B) {
	pcm := noise(320, 9)
	payload := make([]byte, 160)
	enc := NewEncoder()
	b.ReportAllocs()
	b.SetBytes(2 * 320)
	for b.Loop() {
		if _, err := enc.Encode(pcm, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode measures decoding one 20 ms frame (160 octets into 320
// samples) in each mode.
func BenchmarkDecode(b *testing.B) {
	pcm := noise(320, 10)
	payload := make([]byte, 160)
	if _, err := NewEncoder().Encode(pcm, payload); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []Mode{Mode1, Mode2, Mode3} {
		b.Run(mode.String(), func(b *testing.B) {
			dec, err := NewDecoder(mode)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(2 * 320)
			for b.Loop() {
				if _, err := dec.Decode(payload, pcm); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
