package plc

import (
	"fmt"
	"testing"
)

// BenchmarkConceal measures concealing one 20 ms frame: "first" is the
// first frame of a loss (history snapshot and pitch search), "next" a
// continuing one.
func BenchmarkConceal(b *testing.B) {
	for _, rate := range []int{8000, 16000, 48000} {
		frame := rate / 50
		x := periodic(rate, 130, 20*frame)
		b.Run(fmt.Sprintf("first/%d", rate), func(b *testing.B) {
			c := New(rate, frame)
			feed(c, x, frame)
			pcm := make([]int16, frame)
			b.ReportAllocs()
			for b.Loop() {
				c.erased = 0 // every iteration starts a new loss
				if _, err := c.Conceal(pcm, frame); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("next/%d", rate), func(b *testing.B) {
			c := New(rate, frame)
			feed(c, x, frame)
			pcm := make([]int16, frame)
			b.ReportAllocs()
			for b.Loop() {
				if c.erased > 2*frame {
					c.erased = frame
				}
				if _, err := c.Conceal(pcm, frame); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGood measures recording one good 20 ms frame with no loss
// before it.
func BenchmarkGood(b *testing.B) {
	for _, rate := range []int{8000, 16000, 48000} {
		frame := rate / 50
		x := periodic(rate, 130, 20*frame)
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			c := New(rate, frame)
			pcm := make([]int16, frame)
			b.ReportAllocs()
			for b.Loop() {
				copy(pcm, x)
				c.Good(pcm)
			}
		})
	}
}

// BenchmarkLossCycle measures one isolated loss: concealing one 20 ms frame
// (pitch search included) and merging into the next good frame.
func BenchmarkLossCycle(b *testing.B) {
	for _, rate := range []int{8000, 16000, 48000} {
		frame := rate / 50
		x := periodic(rate, 130, 20*frame)
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			c := New(rate, frame)
			feed(c, x, frame)
			pcm := make([]int16, frame)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Conceal(pcm, frame); err != nil {
					b.Fatal(err)
				}
				copy(pcm, x)
				c.Good(pcm)
			}
		})
	}
}
