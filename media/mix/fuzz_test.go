package mix_test

import (
	"encoding/binary"
	"testing"

	"github.com/parley-cc/parley/media/mix"
)

// FuzzMix mixes arbitrary samples from one to six sources through a Mixer
// and a routed Matrix, and checks that nothing panics, that no output has
// the opposite sign of its sum or exceeds it in magnitude, and that a
// fresh mixer passes a sum within the ceiling bit-exact.
func FuzzMix(f *testing.F) {
	seed := func(sources, frameLen byte, ceiling uint16, routes uint32, samples ...int16) {
		b := []byte{sources, frameLen}
		b = binary.LittleEndian.AppendUint16(b, ceiling)
		b = binary.LittleEndian.AppendUint32(b, routes)
		for _, v := range samples {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
		f.Add(b)
	}
	// The cases of the table tests: exact sums, full-scale overloads,
	// whisper-like routes, silence.
	seed(2, 3, 0, 0, 1, -2, 300, 10, 20, -30)
	seed(3, 4, 0, 0x3f, 32767, 32767, 32767, 32767, -32768, -32768, -32768, -32768)
	seed(3, 2, 29205, 0b010_101_010, 20000, 20000, 20000, 20000, 50, 50)
	seed(1, 1, 1, 0, -32768)
	seed(6, 0, 32767, 0xffffffff)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 8 {
			return
		}
		n := 1 + int(b[0])%6
		frameLen := int(b[1]) % 64
		cfg := mix.Config{Ceiling: int(binary.LittleEndian.Uint16(b[2:]))}
		routes := binary.LittleEndian.Uint32(b[4:])
		samples := b[8:]
		m, err := mix.New(cfg)
		if err != nil {
			return // Ceiling above 32767
		}
		ceiling := int32(m.Config().Ceiling)
		srcs := make([][]int16, n)
		for i := range srcs {
			srcs[i] = make([]int16, frameLen)
		}
		dst := make([]int16, frameLen)
		for frame := 0; frame < 8; frame++ {
			for i := range srcs {
				for k := range srcs[i] {
					if len(samples) >= 2 {
						srcs[i][k] = int16(binary.LittleEndian.Uint16(samples))
						samples = samples[2:]
					}
				}
			}
			fresh := m.Gain() == 1
			if err := m.Mix(dst, srcs...); err != nil {
				t.Fatal(err)
			}
			for k, out := range dst {
				var sum int32
				for _, s := range srcs {
					sum += int32(s[k])
				}
				checkSample(t, sum, out)
				if fresh && m.Limited() == 0 && sum != int32(out) && abs(sum) <= ceiling {
					t.Fatalf("sum %d within the ceiling %d at unity gain gave %d", sum, ceiling, out)
				}
			}
		}
		if n < 2 {
			return
		}
		mat, err := mix.NewMinusOne(n, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for l := range n {
			var speakers []int
			for s := range n {
				if routes>>(l*n+s)&1 == 1 {
					speakers = append(speakers, s)
				}
			}
			if err := mat.Route(l, speakers...); err != nil {
				t.Fatal(err)
			}
		}
		outs := make([][]int16, n)
		for i := range outs {
			outs[i] = make([]int16, frameLen)
		}
		if err := mat.Mix(outs, srcs); err != nil {
			t.Fatal(err)
		}
		for l := range n {
			for k, out := range outs[l] {
				var sum int32
				for s := range n {
					if mat.Hears(l, s) {
						sum += int32(srcs[s][k])
					}
				}
				checkSample(t, sum, out)
			}
		}
	})
}

func checkSample(t *testing.T, sum int32, out int16) {
	t.Helper()
	if sum > 0 && out < 0 || sum < 0 && out > 0 {
		t.Fatalf("sum %d gave %d: wrapped around", sum, out)
	}
	if abs(int32(out)) > abs(sum) {
		t.Fatalf("sum %d gave %d: louder than the sum", sum, out)
	}
}
