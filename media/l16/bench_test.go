package l16

import "testing"

// BenchmarkEncode measures one 20 ms frame at 16 kHz (320 samples).
func BenchmarkEncode(b *testing.B) {
	pcm := make([]int16, 320)
	for i := range pcm {
		pcm[i] = int16(i * 97)
	}
	payload := make([]byte, 640)
	b.ReportAllocs()
	b.SetBytes(640)
	for b.Loop() {
		if _, err := (Encoder{}).Encode(pcm, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode measures one 20 ms frame at 16 kHz (640 bytes).
func BenchmarkDecode(b *testing.B) {
	pcm := make([]int16, 320)
	payload := make([]byte, 640)
	for i := range payload {
		payload[i] = byte(i * 31)
	}
	b.ReportAllocs()
	b.SetBytes(640)
	for b.Loop() {
		if _, err := (Decoder{}).Decode(payload, pcm); err != nil {
			b.Fatal(err)
		}
	}
}
