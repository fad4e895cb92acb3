package mix_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/parley-cc/parley/media/mix"
)

// BenchmarkMix mixes one 20 ms frame of 2 or 3 streams at 8 and 48 kHz,
// quiet (the exact-sum path) and overloaded (the limiter path).
func BenchmarkMix(b *testing.B) {
	for _, rate := range []int{8000, 48000} {
		for _, streams := range []int{2, 3} {
			for _, level := range []struct {
				name string
				peak int
			}{{"quiet", 4000}, {"overload", 32767}} {
				b.Run(fmt.Sprintf("%dHz/%dstreams/%s", rate, streams, level.name), func(b *testing.B) {
					m, err := mix.New(mix.Config{SampleRate: rate})
					if err != nil {
						b.Fatal(err)
					}
					rng := rand.New(rand.NewPCG(1, 2))
					n := rate / 50
					x, y, z := frame(rng, n, level.peak), frame(rng, n, level.peak), frame(rng, n, level.peak)
					dst := make([]int16, n)
					b.ReportAllocs()
					b.SetBytes(int64(2 * n * streams))
					if streams == 2 {
						for b.Loop() {
							_ = m.Mix(dst, x, y)
						}
						return
					}
					for b.Loop() {
						_ = m.Mix(dst, x, y, z)
					}
				})
			}
		}
	}
}

// BenchmarkMinusOne mixes one 20 ms frame at 8 kHz of a three-way call:
// three outputs of two streams each.
func BenchmarkMinusOne(b *testing.B) {
	m, err := mix.NewMinusOne(3, mix.Config{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	srcs := [][]int16{frame(rng, 160, 8000), frame(rng, 160, 8000), frame(rng, 160, 8000)}
	dst := [][]int16{make([]int16, 160), make([]int16, 160), make([]int16, 160)}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Mix(dst, srcs)
	}
}
