package dtmf

import (
	"encoding/binary"
	"fmt"
)

// PayloadSize is the length of one telephone-event payload, RFC 4733
// section 2.3.
const PayloadSize = 4

// MaxVolume is the largest volume field value: -63 dBm0, RFC 4733 section
// 2.3.4.
const MaxVolume = 63

// MaxDuration is the longest duration one packet can report, in RTP
// timestamp units; longer events are sent in segments, RFC 4733 section
// 2.5.1.3.
const MaxDuration = 0xFFFF

// DTMF event codes, RFC 4733 section 3.2 (codes 0-9 are the digits).
const (
	CodeStar  uint8 = 10 // *
	CodePound uint8 = 11 // #
	CodeA     uint8 = 12
	CodeB     uint8 = 13
	CodeC     uint8 = 14
	CodeD     uint8 = 15
	CodeFlash uint8 = 16 // hook flash
)

// Event is one RFC 4733 telephone-event payload (section 2.3):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Event struct {
	// Code is the event code (section 2.3.1): 0-15 for the DTMF digits
	// 0-9, *, #, A-D; other codes are other telephony events.
	Code uint8
	// End is the E bit (section 2.3.2): this packet reports the end of the
	// event or of a segment of it.
	End bool
	// Volume is the tone power as -dBm0, 0 to 63 (section 2.3.4): larger
	// is quieter.
	Volume uint8
	// Duration is the time since the start of the event or segment in RTP
	// timestamp units (section 2.3.5).
	Duration uint16
}

// Unmarshal parses the first 4 bytes of b into e. Bytes after them are
// ignored, and so is the reserved R bit (section 2.3.3: receivers ignore
// it). It returns an error wrapping ErrShortPayload when b is shorter than
// 4 bytes. It does not allocate.
func (e *Event) Unmarshal(b []byte) error {
	if len(b) < PayloadSize {
		return errShortPayload
	}
	e.Code = b[0]
	e.End = b[1]&0x80 != 0
	e.Volume = b[1] & 0x3f
	e.Duration = binary.BigEndian.Uint16(b[2:4])
	return nil
}

// MarshalSize returns PayloadSize.
func (e Event) MarshalSize() int { return PayloadSize }

// MarshalTo writes e into b and returns 4. The R bit is sent as zero
// (section 2.3.3). It fails with ErrShortBuffer when b is shorter than 4
// bytes and with ErrInvalidEvent when Volume exceeds 63. It does not
// allocate.
func (e Event) MarshalTo(b []byte) (int, error) {
	if len(b) < PayloadSize {
		return 0, errShortBuffer
	}
	if e.Volume > MaxVolume {
		return 0, errVolume
	}
	b[0] = e.Code
	b[1] = e.Volume
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:4], e.Duration)
	return PayloadSize, nil
}

// Digit returns the DTMF character of e.Code, see DigitOf.
func (e Event) Digit() (rune, bool) { return DigitOf(e.Code) }

// String formats e for logs, e.g. "event 5 end vol=10 dur=1600".
func (e Event) String() string {
	name := fmt.Sprint(e.Code)
	if d, ok := e.Digit(); ok {
		name = string(d)
	}
	end := ""
	if e.End {
		end = " end"
	}
	return fmt.Sprintf("event %s%s vol=%d dur=%d", name, end, e.Volume, e.Duration)
}

const digits = "0123456789*#ABCD"

// DigitOf returns the DTMF character for an event code 0-15 ('0'-'9', '*',
// '#', 'A'-'D'), RFC 4733 section 3.2; ok is false for other codes.
func DigitOf(code uint8) (digit rune, ok bool) {
	if int(code) >= len(digits) {
		return 0, false
	}
	return rune(digits[code]), true
}

// CodeOf returns the event code of a DTMF character; 'a'-'d' are accepted
// as 'A'-'D'. ok is false for any other character.
func CodeOf(digit rune) (code uint8, ok bool) {
	switch {
	case digit >= '0' && digit <= '9':
		return uint8(digit - '0'), true
	case digit == '*':
		return CodeStar, true
	case digit == '#':
		return CodePound, true
	case digit >= 'A' && digit <= 'D':
		return CodeA + uint8(digit-'A'), true
	case digit >= 'a' && digit <= 'd':
		return CodeA + uint8(digit-'a'), true
	}
	return 0, false
}
