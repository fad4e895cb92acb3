package resample

import (
	"fmt"
	"testing"
)

// BenchmarkProcess measures 20 ms of audio: for the call-side rates one 20
// ms input frame in each direction, and for the prompt rates the input that
// makes 20 ms of output. At 11025 Hz that is 220.5 samples, fed as 220 and
// 221 on alternate iterations.
func BenchmarkProcess(b *testing.B) {
	var cases [][2]int
	for _, in := range []int{8000, 16000, 48000} {
		for _, out := range []int{8000, 16000, 48000} {
			if in != out || in == 8000 {
				cases = append(cases, [2]int{in, out})
			}
		}
	}
	cases = append(cases, [][2]int{
		{11025, 8000}, {22050, 8000}, {24000, 8000}, {32000, 8000}, {44100, 8000},
		{22050, 16000}, {44100, 16000}, {22050, 48000}, {44100, 48000},
	}...)
	for _, d := range cases {
		b.Run(fmt.Sprintf("%d-%d", d[0], d[1]), func(b *testing.B) {
			r := mustNew(b, d[0], d[1])
			in := noise(d[0]/50+1, 1)
			chunks := []int{d[0] / 50}
			if d[0]%50 != 0 {
				chunks = []int{d[0] / 50, d[0]/50 + 1}
			}
			out := make([]int16, r.OutLen(len(in)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r.Process(in[:chunks[i%len(chunks)]], out)
				i++
			}
		})
	}
}

// BenchmarkNew measures New once its pair's filter is cached: the cost of
// every call after the first.
func BenchmarkNew(b *testing.B) {
	for _, d := range [][2]int{{8000, 48000}, {48000, 8000}, {22050, 8000}, {44100, 8000}} {
		b.Run(fmt.Sprintf("%d-%d", d[0], d[1]), func(b *testing.B) {
			mustNew(b, d[0], d[1])
			b.ReportAllocs()
			for b.Loop() {
				if _, err := New(d[0], d[1]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDesign measures the filter design the first New for a pair
// does, from the shortest table to the longest.
func BenchmarkDesign(b *testing.B) {
	for _, d := range [][2]int{{8000, 48000}, {48000, 8000}, {22050, 8000}, {44100, 8000}, {11025, 32000}} {
		b.Run(fmt.Sprintf("%d-%d", d[0], d[1]), func(b *testing.B) {
			g := gcd(d[0], d[1])
			b.ReportAllocs()
			for b.Loop() {
				design(d[0], d[1]/g, d[0]/g, min(d[0], d[1]))
			}
		})
	}
}
