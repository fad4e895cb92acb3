package g722

import (
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary octets to the decoder in every mode: it never
// panics, writes exactly two samples per octet when pcm has room, reports
// ErrShortBuffer otherwise, and in modes 2 and 3 ignores the data bits.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{}, uint8(1), uint16(0))
	f.Add([]byte{0x00, 0x3F, 0xC0, 0xFF}, uint8(1), uint16(8))
	f.Add([]byte{0x80, 0x81, 0x82, 0x83}, uint8(2), uint16(7))
	f.Add(make([]byte, 160), uint8(3), uint16(320))
	seed := make([]byte, 160)
	for i := range seed {
		seed[i] = byte(i * 37)
	}
	f.Add(seed, uint8(0), uint16(320))
	f.Fuzz(func(t *testing.T, payload []byte, m uint8, room uint16) {
		mode := Mode(1 + m%3)
		dec, err := NewDecoder(mode)
		if err != nil {
			t.Fatal(err)
		}
		pcm := make([]int16, int(room)%4096)
		n, err := dec.Decode(payload, pcm)
		if len(pcm) < 2*len(payload) {
			if !errors.Is(err, ErrShortBuffer) || n != 0 {
				t.Fatalf("Decode %d bytes into %d samples = %d, %v", len(payload), len(pcm), n, err)
			}
			return
		}
		if err != nil || n != 2*len(payload) {
			t.Fatalf("Decode %d bytes = %d, %v", len(payload), n, err)
		}
		if mode == Mode1 {
			return
		}
		mask := byte(1)
		if mode == Mode3 {
			mask = 3
		}
		stolen := make([]byte, len(payload))
		for i, c := range payload {
			stolen[i] = c ^ mask
		}
		dec.Reset()
		again := make([]int16, n)
		if _, err := dec.Decode(stolen, again); err != nil {
			t.Fatal(err)
		}
		for i := range again {
			if again[i] != pcm[i] {
				t.Fatalf("%v: sample %d depends on the data bits: %d vs %d", mode, i, pcm[i], again[i])
			}
		}
	})
}

// FuzzEncode feeds arbitrary PCM to the encoder: it never panics, writes
// one octet per sample pair, rejects odd lengths, and its output decodes.
func FuzzEncode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0xFF, 0x7F, 0x00, 0x80})
	f.Add([]byte{1, 2, 3})
	f.Add(make([]byte, 640))
	f.Fuzz(func(t *testing.T, raw []byte) {
		pcm := make([]int16, len(raw)/2)
		for i := range pcm {
			pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		payload := make([]byte, len(pcm)/2)
		n, err := NewEncoder().Encode(pcm, payload)
		if len(pcm)%2 != 0 {
			if !errors.Is(err, ErrOddLength) || n != 0 {
				t.Fatalf("Encode %d samples = %d, %v", len(pcm), n, err)
			}
			return
		}
		if err != nil || n != len(pcm)/2 {
			t.Fatalf("Encode %d samples = %d, %v", len(pcm), n, err)
		}
		dec, _ := NewDecoder(Mode1)
		if m, err := dec.Decode(payload, pcm); err != nil || m != len(pcm) {
			t.Fatalf("Decode %d bytes = %d, %v", len(payload), m, err)
		}
	})
}
