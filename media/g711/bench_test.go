package g711

import (
	"math"
	"testing"
)

// frame returns one 20 ms frame at 8000 Hz: a 440 Hz tone at -6 dBFS.
func frame() []int16 {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(16384 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	return pcm
}

// BenchmarkEncode compares the table-driven encoders with the arithmetic
// quantizers the tables are built from, per 160-sample frame.
func BenchmarkEncode(b *testing.B) {
	pcm := frame()
	payload := make([]byte, len(pcm))
	b.Run("ulaw/table", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(pcm)))
		for b.Loop() {
			EncodeULaw(payload, pcm)
		}
	})
	b.Run("ulaw/arithmetic", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(pcm)))
		for b.Loop() {
			for i, s := range pcm {
				payload[i] = ulaw14(min((int(s)+2)>>2, 8191))
			}
		}
	})
	b.Run("alaw/table", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(pcm)))
		for b.Loop() {
			EncodeALaw(payload, pcm)
		}
	})
	b.Run("alaw/arithmetic", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(pcm)))
		for b.Loop() {
			for i, s := range pcm {
				payload[i] = alaw13(min((int(s)+4)>>3, 4095))
			}
		}
	})
}

// BenchmarkDecode measures decoding one 160-byte payload.
func BenchmarkDecode(b *testing.B) {
	pcm := frame()
	payload := make([]byte, len(pcm))
	EncodeULaw(payload, pcm)
	b.Run("ulaw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			DecodeULaw(pcm, payload)
		}
	})
	EncodeALaw(payload, pcm)
	b.Run("alaw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			DecodeALaw(pcm, payload)
		}
	})
}

// BenchmarkCodec measures the media.Encoder/media.Decoder methods per
// 20 ms frame, as the RTP pipeline calls them.
func BenchmarkCodec(b *testing.B) {
	pcm := frame()
	payload := make([]byte, len(pcm))
	codecs := []struct {
		enc encoder
		dec decoder
	}{
		{ULawEncoder{}, ULawDecoder{}},
		{ALawEncoder{}, ALawDecoder{}},
	}
	for _, c := range codecs {
		b.Run(c.enc.String()+"/encode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.enc.Encode(pcm, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.dec.String()+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.dec.Decode(payload, pcm); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
