package media

import (
	"context"
	"errors"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// freeRange finds n consecutive ports below the Linux ephemeral range
// that nothing holds on 127.0.0.1 right now, starting at an even port.
func freeRange(t testing.TB, n int) (lo, hi int) {
	t.Helper()
	for range 20 {
		lo = 20000 + 2*mrand.IntN(5000)
		var held []*net.UDPConn
		free := true
		for p := lo; p < lo+n && free; p++ {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
			if err != nil {
				free = false
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
		if free {
			return lo, lo + n - 1
		}
	}
	t.Fatalf("no %d free consecutive ports on 127.0.0.1", n)
	return 0, 0
}

func TestPortAllocatorExhaustAndRelease(t *testing.T) {
	lo, hi := freeRange(t, 10)
	a, err := NewPortAllocator(PortConfig{IP: loopback, Min: lo, Max: hi})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var pairs []*PortPair
	seen := map[int]bool{}
	for range 5 {
		p, err := a.Allocate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rtpPort, rtcpPort := p.RTP.Port(), p.RTCP.Port()
		if rtpPort%2 != 0 || rtcpPort != rtpPort+1 || rtpPort < lo || rtcpPort > hi || seen[rtpPort] {
			t.Errorf("pair %d/%d in %d-%d", rtpPort, rtcpPort, lo, hi)
		}
		seen[rtpPort] = true
		pairs = append(pairs, p)
	}
	if _, err := a.Allocate(ctx); !errors.Is(err, ErrPortsExhausted) {
		t.Fatalf("sixth pair: %v, want ErrPortsExhausted", err)
	}
	if err := a.Release(pairs[2]); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(pairs[2]); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if a.InUse() != 4 {
		t.Errorf("InUse %d after a release, want 4", a.InUse())
	}
	p, err := a.Allocate(ctx)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if p.RTP.Port() != lo+4 {
		t.Errorf("got %d, want the released %d", p.RTP.Port(), lo+4)
	}
	pairs[2] = p
	for _, p := range pairs {
		if err := a.Release(p); err != nil {
			t.Error(err)
		}
	}
	if a.InUse() != 0 {
		t.Errorf("InUse %d after releasing all", a.InUse())
	}
}

func TestPortAllocatorSkipsPortsInUse(t *testing.T) {
	lo, hi := freeRange(t, 8)
	// Another process holds lo+2 (an RTP port) and lo+5 (the RTCP port of lo+4).
	for _, port := range []int{lo + 2, lo + 5} {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	a, err := NewPortAllocator(PortConfig{IP: loopback, Min: lo, Max: hi})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for {
		p, err := a.Allocate(context.Background())
		if errors.Is(err, ErrPortsExhausted) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		defer a.Release(p)
		got = append(got, p.RTP.Port())
	}
	if len(got) != 2 || got[0] != lo || got[1] != lo+6 {
		t.Errorf("allocated %v, want [%d %d]", got, lo, lo+6)
	}
}

func TestPortAllocatorConcurrent(t *testing.T) {
	lo, hi := freeRange(t, 40)
	a, err := NewPortAllocator(PortConfig{IP: loopback, Min: lo, Max: hi})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	held := map[int]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				p, err := a.Allocate(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				port := p.RTP.Port()
				mu.Lock()
				if held[port] {
					t.Errorf("port %d handed out twice", port)
				}
				held[port] = true
				mu.Unlock()
				if p.RTCP.Port() != port+1 {
					t.Errorf("pair %d/%d", port, p.RTCP.Port())
				}
				mu.Lock()
				delete(held, port) // before Release, which lets others have it
				mu.Unlock()
				if err := a.Release(p); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if a.InUse() != 0 {
		t.Errorf("InUse %d", a.InUse())
	}
}

func TestPortAllocatorConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  PortConfig
		ok   bool
	}{
		{"defaults", PortConfig{}, true},
		{"one pair", PortConfig{Min: 30000, Max: 30001}, true},
		{"odd min", PortConfig{Min: 30001, Max: 30003}, true},
		{"no room for rtcp", PortConfig{Min: 30000, Max: 30000}, false},
		{"odd single", PortConfig{Min: 30001, Max: 30002}, false},
		{"inverted", PortConfig{Min: 30010, Max: 30000}, false},
		{"beyond 65535", PortConfig{Min: 65000, Max: 70000}, false},
		{"negative", PortConfig{Min: -4, Max: 100}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPortAllocator(tc.cfg)
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidConfig)) {
				t.Errorf("err %v, want ok %t", err, tc.ok)
			}
		})
	}
}

func TestPortAllocatorContext(t *testing.T) {
	a, err := NewPortAllocator(PortConfig{IP: loopback})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Allocate(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestSessionReleasesPorts checks that closing a session on allocated
// ports returns them.
func TestSessionReleasesPorts(t *testing.T) {
	lo, hi := freeRange(t, 2)
	a, err := NewPortAllocator(PortConfig{IP: loopback, Min: lo, Max: hi})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Allocate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(Config{Conn: p.RTP, RTCPConn: p.RTCP, Payloads: testPayloads(t), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if got := s.LocalAddr(); got != netip.AddrPortFrom(loopback, uint16(lo)) {
		t.Errorf("LocalAddr %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if a.InUse() != 0 {
		t.Fatalf("InUse %d after the session closed", a.InUse())
	}
	p2, err := a.Allocate(context.Background())
	if err != nil {
		t.Fatalf("reallocate: %v", err)
	}
	a.Release(p2)
}
