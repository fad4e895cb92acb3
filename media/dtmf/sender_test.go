package dtmf

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// sent is one packet from Sender.Next in compact form.
type sent struct {
	ts     uint32
	marker bool
	end    bool
	last   bool
	dur    uint16
}

func (s sent) String() string {
	return fmt.Sprintf("{ts %d m %v e %v last %v dur %d}", s.ts, s.marker, s.end, s.last, s.dur)
}

// drain calls Next until the tone is done and returns the packets.
func drain(t *testing.T, s *Sender, code uint8) []sent {
	t.Helper()
	var out []sent
	buf := make([]byte, 4)
	for s.Active() {
		p, err := s.Next(buf)
		if err != nil {
			t.Fatal(err)
		}
		var ev Event
		if err := ev.Unmarshal(buf[:p.N]); err != nil {
			t.Fatal(err)
		}
		if ev.Code != code || ev.End != p.End {
			t.Fatalf("payload %v does not match packet %+v", ev, p)
		}
		out = append(out, sent{p.Timestamp, p.Marker, p.End, p.Last, ev.Duration})
		if len(out) > 10000 {
			t.Fatal("sender never finishes")
		}
	}
	return out
}

func TestSender(t *testing.T) {
	tests := []struct {
		name string
		cfg  SenderConfig
		code uint8
		d    time.Duration
		ts   uint32
		want []sent
	}{
		{
			"defaults: 100 ms at 8 kHz every 20 ms", SenderConfig{}, 5, 100 * time.Millisecond, 1234,
			[]sent{{1234, true, false, false, 160}, {1234, false, false, false, 320}, {1234, false, false, false, 480},
				{1234, false, false, false, 640}, {1234, false, true, false, 800}, {1234, false, true, false, 800},
				{1234, false, true, true, 800}},
		},
		{
			"RFC 4733 section 5 digit 9: 200 ms every 50 ms", SenderConfig{Interval: 50 * time.Millisecond, Volume: 7}, 9, 200 * time.Millisecond, 0,
			[]sent{{0, true, false, false, 400}, {0, false, false, false, 800}, {0, false, false, false, 1200},
				{0, false, true, false, 1600}, {0, false, true, false, 1600}, {0, false, true, true, 1600}},
		},
		{
			"shorter than one interval", SenderConfig{}, CodePound, 10 * time.Millisecond, 7,
			[]sent{{7, true, true, false, 80}, {7, false, true, false, 80}, {7, false, true, true, 80}},
		},
		{
			"not a multiple of the interval", SenderConfig{}, 0, 50 * time.Millisecond, 0,
			[]sent{{0, true, false, false, 160}, {0, false, false, false, 320}, {0, false, true, false, 400},
				{0, false, true, false, 400}, {0, false, true, true, 400}},
		},
		{
			"timestamp wraps", SenderConfig{ClockRate: 48000}, 1, 40 * time.Millisecond, 0xfffffff0,
			[]sent{{0xfffffff0, true, false, false, 960}, {0xfffffff0, false, true, false, 1920},
				{0xfffffff0, false, true, false, 1920}, {0xfffffff0, false, true, true, 1920}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSender(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(tc.code, tc.d, tc.ts); err != nil {
				t.Fatal(err)
			}
			if got := drain(t, s, tc.code); !slices.Equal(got, tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestSenderSegments checks a 3 s tone at 48 kHz, longer than the 0xFFFF
// units one segment holds (section 2.5.1.3): three segments, each with its
// own timestamp and its final packet sent three times, and only the first
// packet marked.
func TestSenderSegments(t *testing.T) {
	s, err := NewSender(SenderConfig{ClockRate: 48000})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(CodeStar, 3*time.Second, 100); err != nil {
		t.Fatal(err)
	}
	got := drain(t, s, CodeStar)
	var segs []uint32
	for i, p := range got {
		if p.marker != (i == 0) {
			t.Fatalf("packet %d: marker %v", i, p.marker)
		}
		if len(segs) == 0 || segs[len(segs)-1] != p.ts {
			segs = append(segs, p.ts)
		}
	}
	if want := []uint32{100, 100 + MaxDuration, 100 + 2*MaxDuration}; !slices.Equal(segs, want) {
		t.Fatalf("segment timestamps %v, want %v", segs, want)
	}
	for _, seg := range segs {
		var ends []sent
		for _, p := range got {
			if p.ts == seg && p.end {
				ends = append(ends, p)
			}
		}
		wantDur := uint16(MaxDuration)
		if seg == segs[2] {
			wantDur = 3*48000 - 2*MaxDuration
		}
		if len(ends) != 3 || ends[0].dur != wantDur || ends[2].dur != wantDur {
			t.Fatalf("segment %d: end packets %v, want 3 with duration %d", seg, ends, wantDur)
		}
	}
	if last := got[len(got)-1]; !last.last || got[len(got)-2].last {
		t.Fatal("only the final packet may be marked last")
	}
}

func TestSenderStop(t *testing.T) {
	buf := make([]byte, 4)
	s, err := NewSender(SenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(4, time.Second, 0); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Next(buf); err != nil {
			t.Fatal(err)
		}
	}
	s.Stop()
	want := []sent{{0, false, true, false, 480}, {0, false, true, false, 480}, {0, false, true, true, 480}}
	if got := drain(t, s, 4); !slices.Equal(got, want) {
		t.Fatalf("after Stop: %v, want %v", got, want)
	}

	// Stopped before any packet: nothing is sent.
	if err := s.Start(4, time.Second, 0); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if s.Active() {
		t.Fatal("active after Stop before the first packet")
	}

	// Stopped while repeating a segment end: that end becomes the tone's.
	s, err = NewSender(SenderConfig{ClockRate: 48000})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(4, 10*time.Second, 0); err != nil {
		t.Fatal(err)
	}
	for {
		p, err := s.Next(buf)
		if err != nil {
			t.Fatal(err)
		}
		if p.End {
			break
		}
	}
	s.Stop()
	got := drain(t, s, 4)
	if len(got) != 2 || !got[1].last || got[1].dur != MaxDuration || got[1].ts != 0 {
		t.Fatalf("stop during segment end: %v", got)
	}
}

func TestSenderErrors(t *testing.T) {
	s, err := NewSender(SenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(make([]byte, 4)); !errors.Is(err, ErrIdle) {
		t.Errorf("Next while idle: %v, want ErrIdle", err)
	}
	for _, d := range []time.Duration{0, -time.Second, time.Nanosecond} {
		if err := s.Start(1, d, 0); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Start(%v): %v, want ErrInvalidConfig", d, err)
		}
	}
	if err := s.Start(1, time.Second, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(2, time.Second, 0); !errors.Is(err, ErrBusy) {
		t.Errorf("Start while sending: %v, want ErrBusy", err)
	}
	if _, err := s.Next(make([]byte, 3)); !errors.Is(err, ErrShortBuffer) {
		t.Errorf("Next into 3 bytes: %v, want ErrShortBuffer", err)
	}
	bad := []SenderConfig{
		{ClockRate: -8000},
		{ClockRate: 400000},
		{Interval: -time.Millisecond},
		{Interval: time.Microsecond},
		{Interval: 5 * time.Second},
		{Volume: 64},
	}
	for _, cfg := range bad {
		if _, err := NewSender(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewSender(%+v): %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

// TestSenderToReceiver plays every digit from a Sender into a Receiver,
// losing every third packet, and expects each digit exactly once with its
// full duration.
func TestSenderToReceiver(t *testing.T) {
	var rec recorder
	rx, err := NewReceiver(rec.config())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := NewSender(SenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	now, ts := t0, uint32(0)
	sentN := 0
	var want []string
	for code := range uint8(16) {
		if err := tx.Start(code, 120*time.Millisecond, ts); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("begin %d@%d", code, ts), fmt.Sprintf("end %d@%d 960 packet", code, ts))
		for tx.Active() {
			p, err := tx.Next(buf)
			if err != nil {
				t.Fatal(err)
			}
			sentN++
			now = now.Add(20 * time.Millisecond)
			ts += 160
			if sentN%3 == 0 {
				continue
			}
			if err := rx.Feed(p.Timestamp, p.Marker, buf[:p.N], now); err != nil {
				t.Fatal(err)
			}
		}
		ts += 800 // 100 ms of audio between digits
		now = now.Add(100 * time.Millisecond)
		rx.Tick(now)
	}
	if !slices.Equal(rec.log, want) {
		t.Fatalf("got  %q\nwant %q", rec.log, want)
	}
}
