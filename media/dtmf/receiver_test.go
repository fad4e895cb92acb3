package dtmf

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// pkt is one received telephone-event packet in a test sequence.
type pkt struct {
	at     int // arrival, ms after t0
	ts     uint32
	marker bool
	code   uint8
	end    bool
	dur    uint16
}

// tick is a sequence step that calls Tick instead of Feed.
func tick(at int) pkt { return pkt{at: -at} }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// recorder collects the callbacks as strings: "begin 9@0", "end 9@0 1600 packet".
type recorder struct{ log []string }

func (r *recorder) config() ReceiverConfig {
	return ReceiverConfig{
		OnBegin: func(t Tone) { r.log = append(r.log, fmt.Sprintf("begin %d@%d", t.Code, t.Timestamp)) },
		OnEnd: func(t Tone) {
			r.log = append(r.log, fmt.Sprintf("end %d@%d %d %v", t.Code, t.Timestamp, t.Duration, t.Reason))
		},
	}
}

func feedAll(t *testing.T, rx *Receiver, seq []pkt) {
	t.Helper()
	buf := make([]byte, 4)
	for _, p := range seq {
		if p.at < 0 {
			rx.Tick(t0.Add(time.Duration(-p.at) * time.Millisecond))
			continue
		}
		if _, err := (Event{Code: p.code, End: p.end, Volume: 10, Duration: p.dur}).MarshalTo(buf); err != nil {
			t.Fatal(err)
		}
		if err := rx.Feed(p.ts, p.marker, buf, t0.Add(time.Duration(p.at)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
}

// digit returns the packets of one tone sent every 50 ms at 8 kHz, as in
// RFC 4733 section 5: durations 400, 800, ... up to dur, then the end
// packet three times.
func digit(code uint8, ts uint32, at int, dur uint16) []pkt {
	var seq []pkt
	d := uint16(0)
	for d+400 < dur {
		d += 400
		seq = append(seq, pkt{at: at, ts: ts, marker: d == 400, code: code, dur: d})
		at += 50
	}
	for i := range 3 {
		seq = append(seq, pkt{at: at, ts: ts, marker: i == 0 && d == 0, code: code, end: true, dur: dur})
		at += 50
	}
	return seq
}

// without returns seq minus the packets at the given indexes.
func without(seq []pkt, drop ...int) []pkt {
	var out []pkt
	for i, p := range seq {
		if !slices.Contains(drop, i) {
			out = append(out, p)
		}
	}
	return out
}

func concat(seqs ...[]pkt) []pkt { return slices.Concat(seqs...) }

func TestReceiver(t *testing.T) {
	nine := digit(9, 0, 50, 1600) // 400 M, 800, 1200, 1600E x3
	one := digit(1, 7040, 930, 1600)
	tests := []struct {
		name string
		seq  []pkt
		want []string
	}{
		{
			"RFC 4733 section 5: 9 then 1",
			concat(nine, one),
			[]string{"begin 9@0", "end 9@0 1600 packet", "begin 1@7040", "end 1@7040 1600 packet"},
		},
		{
			"first packet lost",
			without(nine, 0),
			[]string{"begin 9@0", "end 9@0 1600 packet"},
		},
		{
			"only an end packet arrives",
			without(nine, 0, 1, 2, 4, 5),
			[]string{"begin 9@0", "end 9@0 1600 packet"},
		},
		{
			"all end packets lost, timeout",
			concat(without(nine, 3, 4, 5), []pkt{tick(600), tick(649), tick(650)}),
			[]string{"begin 9@0", "end 9@0 1200 timeout"},
		},
		{
			"all end packets lost, next event",
			concat(without(nine, 3, 4, 5), digit(1, 2400, 300, 1600)),
			[]string{"begin 9@0", "end 9@0 1200 next-event", "begin 1@2400", "end 1@2400 1600 packet"},
		},
		{
			"same digit twice",
			concat(nine, digit(9, 4000, 550, 800)),
			[]string{"begin 9@0", "end 9@0 1600 packet", "begin 9@4000", "end 9@4000 800 packet"},
		},
		{
			"reordered updates and late retransmissions",
			concat([]pkt{nine[1], nine[0], nine[3], nine[2], nine[4]}, one[:2], []pkt{nine[5], nine[2]}, one[2:]),
			[]string{"begin 9@0", "end 9@0 1600 packet", "begin 1@7040", "end 1@7040 1600 packet"},
		},
		{
			"same timestamp, other code is ignored",
			concat(nine[:2], []pkt{{at: 120, ts: 0, code: 4, dur: 800}}, nine[2:]),
			[]string{"begin 9@0", "end 9@0 1600 packet"},
		},
		{
			"timestamp wraps",
			concat(digit(3, 0xffffff00, 0, 800), digit(4, 0x00000200, 400, 800)),
			[]string{"begin 3@4294967040", "end 3@4294967040 800 packet", "begin 4@512", "end 4@512 800 packet"},
		},
		{
			"jump back beyond the stale window is a new stream",
			concat(digit(3, 0x40000000, 0, 800), digit(4, 0x100, 400, 800)),
			[]string{"begin 3@1073741824", "end 3@1073741824 800 packet", "begin 4@256", "end 4@256 800 packet"},
		},
		{
			"packet after a silent gap: Feed applies the timeout first",
			[]pkt{nine[0], nine[1], {at: 700, ts: 0, code: 9, dur: 1200}, {at: 750, ts: 0, code: 9, end: true, dur: 1600}},
			[]string{"begin 9@0", "end 9@0 800 timeout"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec recorder
			rx, err := NewReceiver(rec.config())
			if err != nil {
				t.Fatal(err)
			}
			feedAll(t, rx, tc.seq)
			rx.Flush()
			if !slices.Equal(rec.log, tc.want) {
				t.Fatalf("got  %q\nwant %q", rec.log, tc.want)
			}
		})
	}
}

// segments returns a long tone split into segments of 0xFFFF units, as
// section 2.5.1.3 prescribes: each segment's packets carry its own
// timestamp, its final packet (duration 0xFFFF) has the E bit when endBit
// and is sent three times, and the next segment starts gap units after
// the 0xFFFF boundary.
func segments(code uint8, ts uint32, total uint32, step uint16, endBit bool, gap uint32) []pkt {
	var seq []pkt
	at, seg, first := 0, ts, true
	for left := total; ; {
		segLen := min(left, MaxDuration)
		for d := uint32(step); d < segLen; d += uint32(step) {
			seq = append(seq, pkt{at: at, ts: seg, marker: first, code: code, dur: uint16(d)})
			first = false
			at += 20
		}
		final := segLen == left
		for range 3 {
			seq = append(seq, pkt{at: at, ts: seg, code: code, end: endBit || final, dur: uint16(segLen)})
			at += 20
		}
		if final {
			return seq
		}
		left -= segLen
		seg += MaxDuration + gap
		left -= gap
	}
}

func TestReceiverLongEvents(t *testing.T) {
	tests := []struct {
		name string
		seq  []pkt
		want []string
	}{
		{
			"three segments with E bits",
			segments(5, 1000, 3*48000, 960, true, 0),
			[]string{"begin 5@1000", "end 5@1000 144000 packet"},
		},
		{
			"segments without E bits, next segment one packet late",
			segments(5, 1000, 3*48000, 960, false, 65),
			[]string{"begin 5@1000", "end 5@1000 144000 packet"},
		},
		{
			"tone ends exactly at a full segment, then timeout",
			concat(segments(7, 0, MaxDuration, 960, true, 0), []pkt{tick(5000)}),
			[]string{"begin 7@0", "end 7@0 65535 packet"},
		},
		{
			"full segment then a new event",
			concat(segments(7, 0, MaxDuration, 960, true, 0), digit(8, 70000, 2000, 800)),
			[]string{"begin 7@0", "end 7@0 65535 packet", "begin 8@70000", "end 8@70000 800 packet"},
		},
		{
			"next segment with marker is a new tone",
			concat(segments(7, 0, MaxDuration, 960, true, 0), []pkt{{at: 1500, ts: MaxDuration, marker: true, code: 7, end: true, dur: 960}}),
			[]string{"begin 7@0", "end 7@0 65535 packet", "begin 7@65535", "end 7@65535 960 packet"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec recorder
			rx, err := NewReceiver(rec.config())
			if err != nil {
				t.Fatal(err)
			}
			feedAll(t, rx, tc.seq)
			rx.Flush()
			if !slices.Equal(rec.log, tc.want) {
				t.Fatalf("got  %q\nwant %q", rec.log, tc.want)
			}
		})
	}
}

func TestReceiverFlush(t *testing.T) {
	var rec recorder
	rx, err := NewReceiver(rec.config())
	if err != nil {
		t.Fatal(err)
	}
	nine := digit(9, 5000, 0, 1600)
	feedAll(t, rx, nine[:2])
	rx.Flush()
	rx.Flush() // idempotent
	// After a flush, even an older timestamp starts a tone.
	feedAll(t, rx, digit(2, 100, 500, 400))
	want := []string{"begin 9@5000", "end 9@5000 800 flush", "begin 2@100", "end 2@100 400 packet"}
	if !slices.Equal(rec.log, want) {
		t.Fatalf("got  %q\nwant %q", rec.log, want)
	}
}

func TestReceiverErrors(t *testing.T) {
	var rec recorder
	rx, err := NewReceiver(rec.config())
	if err != nil {
		t.Fatal(err)
	}
	if err := rx.Feed(0, true, []byte{9, 10, 1}, t0); !errors.Is(err, ErrShortPayload) {
		t.Errorf("3-byte payload: %v, want ErrShortPayload", err)
	}
	if len(rec.log) != 0 {
		t.Errorf("short payload produced %q", rec.log)
	}
	if _, err := NewReceiver(ReceiverConfig{Timeout: -time.Second}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("negative timeout: %v, want ErrInvalidConfig", err)
	}
	// Nil callbacks are allowed.
	quiet, err := NewReceiver(ReceiverConfig{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	feedAll(t, quiet, digit(1, 0, 0, 800))
}

func TestEndReasonString(t *testing.T) {
	for r, want := range map[EndReason]string{EndPacket: "packet", EndTimeout: "timeout",
		EndNextEvent: "next-event", EndFlush: "flush", 0: "EndReason(0)"} {
		if got := r.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", r, got, want)
		}
	}
}
