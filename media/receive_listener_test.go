package media

import (
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
)

// Listeners added at run time see the same frames as OnAudio, after it,
// in the order added; a removed listener sees no more frames, and remove
// is idempotent.
func TestReceiverListeners(t *testing.T) {
	clk := newClock()
	var order []string
	var onAudio int
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now, OnAudio: func(time.Duration, []int16) {
		onAudio++
		order = append(order, "cfg")
	}}, PCMU())
	f := newFeeder(r, PCMU(), clk)
	tone := mediatest.NewTone(440, 8000, 0.3)
	frame := make([]int16, 160)
	play := func(n int) {
		for range n {
			tone.Read(frame)
			f.packet(frame, true)
			f.tick()
		}
	}
	play(10) // no listener yet

	var a, b int
	var gotA []int16
	var lastAt time.Duration
	removeA := r.AddListener(func(at time.Duration, pcm []int16) {
		a++
		if len(pcm) != 160 {
			t.Errorf("listener frame of %d samples, want 160", len(pcm))
		}
		if a > 1 && at-lastAt != 20*time.Millisecond {
			t.Errorf("listener frame at %v after %v", at, lastAt)
		}
		lastAt = at
		gotA = append(gotA, pcm...)
		order = append(order, "a")
	})
	removeB := r.AddListener(func(time.Duration, []int16) {
		b++
		order = append(order, "b")
	})
	order = order[:0]
	before := onAudio
	play(20)
	if a != onAudio-before || b != a || a < 15 {
		t.Fatalf("OnAudio %d frames, listeners a %d, b %d", onAudio-before, a, b)
	}
	for i := 0; i+2 < len(order); i += 3 {
		if order[i] != "cfg" || order[i+1] != "a" || order[i+2] != "b" {
			t.Fatalf("call order %v, want cfg a b per frame", order[i:i+3])
		}
	}
	want := mediatest.ToneSamples(440, 8000, 0.3, 30*160)
	if c := bestCorrelation(want, gotA, 2000); c < 0.9 {
		t.Errorf("listener audio correlates %.3f with the tone", c)
	}

	removeA()
	removeA()
	aWas, bWas := a, b
	play(10)
	if a != aWas {
		t.Errorf("removed listener called %d more times", a-aWas)
	}
	if b <= bWas {
		t.Errorf("remaining listener not called after the other's removal")
	}
	removeB()
	bWas = b
	play(5)
	if b != bWas {
		t.Errorf("removed listener called %d more times", b-bWas)
	}
	if r.listeners.Load() != nil {
		t.Errorf("listener list not empty after removing all")
	}
}

// Listeners come and go from other goroutines while the pacing goroutine
// plays frames: race-free under -race.
func TestReceiverListenersConcurrent(t *testing.T) {
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now}, PCMU())
	f := newFeeder(r, PCMU(), clk)
	frame := mediatest.ToneSamples(440, 8000, 0.3, 160)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var mu sync.Mutex
				n := 0
				remove := r.AddListener(func(time.Duration, []int16) { mu.Lock(); n++; mu.Unlock() })
				remove()
			}
		})
	}
	for range 200 {
		f.packet(frame, true)
		f.tick()
	}
	close(stop)
	wg.Wait()
}

// A listener costs no allocation per frame.
func TestReceiverListenerAllocs(t *testing.T) {
	clk := newClock()
	r := newTestReceiver(t, ReceiverConfig{Now: clk.Now}, PCMU())
	var sum int64
	for range 3 {
		r.AddListener(func(_ time.Duration, pcm []int16) { sum += int64(pcm[40]) * int64(pcm[40]) })
	}
	f := newFeeder(r, PCMU(), clk)
	frame := mediatest.ToneSamples(440, 8000, 0.3, 160)
	n, _ := f.enc.Encode(frame, f.buf)
	payload := f.buf[:n]
	step := func() {
		f.r.HandleRTP(&f.hdr, payload)
		f.hdr.SequenceNumber++
		f.hdr.Timestamp += 160
		f.tick()
	}
	for range 20 {
		step()
	}
	if allocs := testing.AllocsPerRun(500, step); allocs != 0 {
		t.Fatalf("%.1f allocations per frame with listeners, want 0", allocs)
	}
	if sum == 0 {
		t.Fatal("listeners saw no audio")
	}
}
