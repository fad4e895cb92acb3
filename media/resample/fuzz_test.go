package resample

import (
	"encoding/binary"
	"slices"
	"testing"
)

// FuzzProcess feeds arbitrary samples, split at arbitrary points, through
// every direction: Process must never panic, never write more than OutLen,
// and the split output must equal the one-shot output.
func FuzzProcess(f *testing.F) {
	f.Add([]byte{0, 0, 0xff, 0x7f, 0, 0x80}, uint8(1), uint8(0))
	f.Add(make([]byte, 640), uint8(160), uint8(3))
	f.Add([]byte("speech-like bytes that are not speech at all, but fine"), uint8(7), uint8(8))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, dir uint8) {
		d := directions()[int(dir)%len(directions())]
		in := make([]int16, len(data)/2)
		for i := range in {
			in[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		one := process(t, mustNew(t, d[0], d[1]), in, []int{max(len(in), 1)})
		split := process(t, mustNew(t, d[0], d[1]), in, []int{int(chunk)%97 + 1, int(chunk)%13 + 1})
		if !slices.Equal(one, split) {
			t.Fatalf("%d->%d: split output differs from one-shot", d[0], d[1])
		}
	})
}
