package mediatest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestPipeDelivers(t *testing.T) {
	a, b := NewPipe(PipeConfig{Queue: 4})
	defer a.Close()
	defer b.Close()
	if _, err := a.WriteToUDPAddrPort([]byte("hello"), b.AddrPort()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteTo([]byte("world"), net.UDPAddrFromAddrPort(b.AddrPort())); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	n, from, err := b.ReadFromUDPAddrPort(buf)
	if err != nil || from != a.AddrPort() || string(buf[:n]) != "hel" {
		t.Errorf("read %q from %v, %v; want a truncated \"hel\" from %v", buf[:n], from, err, a.AddrPort())
	}
	buf = make([]byte, 10)
	n, addr, err := b.ReadFrom(buf)
	if err != nil || addr.String() != a.AddrPort().String() || string(buf[:n]) != "world" {
		t.Errorf("ReadFrom %q from %v, %v", buf[:n], addr, err)
	}
}

func TestPipeDrops(t *testing.T) {
	a, b := NewPipe(PipeConfig{Queue: 2})
	defer a.Close()
	defer b.Close()
	if _, err := a.WriteToUDPAddrPort([]byte{1}, netip.MustParseAddrPort("192.0.2.99:1")); err != nil {
		t.Fatal(err)
	}
	if a.Dropped() != 1 {
		t.Errorf("misaddressed datagram not dropped")
	}
	for i := range 3 {
		if _, err := a.WriteToUDPAddrPort([]byte{byte(i)}, b.AddrPort()); err != nil {
			t.Fatal(err)
		}
	}
	if b.Dropped() != 1 {
		t.Errorf("datagram beyond the queue: %d dropped, want 1", b.Dropped())
	}
	b.Inject([]byte{9}, netip.MustParseAddrPort("198.51.100.1:5"))
	if b.Dropped() != 2 {
		t.Errorf("inject into a full queue: %d dropped, want 2", b.Dropped())
	}
}

func TestPipeCloseAndDeadline(t *testing.T) {
	a, b := NewPipe(PipeConfig{})
	b.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, _, err := b.ReadFromUDPAddrPort(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past deadline: %v", err)
	}
	b.SetDeadline(time.Time{})
	done := make(chan error)
	go func() {
		_, _, err := b.ReadFromUDPAddrPort(make([]byte, 10))
		done <- err
	}()
	b.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("read at close: %v", err)
	}
	if _, err := b.WriteToUDPAddrPort([]byte{1}, a.AddrPort()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if _, err := a.WriteToUDPAddrPort([]byte{1}, b.AddrPort()); err != nil || a.Dropped()+b.Dropped() != 1 {
		t.Errorf("write to a closed peer: %v, %d dropped", err, a.Dropped()+b.Dropped())
	}
	if b.Close() != nil || a.Close() != nil {
		t.Errorf("Close is not idempotent")
	}
}

func TestPipeDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := NewPipe(PipeConfig{Delay: 40 * time.Millisecond})
		defer a.Close()
		defer b.Close()
		start := time.Now()
		for i := range 3 {
			a.WriteToUDPAddrPort([]byte{byte(i)}, b.AddrPort())
			time.Sleep(10 * time.Millisecond)
		}
		buf := make([]byte, 1)
		for i := range 3 {
			if _, _, err := b.ReadFromUDPAddrPort(buf); err != nil || buf[0] != byte(i) {
				t.Fatalf("read %d: %v %v", i, buf, err)
			}
			if got, want := time.Since(start), time.Duration(40+10*i)*time.Millisecond; got != want {
				t.Errorf("datagram %d arrived at %v, want %v", i, got, want)
			}
		}
	})
}

func TestPipeAllocs(t *testing.T) {
	a, b := NewPipe(PipeConfig{})
	defer a.Close()
	defer b.Close()
	msg, buf := make([]byte, 172), make([]byte, 2048)
	allocs := testing.AllocsPerRun(1000, func() {
		a.WriteToUDPAddrPort(msg, b.AddrPort())
		b.ReadFromUDPAddrPort(buf)
	})
	if allocs != 0 {
		t.Errorf("%v allocs per datagram, want 0", allocs)
	}
}

func TestImpair(t *testing.T) {
	a, b := NewPipe(PipeConfig{})
	defer b.Close()
	var seen []uint64
	c := Impair(a, ImpairConfig{
		OnWrite: func(n uint64, _ []byte) { seen = append(seen, n) },
		Drop:    func(n uint64, _ []byte) bool { return n == 1 },
		Hold:    func(n uint64, _ []byte) bool { return n == 3 },
	})
	defer c.Close()
	for i := range 6 {
		if _, err := c.WriteTo([]byte{byte(i)}, net.UDPAddrFromAddrPort(b.AddrPort())); err != nil {
			t.Fatal(err)
		}
	}
	var got []byte
	buf := make([]byte, 1)
	for range 4 {
		if _, _, err := b.ReadFromUDPAddrPort(buf); err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[0])
	}
	if want := []byte{0, 2, 4, 3}; !bytes.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
	if len(seen) != 6 || c.Written() != 6 {
		t.Errorf("observed %v, written %d", seen, c.Written())
	}
	// Datagram 5 went out after the four read above.
	if _, _, err := b.ReadFromUDPAddrPort(buf); err != nil || buf[0] != 5 {
		t.Errorf("last datagram %v, %v", buf, err)
	}
	// Reads pass through.
	b.WriteToUDPAddrPort([]byte{42}, a.AddrPort())
	if _, from, err := c.ReadFromUDPAddrPort(buf); err != nil || buf[0] != 42 || from != b.AddrPort() {
		t.Errorf("read through: %v from %v, %v", buf, from, err)
	}
}

func TestTone(t *testing.T) {
	const rate, freq = 8000, 1000.0
	tone := NewTone(freq, rate, 0.5)
	pcm := make([]int16, rate)
	for i := 0; i < len(pcm); i += 160 { // in 20 ms frames: the phase carries over
		tone.Read(pcm[i : i+160])
	}
	crossings, peak := 0, 0.0
	for i := 1; i < len(pcm); i++ {
		if (pcm[i-1] < 0) != (pcm[i] < 0) {
			crossings++
		}
		peak = math.Max(peak, math.Abs(float64(pcm[i])))
	}
	if crossings < 1998 || crossings > 2001 {
		t.Errorf("%d zero crossings in 1 s of %v Hz", crossings, freq)
	}
	if want := 0.5 * math.MaxInt16; math.Abs(peak-want) > 1 {
		t.Errorf("peak %v, want %v", peak, want)
	}
	if !equal(ToneSamples(freq, rate, 0.5, 8000), pcm) {
		t.Errorf("ToneSamples differs from frame-wise reads")
	}
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// recordingTB captures errors reported by CheckGoroutines.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckGoroutines(t *testing.T) {
	rec := &recordingTB{TB: t}
	check := CheckGoroutinesWithin(rec, 50*time.Millisecond)
	stop := make(chan struct{})
	go func() { <-stop }()
	check()
	close(stop)
	if len(rec.errs) != 1 || !bytes.Contains([]byte(rec.errs[0]), []byte("TestCheckGoroutines")) {
		t.Errorf("leak reports %q, want one naming the test", rec.errs)
	}

	rec = &recordingTB{TB: t}
	check = CheckGoroutinesWithin(rec, time.Second)
	done := make(chan struct{})
	go func() { time.Sleep(20 * time.Millisecond); close(done) }()
	check()
	<-done
	if len(rec.errs) != 0 {
		t.Errorf("goroutine that ended in time reported: %q", rec.errs)
	}
}
