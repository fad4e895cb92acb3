package jitter

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func TestConfigDefaultsAndValidation(t *testing.T) {
	b := mustNew(t, Config{})
	want := Config{ClockRate: 8000, FrameDuration: 20 * ms, MinDelay: 40 * ms, MaxDelay: 300 * ms, Capacity: 32, MaxPayload: 1500}
	if got := b.Config(); got.ClockRate != want.ClockRate || got.FrameDuration != want.FrameDuration ||
		got.MinDelay != want.MinDelay || got.MaxDelay != want.MaxDelay || got.Capacity != want.Capacity ||
		got.MaxPayload != want.MaxPayload {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	if got := mustNew(t, Config{MinDelay: 500 * ms}).Config().MaxDelay; got != 500*ms {
		t.Errorf("MaxDelay defaults to %v with MinDelay 500ms, want 500ms", got)
	}
	if got := b.String(); got != "Jitter(40ms..300ms)" {
		t.Errorf("String() = %q", got)
	}
	bad := []Config{
		{ClockRate: -1},
		{ClockRate: 2_000_000},
		{FrameDuration: -time.Millisecond},
		{FrameDuration: 2 * time.Second},
		{ClockRate: 8000, FrameDuration: 10*ms + time.Microsecond}, // not whole ticks
		{MinDelay: -ms},
		{MinDelay: 200 * ms, MaxDelay: 100 * ms},
		{MaxDelay: 2 * time.Minute},
		{MaxPayload: -1},
		{MaxPayload: 1 << 20},
		{Capacity: 5},       // less than MaxDelay in frames + 2
		{Capacity: 1 << 17}, // too many slots
	}
	for _, c := range bad {
		if b, err := New(c); !errors.Is(err, ErrConfig) || b != nil {
			t.Errorf("New(%+v) = %v, %v; want ErrConfig", c, b, err)
		}
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{Empty: "empty", Packet: "packet", Lost: "lost", Status(9): "Status(9)"} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestPushRejectsBadPayloads(t *testing.T) {
	b := mustNew(t, Config{MaxPayload: 200})
	if err := b.Push(1, 0, nil, t0); !errors.Is(err, ErrEmptyPayload) {
		t.Errorf("empty payload: %v", err)
	}
	if err := b.Push(1, 0, make([]byte, 201), t0); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("201-byte payload: %v", err)
	}
	if err := b.Push(1, 0, make([]byte, 200), t0); err != nil {
		t.Errorf("200-byte payload: %v", err)
	}
	if s := b.Stats(); s.Invalid != 2 || s.Pushed != 3 || s.Buffered != 1 {
		t.Errorf("stats %+v, want 2 invalid of 3 pushed, 1 buffered", s)
	}
}

func TestPopBeforeAnyPacketIsEmpty(t *testing.T) {
	b := mustNew(t, Config{})
	for i := range 3 {
		f, err := b.Pop(nil, t0.Add(time.Duration(i)*20*ms))
		if err != nil || f != (Frame{}) {
			t.Fatalf("Pop = %+v, %v; want Empty", f, err)
		}
	}
}

func TestPopShortBufferKeepsPacket(t *testing.T) {
	b := mustNew(t, Config{})
	payload := []byte("0123456789")
	if err := b.Push(5, 800, payload, t0); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(100 * ms)
	if _, err := b.Pop(make([]byte, 9), now); !errors.Is(err, ErrShortBuffer) {
		t.Fatalf("Pop into 9 bytes: %v, want ErrShortBuffer", err)
	}
	out := make([]byte, 10)
	f, err := b.Pop(out, now)
	if err != nil || f.Status != Packet || f.Seq != 5 || f.TS != 800 || string(out[:f.N]) != string(payload) {
		t.Fatalf("retry = %+v %q, %v", f, out[:f.N], err)
	}
}

func TestPushCopiesPayload(t *testing.T) {
	b := mustNew(t, Config{})
	buf := []byte("first")
	if err := b.Push(1, 0, buf, t0); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXX") // the reader reuses its buffer
	out := make([]byte, 1500)
	f, err := b.Pop(out, t0.Add(time.Second))
	if err != nil || string(out[:f.N]) != "first" {
		t.Fatalf("Pop = %q, %v; want the payload as pushed", out[:f.N], err)
	}
}

func TestResetForgetsStream(t *testing.T) {
	b := mustNew(t, Config{})
	for i := range 5 {
		if err := b.Push(uint16(100+i), uint32(160*i), []byte{1}, t0.Add(time.Duration(i)*20*ms)); err != nil {
			t.Fatal(err)
		}
	}
	b.Reset()
	if s := b.Stats(); s.Buffered != 0 || s.Dropped != 5 {
		t.Fatalf("after Reset: %+v, want nothing buffered, 5 dropped", s)
	}
	// A new stream with unrelated numbers starts without probation.
	if err := b.Push(40000, 7, []byte{2}, t0.Add(time.Second)); err != nil {
		t.Fatalf("first packet after Reset: %v", err)
	}
	out := make([]byte, 1500)
	f, _ := b.Pop(out, t0.Add(time.Second+50*ms))
	if f.Status != Packet || f.Seq != 40000 {
		t.Fatalf("Pop after Reset = %+v", f)
	}
}

// TestSilentGatesAdjustment replays the late-packet scenario: with Silent
// reporting speech everywhere the delay is never adjusted by inserts or
// drops; with Silent reporting silence only on marked packets, the
// adjustments fall on those.
func TestSilentGatesAdjustment(t *testing.T) {
	pkts := stream(300, 0, 0, func(i int) time.Duration {
		if i == 30 {
			return 150 * ms
		}
		return 0
	})
	never := mustNew(t, Config{Silent: func([]byte) bool { return false }})
	s := simulate(t, never, pkts, 5*ms, 6500*ms)
	if s.stats.Inserted != 0 || s.stats.Dropped != 0 {
		t.Errorf("Silent always false: %d inserted, %d dropped; want none", s.stats.Inserted, s.stats.Dropped)
	}

	// Payloads carry the packet index; every tenth packet is silence.
	var seen []uint32
	marked := mustNew(t, Config{Silent: func(p []byte) bool {
		i := uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
		seen = append(seen, i)
		return i%10 == 0
	}})
	s = simulate(t, marked, pkts, 5*ms, 6500*ms)
	if s.stats.Inserted == 0 || s.stats.Dropped == 0 {
		t.Errorf("Silent on every tenth packet: %d inserted, %d dropped; want both", s.stats.Inserted, s.stats.Dropped)
	}
	// An inserted frame delays the packet that the next Pop plays.
	for i := 1; i+1 < len(s.pops); i++ {
		if s.stages[i].Inserted > s.stages[i-1].Inserted {
			if n := s.pops[i+1]; n.Status != Packet || n.idx%10 != 0 {
				t.Errorf("frame inserted before %v %d, which is not silence", n.Status, n.idx)
			}
		}
	}
	for _, i := range without(seqRange(0, 300), s.played()...) {
		if i != 30 && i%10 != 0 {
			t.Errorf("packet %d dropped, but it is not silence", i)
		}
	}
	if len(seen) == 0 {
		t.Error("Silent never called")
	}
}

// TestRandomJitter runs a minute of packets with uniformly random extra
// delay of 0 to 60 ms: the target settles where the delay covers the
// spread, and almost nothing is lost.
func TestRandomJitter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pkts := stream(3000, 0, 0, func(int) time.Duration {
		return time.Duration(rng.Int64N(int64(60 * ms)))
	})
	b := mustNew(t, Config{})
	s := simulate(t, b, pkts, 5*ms, 61*time.Second)
	missed := s.stats.Lost + s.stats.Late + s.stats.Dropped
	t.Logf("60 ms uniform jitter: %+v", s.stats)
	if missed > 30 {
		t.Errorf("%d of 3000 packets not played, want at most 1%%", missed)
	}
	if s.stats.Target != 80*ms {
		t.Errorf("target %v, want 80ms (60 ms of jitter: 3 frames + 1)", s.stats.Target)
	}
	wantDelay(t, s.stats, 80*ms, 20*ms)
	// RFC 3550 jitter of uniform [0, 60 ms) delays: E|X-Y| = 20 ms.
	if j := s.stats.Jitter; j < 15*ms || j > 25*ms {
		t.Errorf("interarrival jitter %v, want about 20ms", j)
	}
}

// TestInterarrivalJitterRFC3550 checks the jitter statistic against the
// RFC 3550 A.8 computation done here independently.
func TestInterarrivalJitterRFC3550(t *testing.T) {
	delays := []time.Duration{0, 5 * ms, 1 * ms, 12 * ms, 3 * ms, 3 * ms, 9 * ms, 0, 7 * ms}
	b := mustNew(t, Config{})
	var j float64
	for i, d := range delays {
		if err := b.Push(uint16(i), uint32(160*i), []byte{1}, t0.Add(time.Duration(i)*20*ms+d)); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			j += (math.Abs(float64(d-delays[i-1])) - j) / 16
		}
	}
	if got := b.Stats().Jitter; math.Abs(float64(got)-j) > 1 {
		t.Errorf("jitter %v, want %v", got, time.Duration(j))
	}
}

// TestConcurrentPushPop runs a reader goroutine against a playout loop; the
// race detector checks the locking.
func TestConcurrentPushPop(t *testing.T) {
	b := mustNew(t, Config{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		payload := make([]byte, 160)
		for i := range 500 {
			b.Push(uint16(i), uint32(160*i), payload, t0.Add(time.Duration(i)*20*ms))
		}
	}()
	out := make([]byte, 1500)
	for i := range 500 {
		if _, err := b.Pop(out, t0.Add(time.Duration(i)*20*ms+45*ms)); err != nil {
			t.Error(err)
		}
		b.Stats()
	}
	wg.Wait()
}

func TestPushPopAllocateNothing(t *testing.T) {
	b := mustNew(t, Config{})
	payload := make([]byte, 160)
	out := make([]byte, 1500)
	i := 0
	a := testing.AllocsPerRun(1000, func() {
		now := t0.Add(time.Duration(i) * 20 * ms)
		if i%17 != 5 { // some loss
			b.Push(uint16(i), uint32(160*i), payload, now.Add(time.Duration(i%3)*ms))
		}
		b.Pop(out, now.Add(5*ms))
		i++
	})
	if a != 0 {
		t.Errorf("Push+Pop: %.1f allocations per frame", a)
	}
	if s := b.Stats(); s.Popped == 0 || s.Lost == 0 {
		t.Errorf("the measured loop played %d and lost %d; want both", s.Popped, s.Lost)
	}
}
