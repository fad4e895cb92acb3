package jitter

import (
	"testing"
	"time"
)

// BenchmarkPushPop measures one 20 ms packet through the buffer: one Push
// and one Pop, with jitter of up to 2 ms.
func BenchmarkPushPop(b *testing.B) {
	for _, tc := range []struct {
		name    string
		clock   int
		size    int
		reorder bool
	}{
		{"G711", 8000, 160, false},
		{"G711-reordered", 8000, 160, true},
		{"Opus", 48000, 80, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			buf := mustNew(b, Config{ClockRate: tc.clock})
			step := tc.clock / 50
			payload := make([]byte, tc.size)
			out := make([]byte, 1500)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				seq := i
				if tc.reorder && i%2 == 0 {
					seq = i + 1
				} else if tc.reorder {
					seq = i - 1
				}
				now := t0.Add(time.Duration(i) * 20 * time.Millisecond)
				buf.Push(uint16(seq), uint32(step*seq), payload, now.Add(time.Duration(i%3)*time.Millisecond))
				buf.Pop(out, now.Add(5*time.Millisecond))
				i++
			}
			if s := buf.Stats(); s.Popped < s.Pushed*9/10 {
				b.Fatalf("played %d of %d", s.Popped, s.Pushed)
			}
		})
	}
}
