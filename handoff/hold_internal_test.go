package handoff

import (
	"testing"

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
