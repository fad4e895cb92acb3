package media

import (
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
)

// TestReceiverImmediate: with Immediate, each packet is played when it
// arrives, before any Tick; a repeated or reordered packet is dropped, a
// lost one is not concealed, and Tick plays nothing.
func TestReceiverImmediate(t *testing.T) {
	clk := newClock()
	var got []time.Duration
	var pcm []int16
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Immediate: true, OnAudio: func(at time.Duration, p []int16) {
		got = append(got, at)
		pcm = append(pcm, p...)
	}}, PCMU())
	f := newFeeder(r, PCMU(), clk)
	tone := mediatest.NewTone(440, 8000, 0.3)
	frame := make([]int16, 160)
	for i := range 50 {
		tone.Read(frame)
		f.packet(frame, i != 20)
		if want := i + 1 - min(i/20, 1); len(got) != want {
			t.Fatalf("after packet %d: %d frames played before any Tick, want %d", i, len(got), want)
		}
	}
	// A repeat of the last packet and a late one are dropped.
	f.hdr.SequenceNumber--
	f.packet(frame, true)
	f.hdr.SequenceNumber -= 10
	f.packet(frame, true)
	for range 10 {
		f.tick()
	}
	st := r.Stats()
	if len(got) != 49 || st.Frames != 49 || st.Concealed != 0 {
		t.Fatalf("played %d frames (stats %d, concealed %d), want 49 and none concealed", len(got), st.Frames, st.Concealed)
	}
	for i, at := range got {
		if at != time.Duration(i)*20*time.Millisecond {
			t.Fatalf("frame %d at %v", i, at)
		}
	}
	want := mediatest.ToneSamples(440, 8000, 0.3, 20*160)
	if c := bestCorrelation(want, pcm[:20*160], 200); c < 0.95 {
		t.Errorf("played audio correlates %.3f with the tone sent", c)
	}
}
