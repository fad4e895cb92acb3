package resample

import (
	"fmt"
	"testing"
)

// BenchmarkProcess measures one 20 ms frame in each direction.
func BenchmarkProcess(b *testing.B) {
	for _, d := range directions() {
		b.Run(fmt.Sprintf("%d-%d", d[0], d[1]), func(b *testing.B) {
			r := mustNew(b, d[0], d[1])
			in := noise(d[0]/50, 1)
			out := make([]int16, r.OutLen(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				r.Process(in, out)
			}
		})
	}
}

// BenchmarkNew measures filter design, done once per stream.
func BenchmarkNew(b *testing.B) {
	for _, d := range [][2]int{{8000, 48000}, {48000, 16000}, {16000, 8000}} {
		b.Run(fmt.Sprintf("%d-%d", d[0], d[1]), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := New(d[0], d[1]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
