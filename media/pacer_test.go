package media

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestPacerTicksEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPacer(20*time.Millisecond, 4)
		var a, b atomic.Int64
		removeA := p.Add(TickerFunc(func(time.Time) { a.Add(1) }))
		p.Add(TickerFunc(func(time.Time) { b.Add(1) }))
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { p.Run(ctx) })

		time.Sleep(100*time.Millisecond + time.Millisecond)
		synctest.Wait()
		// Slots tick 5 ms apart: a (slot 0) and b (slot 1) each 5 times.
		if a.Load() != 5 || b.Load() != 5 {
			t.Fatalf("after 100 ms: a=%d b=%d ticks, want 5 each", a.Load(), b.Load())
		}
		removeA()
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if a.Load() != 5 || b.Load() != 10 {
			t.Fatalf("after remove: a=%d b=%d, want 5 and 10", a.Load(), b.Load())
		}
		if p.Len() != 1 {
			t.Fatalf("Len = %d", p.Len())
		}
		cancel()
		wg.Wait()
	})
}

func TestPacerRemoveWaitsForRunningTick(t *testing.T) {
	p := NewPacer(0, 0)
	entered := make(chan struct{})
	release := make(chan struct{})
	var ticking atomic.Bool
	remove := p.Add(TickerFunc(func(time.Time) {
		ticking.Store(true)
		close(entered)
		<-release
		ticking.Store(false)
	}))
	done := make(chan struct{})
	go func() { p.TickAll(time.Now()); close(done) }()
	<-entered
	removed := make(chan struct{})
	go func() { remove(); close(removed) }()
	select {
	case <-removed:
		t.Fatal("remove returned while Tick was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-removed
	if ticking.Load() {
		t.Fatal("Tick still running after remove returned")
	}
	<-done
}

func BenchmarkPacerTickAll1000(b *testing.B) {
	p := NewPacer(0, 0)
	var n atomic.Int64
	for range 1000 {
		p.Add(TickerFunc(func(time.Time) { n.Add(1) }))
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		p.TickAll(now)
	}
}
