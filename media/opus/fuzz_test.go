package opus

import (
	"errors"
	"testing"

	hraban "gopkg.in/hraban/opus.v2"
)

// FuzzPacketSamples checks the framing parser never panics, only fails
// with ErrCorruptFrame, and scales with the rate within the 120 ms limit.
func FuzzPacketSamples(f *testing.F) {
	for _, tc := range packetCases {
		f.Add(tc.packet)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		n48, err := PacketSamples(p, 48000)
		if err != nil {
			if !errors.Is(err, ErrCorruptFrame) {
				t.Fatalf("error %v does not wrap ErrCorruptFrame", err)
			}
			return
		}
		if n48 <= 0 || n48 > 5760 {
			t.Fatalf("%d samples at 48 kHz", n48)
		}
		for _, rate := range []int{8000, 16000} {
			if n, err := PacketSamples(p, rate); err != nil || n != n48*rate/48000 {
				t.Fatalf("rate %d: %d, %v; 48 kHz gave %d", rate, n, err, n48)
			}
		}
	})
}

// FuzzDecode decodes arbitrary payloads with Decoder, DecodeFEC and raw
// libopus: no panic, and Decoder accepts exactly what libopus accepts.
func FuzzDecode(f *testing.F) {
	for _, tc := range packetCases {
		f.Add(tc.packet)
	}
	dec, err := NewDecoder(48000)
	if err != nil {
		f.Fatal(err)
	}
	lib, err := hraban.NewDecoder(48000, 1)
	if err != nil {
		f.Fatal(err)
	}
	pcm := make([]int16, MaxPacketSamples(48000))
	f.Fuzz(func(t *testing.T, p []byte) {
		checkAgainstLibopus(t, lib, p, pcm)
		want, perr := PacketSamples(p, 48000)
		n, err := dec.Decode(p, pcm)
		if (err == nil) != (perr == nil) || n != want {
			t.Fatalf("Decode %d, %v; PacketSamples %d, %v", n, err, want, perr)
		}
		if err != nil && !errors.Is(err, ErrCorruptFrame) {
			t.Fatalf("error %v does not wrap ErrCorruptFrame", err)
		}
		if _, err := dec.DecodeFEC(p, pcm, 960); (err == nil) != (perr == nil) {
			t.Fatalf("DecodeFEC %v; PacketSamples %v", err, perr)
		}
	})
}
