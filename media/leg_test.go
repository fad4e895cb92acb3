package media

import (
	"context"
	"math"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// Two Legs on loopback send a tone to each other through the shared pacer:
// each hears the other, and Close gives every port back.
func TestLegLoopback(t *testing.T) {
	ports, err := NewPortAllocator(PortConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 42000, Max: 42100})
	if err != nil {
		t.Fatal(err)
	}
	pacer := NewPacer(20*time.Millisecond, 0)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); pacer.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	a, err := OpenLeg(ctx, ports, pacer, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenLeg(ctx, ports, pacer, nil)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := NewPayloadMap(PCMU())
	if err != nil {
		t.Fatal(err)
	}
	loop := func(p int) netip.AddrPort { return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(p)) }
	var mu sync.Mutex
	heard := map[string]int{}
	hear := func(name string) func(time.Duration, []int16) {
		return func(_ time.Duration, pcm []int16) {
			var e int64
			for _, s := range pcm {
				e += int64(s) * int64(s)
			}
			if e/int64(len(pcm)) > 1e5 {
				mu.Lock()
				heard[name]++
				mu.Unlock()
			}
		}
	}
	if err := a.Start(LegConfig{Payloads: pm, Remote: loop(b.LocalPort()), Receive: ReceiverConfig{OnAudio: hear("a")}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(LegConfig{Payloads: pm, Remote: loop(a.LocalPort()), Receive: ReceiverConfig{OnAudio: hear("b")}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(LegConfig{Payloads: pm}); err != ErrStarted {
		t.Fatalf("second Start: %v, want ErrStarted", err)
	}
	tone := func() Source {
		ph := 0
		return SourceFunc(func(pcm []int16) (int, error) {
			for i := range pcm {
				pcm[i] = int16(8000 * math.Sin(float64(ph)*2*3.14159265*440/8000))
				ph++
			}
			return len(pcm), nil
		})
	}
	a.Transmitter().Play(tone(), nil)
	b.Transmitter().Play(tone(), nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		ok := heard["a"] > 10 && heard["b"] > 10
		mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("legs did not hear each other: %v", heard)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if pacer.Len() != 0 || ports.InUse() != 0 {
		t.Fatalf("after Close: pacer %d streams, %d ports in use", pacer.Len(), ports.InUse())
	}
	if err := a.Start(LegConfig{Payloads: pm}); err != ErrClosed {
		t.Fatalf("Start after Close: %v, want ErrClosed", err)
	}
}
