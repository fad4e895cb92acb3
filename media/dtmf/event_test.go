package dtmf

import (
	"bytes"
	"errors"
	"testing"
)

var eventCases = []struct {
	name  string
	wire  []byte
	event Event
}{
	// Digit 9 at -7 dBm0 after 50 ms at 8 kHz, modelled on the
	// example of RFC 4733 section 5.
	{"digit 9 update", []byte{0x09, 0x07, 0x01, 0x90}, Event{Code: 9, Volume: 7, Duration: 400}},
	{"digit 9 end", []byte{0x09, 0x87, 0x06, 0x40}, Event{Code: 9, End: true, Volume: 7, Duration: 1600}},
	{"star", []byte{0x0a, 0x0a, 0x00, 0xa0}, Event{Code: CodeStar, Volume: 10, Duration: 160}},
	{"pound end", []byte{0x0b, 0x8a, 0x03, 0x20}, Event{Code: CodePound, End: true, Volume: 10, Duration: 800}},
	{"D quietest longest", []byte{0x0f, 0xbf, 0xff, 0xff}, Event{Code: CodeD, End: true, Volume: 63, Duration: 0xffff}},
	{"flash", []byte{0x10, 0x00, 0x00, 0x00}, Event{Code: CodeFlash}},
	{"non-DTMF code", []byte{0xff, 0x3f, 0x12, 0x34}, Event{Code: 255, Volume: 63, Duration: 0x1234}},
}

func TestEventUnmarshal(t *testing.T) {
	for _, tc := range eventCases {
		t.Run(tc.name, func(t *testing.T) {
			var got Event
			if err := got.Unmarshal(tc.wire); err != nil || got != tc.event {
				t.Fatalf("Unmarshal = %+v, %v; want %+v", got, err, tc.event)
			}
			buf := make([]byte, 8)
			n, err := tc.event.MarshalTo(buf)
			if err != nil || n != PayloadSize || !bytes.Equal(buf[:n], tc.wire) {
				t.Fatalf("MarshalTo = % x, %v; want % x", buf[:n], err, tc.wire)
			}
			// RFC 4733 section 2.3.3: the R bit is ignored on receipt.
			r := append([]byte(nil), tc.wire...)
			r[1] |= 0x40
			if err := got.Unmarshal(r); err != nil || got != tc.event {
				t.Fatalf("with R bit: %+v, %v", got, err)
			}
			// Trailing bytes are not part of the event.
			if err := got.Unmarshal(append(r, 0xde, 0xad)); err != nil || got != tc.event {
				t.Fatalf("with trailing bytes: %+v, %v", got, err)
			}
			// Every truncation is short.
			for cut := range PayloadSize {
				if err := got.Unmarshal(tc.wire[:cut]); !errors.Is(err, ErrShortPayload) {
					t.Fatalf("cut at %d: %v, want ErrShortPayload", cut, err)
				}
			}
		})
	}
}

func TestEventMarshalErrors(t *testing.T) {
	if n, err := (Event{Volume: 64}).MarshalTo(make([]byte, 4)); !errors.Is(err, ErrInvalidEvent) || n != 0 {
		t.Errorf("volume 64: %d, %v; want ErrInvalidEvent", n, err)
	}
	if n, err := (Event{}).MarshalTo(make([]byte, 3)); !errors.Is(err, ErrShortBuffer) || n != 0 {
		t.Errorf("3-byte buffer: %d, %v; want ErrShortBuffer", n, err)
	}
	if got := (Event{}).MarshalSize(); got != 4 {
		t.Errorf("MarshalSize = %d", got)
	}
}

func TestDigits(t *testing.T) {
	const all = "0123456789*#ABCD"
	for code, d := range all {
		if got, ok := DigitOf(uint8(code)); !ok || got != d {
			t.Errorf("DigitOf(%d) = %q, %v; want %q", code, got, ok, d)
		}
		if got, ok := CodeOf(d); !ok || got != uint8(code) {
			t.Errorf("CodeOf(%q) = %d, %v; want %d", d, got, ok, code)
		}
	}
	for _, d := range "abcd" {
		if got, ok := CodeOf(d); !ok || got != CodeA+uint8(d-'a') {
			t.Errorf("CodeOf(%q) = %d, %v", d, got, ok)
		}
	}
	for code := 16; code < 256; code++ {
		if d, ok := DigitOf(uint8(code)); ok {
			t.Errorf("DigitOf(%d) = %q, want none", code, d)
		}
	}
	for _, d := range "eE+-/ x\x00é٣" {
		if code, ok := CodeOf(d); ok {
			t.Errorf("CodeOf(%q) = %d, want none", d, code)
		}
	}
}

func TestEventString(t *testing.T) {
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Code: 5, End: true, Volume: 10, Duration: 1600}, "event 5 end vol=10 dur=1600"},
		{Event{Code: CodeStar, Volume: 7, Duration: 400}, "event * vol=7 dur=400"},
		{Event{Code: CodeFlash}, "event 16 vol=0 dur=0"},
	}
	for _, tc := range tests {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
