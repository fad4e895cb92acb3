package dtmf

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// FuzzEvent checks unmarshal -> marshal -> unmarshal: the event survives,
// and the bytes come back except for the reserved R bit, which is sent as
// zero.
func FuzzEvent(f *testing.F) {
	for _, tc := range eventCases {
		f.Add(tc.wire)
	}
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Event
		if err := e.Unmarshal(b); err != nil {
			if len(b) >= PayloadSize || !errors.Is(err, ErrShortPayload) {
				t.Fatalf("% x: %v", b, err)
			}
			return
		}
		out := make([]byte, PayloadSize)
		if _, err := e.MarshalTo(out); err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		want := []byte{b[0], b[1] &^ 0x40, b[2], b[3]}
		if string(out) != string(want) {
			t.Fatalf("% x -> %+v -> % x", b[:4], e, out)
		}
		var again Event
		if err := again.Unmarshal(out); err != nil || again != e {
			t.Fatalf("%+v -> % x -> %+v, %v", e, out, again, err)
		}
	})
}

// FuzzReceiver feeds arbitrary packet sequences. Each 10-byte record is
// timestamp (4), flags (1: bit 0 marker, bit 1 Tick instead of Feed),
// arrival step in ms (1), payload (4). Whatever arrives, the callbacks
// alternate begin/end for the same tone, durations never shrink, and
// Flush leaves no tone open.
func FuzzReceiver(f *testing.F) {
	seed := func(seq []pkt) []byte {
		var b []byte
		prev := 0
		for _, p := range seq {
			payload := make([]byte, 4)
			_, _ = (Event{Code: p.code, End: p.end, Volume: 10, Duration: p.dur}).MarshalTo(payload)
			var flags byte
			if p.marker {
				flags = 1
			}
			at := p.at
			if at < 0 {
				flags, at = 2, -at
			}
			b = binary.BigEndian.AppendUint32(b, p.ts)
			b = append(b, flags, byte(min(max(at-prev, 0), 255)))
			b = append(b, payload...)
			prev = at
		}
		return b
	}
	f.Add(seed(concat(digit(9, 0, 50, 1600), digit(1, 7040, 930, 1600))))
	f.Add(seed(segments(5, 1000, 3*48000, 4800, true, 0)))
	f.Add(seed(segments(5, 1000, 2*48000, 4800, false, 65)))
	f.Add(seed(concat(without(digit(9, 0, 50, 1600), 3, 4, 5), []pkt{tick(700)})))
	f.Fuzz(func(t *testing.T, b []byte) {
		var open *Tone
		fail := func(format string, args ...any) { t.Helper(); t.Fatalf(format, args...) }
		rx, err := NewReceiver(ReceiverConfig{
			OnBegin: func(tn Tone) {
				if open != nil {
					fail("begin %+v while %+v is open", tn, *open)
				}
				if tn.Reason != 0 {
					fail("begin with reason %v", tn.Reason)
				}
				open = &tn
			},
			OnEnd: func(tn Tone) {
				switch {
				case open == nil:
					fail("end %+v without begin", tn)
				case tn.Code != open.Code || tn.Timestamp != open.Timestamp:
					fail("end %+v does not match begin %+v", tn, *open)
				case tn.Duration < open.Duration:
					fail("duration shrank from %d to %d", open.Duration, tn.Duration)
				case tn.Reason < EndPacket || tn.Reason > EndFlush:
					fail("end reason %v", tn.Reason)
				}
				open = nil
			},
			Timeout: 100 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		for len(b) >= 10 {
			ts, flags, step := binary.BigEndian.Uint32(b), b[4], b[5]
			now = now.Add(time.Duration(step) * time.Millisecond)
			if flags&2 != 0 {
				rx.Tick(now)
			} else if err := rx.Feed(ts, flags&1 != 0, b[6:10], now); err != nil {
				t.Fatal(err)
			}
			b = b[10:]
		}
		if err := rx.Feed(0, false, b[:min(len(b), 3)], now); !errors.Is(err, ErrShortPayload) {
			t.Fatalf("short tail: %v", err)
		}
		rx.Flush()
		if open != nil {
			t.Fatalf("tone %+v open after Flush", *open)
		}
	})
}
