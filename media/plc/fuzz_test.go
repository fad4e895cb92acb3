package plc

import (
	"encoding/binary"
	"testing"
)

// FuzzConcealer drives a Concealer with arbitrary sequences of good frames
// and concealment requests of arbitrary lengths and contents. It must never
// panic, and after 60 ms of continuous concealment it must be silent.
func FuzzConcealer(f *testing.F) {
	f.Add(uint8(0), []byte{0x10, 0x20, 0x30, 0x81, 0x82, 0x11, 0xff, 0xff})
	f.Add(uint8(1), []byte{0x7f, 0xff, 0x80, 0x00, 0x90, 0x90, 0x90, 0x90, 0x90, 0x01})
	f.Add(uint8(2), make([]byte, 64))
	f.Fuzz(func(t *testing.T, rateSel uint8, ops []byte) {
		rate := []int{8000, 16000, 48000, 11025}[int(rateSel)%4]
		c := New(rate, 0)
		pcm := make([]int16, 4*c.FrameSamples())
		concealed := 0
		for i, op := range ops {
			n := int(op&0x7f) * len(pcm) / 127
			if op&0x80 == 0 {
				for j := range pcm[:n] {
					k := (i + 2*j) % len(ops)
					pcm[j] = int16(binary.LittleEndian.Uint16([]byte{ops[k], ops[(k+1)%len(ops)]}))
				}
				c.Good(pcm[:n])
				concealed = 0
				continue
			}
			if _, err := c.Conceal(pcm, n); err != nil {
				t.Fatalf("Conceal(%d samples, %d): %v", len(pcm), n, err)
			}
			for j, v := range pcm[:n] {
				if concealed+j >= 6*rate/100 && v != 0 {
					t.Fatalf("sample %d of the erasure = %d, want silence after 60 ms", concealed+j, v)
				}
			}
			concealed += n
		}
	})
}
