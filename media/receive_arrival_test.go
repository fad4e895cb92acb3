package media

import (
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
)

// An arrival listener gets each packet's audio as it arrives, before any
// Tick, at the Receiver's rate; a lost packet becomes one frame of
// silence, a repeated or late one is dropped, and the jitter-buffered
// listeners still get their frames at Ticks.
func TestReceiverArrivalListener(t *testing.T) {
	clk := newClock()
	var played int
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, Rate: 16000, OnAudio: func(time.Duration, []int16) { played++ }}, G722())
	var got []time.Duration
	var pcm []int16
	remove := r.AddArrivalListener(func(at time.Duration, p []int16) {
		if len(p) != 320 {
			t.Fatalf("frame of %d samples, want 320", len(p))
		}
		got = append(got, at)
		pcm = append(pcm, p...)
	})
	f := newFeeder(r, G722(), clk)
	tone := mediatest.NewTone(440, 16000, 0.3)
	frame := make([]int16, 320)
	for i := range 50 {
		tone.Read(frame)
		f.packet(frame, i != 20) // packet 20 is lost
		want := i + 1
		if i == 20 {
			want = 20 // the gap shows when packet 21 arrives
		}
		if len(got) != want {
			t.Fatalf("after packet %d: %d frames before any Tick, want %d", i, len(got), want)
		}
	}
	// A repeat and a late packet are dropped.
	f.hdr.SequenceNumber--
	f.packet(frame, true)
	f.hdr.SequenceNumber -= 10
	f.packet(frame, true)
	if len(got) != 50 {
		t.Fatalf("%d frames after a repeat and a late packet, want 50", len(got))
	}
	for i, at := range got {
		if at != time.Duration(i)*20*time.Millisecond {
			t.Fatalf("frame %d at %v", i, at)
		}
	}
	for _, s := range pcm[20*320 : 21*320] {
		if s != 0 {
			t.Fatal("the lost packet's frame is not silence")
		}
	}
	want := mediatest.ToneSamples(440, 16000, 0.3, 20*320)
	if c := bestCorrelation(want, pcm[:20*320], 200); c < 0.95 {
		t.Errorf("arrival audio correlates %.3f with the tone sent", c)
	}
	for range 20 {
		f.tick()
	}
	if played == 0 {
		t.Fatal("the jitter-buffered path played nothing")
	}
	remove()
	remove()
	f.packet(frame, true)
	if len(got) != 50 {
		t.Fatal("a removed arrival listener was called")
	}
}

func TestReceiverArrivalListenerAllocs(t *testing.T) {
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now}, PCMU())
	n := 0
	r.AddArrivalListener(func(time.Duration, []int16) { n++ })
	f := newFeeder(r, PCMU(), clk)
	frame := mediatest.ToneSamples(440, 8000, 0.3, 160)
	f.packet(frame, true) // builds the decoder
	allocs := testing.AllocsPerRun(200, func() {
		f.packet(frame, true)
		f.tick()
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per packet, want 0", allocs)
	}
	if n < 200 {
		t.Fatalf("%d frames delivered", n)
	}
}
