package handoff

import (
	"testing"
	"time"

	"github.com/parley-cc/parley/media"
)

func TestHoldSource(t *testing.T) {
	// The speech session's idle output: silent frames.
	speech := media.SourceFunc(func(pcm []int16) (int, error) {
		clear(pcm)
		return len(pcm), nil
	})
	for _, rate := range []int{8000, 16000, 48000} {
		h := newHoldSource(speech, HoldMusic(), rate)
		frame := make([]int16, rate/50)
		var e float64
		for range 100 {
			n, err := h.Next(frame)
			if err != nil || n != len(frame) {
				t.Fatalf("%d Hz: Next = %d, %v", rate, n, err)
			}
			for _, s := range frame {
				e += float64(s) * float64(s)
			}
		}
		if e == 0 {
			t.Errorf("%d Hz: no music", rate)
		}
	}
}

// BenchmarkHoldNext is one 20 ms frame of hold music at 8 kHz, under an
// idle speech source (the caller's transmitter's work per packet).
func BenchmarkHoldNext(b *testing.B) {
	speech := media.SourceFunc(func(pcm []int16) (int, error) { clear(pcm); return len(pcm), nil })
	for _, pre := range []bool{false, true} {
		name := "resampled-per-frame"
		clip := HoldMusic()
		if pre {
			name = "rendered-once"
			var err error
			if clip, err = render(clip, 8000); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(name, func(b *testing.B) { benchHold(b, newHoldSource(speech, clip, 8000)) })
	}
}

func benchHold(b *testing.B, h *holdSource) {
	frame := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Next(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHoldNextAllocs(t *testing.T) {
	speech := media.SourceFunc(func(pcm []int16) (int, error) { clear(pcm); return len(pcm), nil })
	h := newHoldSource(speech, HoldMusic(), 8000)
	frame := make([]int16, 160)
	_, _ = h.Next(frame) // the player is made on the first frame
	if n := testing.AllocsPerRun(200, func() { _, _ = h.Next(frame) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

// TestRender: the hold music rendered at a call's rate keeps its length
// and its notes.
func TestRender(t *testing.T) {
	c := HoldMusic()
	for _, rate := range []int{8000, 16000, 48000} {
		r, err := render(c, rate)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rate() != rate || r.Duration().Round(time.Millisecond) != c.Duration().Round(time.Millisecond) {
			t.Errorf("%d Hz: rendered %v at %d Hz, want %v", rate, r.Duration(), r.Rate(), c.Duration())
		}
	}
}
