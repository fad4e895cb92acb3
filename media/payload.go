package media

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Encoding names as they appear in an SDP a=rtpmap attribute (RFC 4566
// section 6, RFC 3551 section 6). Matching is case-insensitive (RFC 4855
// section 3); descriptors built by this package use these spellings.
const (
	NamePCMU           = "PCMU"
	NamePCMA           = "PCMA"
	NameG722           = "G722"
	NameL16            = "L16"
	NameOpus           = "opus"
	NameTelephoneEvent = "telephone-event"
)

// Static payload types of RFC 3551 section 6, Table 4, for the codecs
// Parley supports.
const (
	PayloadTypePCMU uint8 = 0
	PayloadTypePCMA uint8 = 8
	PayloadTypeG722 uint8 = 9
)

// Codec describes one negotiated RTP payload format: what an a=rtpmap line
// (plus its a=fmtp line) says, and the sample rate of the linear PCM that
// Parley's decoder for it produces. It is a plain value; it builds no
// encoder or decoder.
type Codec struct {
	// Name is the encoding name, e.g. "PCMU" or "opus".
	Name string
	// PayloadType is the RTP payload type, 0..127.
	PayloadType uint8
	// ClockRate is the RTP timestamp clock in Hz. It differs from
	// SampleRate for G.722 (8000, RFC 3551 section 4.5.2) and Opus (always
	// 48000, RFC 7587 section 4.1).
	ClockRate int
	// SampleRate is the rate in Hz of the PCM the decoder produces and the
	// encoder consumes.
	SampleRate int
	// Channels is the channel count of the rtpmap line. It is 2 for Opus
	// (RFC 7587 section 7) although Parley encodes and decodes mono.
	Channels int
	// FmtpLine holds the format parameters of the a=fmtp line without the
	// "a=fmtp:<pt> " prefix, e.g. "0-16" or "useinbandfec=1".
	FmtpLine string
}

// PCMU returns the descriptor of G.711 mu-law, static payload type 0
// (RFC 3551 section 4.5.14).
func PCMU() Codec {
	return Codec{Name: NamePCMU, PayloadType: PayloadTypePCMU, ClockRate: 8000, SampleRate: 8000, Channels: 1}
}

// PCMA returns the descriptor of G.711 A-law, static payload type 8
// (RFC 3551 section 4.5.14).
func PCMA() Codec {
	return Codec{Name: NamePCMA, PayloadType: PayloadTypePCMA, ClockRate: 8000, SampleRate: 8000, Channels: 1}
}

// G722 returns the descriptor of G.722, static payload type 9. Its RTP
// clock is 8000 Hz although it carries 16000 Hz audio, an error in the
// original RFC 1890 kept for compatibility (RFC 3551 section 4.5.2).
func G722() Codec {
	return Codec{Name: NameG722, PayloadType: PayloadTypeG722, ClockRate: 8000, SampleRate: 16000, Channels: 1}
}

// NewCodec returns the descriptor for an a=rtpmap entry
// "<pt> <name>/<clockRate>[/<channels>]". channels 0 means the line had
// none. Opus decodes at 48000 Hz unless the caller lowers SampleRate to
// 16000 or 8000. It fails with ErrUnknownCodec for anything Parley cannot
// carry and ErrInvalidPayloadType for a bad payload type.
func NewCodec(pt uint8, name string, clockRate, channels int) (Codec, error) {
	c := Codec{Name: name, PayloadType: pt, ClockRate: clockRate, Channels: channels}
	switch {
	case strings.EqualFold(name, NamePCMU), strings.EqualFold(name, NamePCMA),
		strings.EqualFold(name, NameL16), strings.EqualFold(name, NameTelephoneEvent):
		c.SampleRate = clockRate
	case strings.EqualFold(name, NameG722):
		c.SampleRate = 16000
	case strings.EqualFold(name, NameOpus):
		c.SampleRate = 48000
	}
	if c.Channels == 0 {
		c.Channels = 1
		if strings.EqualFold(name, NameOpus) {
			c.Channels = 2
		}
	}
	return c.canonical()
}

// canonical validates c and returns it with its name spelt as the Name*
// constants.
func (c Codec) canonical() (Codec, error) {
	if c.PayloadType > 127 {
		return c, fmt.Errorf("%w: %d > 127", ErrInvalidPayloadType, c.PayloadType)
	}
	if err := c.checkFormat(); err != nil {
		return c, err
	}
	return c, c.checkPayloadType()
}

// checkFormat validates the clock, sample rate and channels of c against
// its encoding and canonicalizes c.Name.
func (c *Codec) checkFormat() error {
	type format struct {
		name     string
		clocks   []int
		rates    []int // nil: SampleRate must equal ClockRate
		channels int
	}
	formats := [...]format{
		{NamePCMU, []int{8000}, nil, 1},
		{NamePCMA, []int{8000}, nil, 1},
		{NameG722, []int{8000}, []int{16000}, 1},
		{NameL16, []int{8000, 16000}, nil, 1},
		{NameOpus, []int{48000}, []int{8000, 16000, 48000}, 2},
		{NameTelephoneEvent, []int{8000, 16000, 48000}, nil, 1},
	}
	for _, f := range formats {
		if !strings.EqualFold(c.Name, f.name) {
			continue
		}
		c.Name = f.name
		rateOK := c.SampleRate == c.ClockRate
		if f.rates != nil {
			rateOK = contains(f.rates, c.SampleRate)
		}
		if !contains(f.clocks, c.ClockRate) || !rateOK || c.Channels != f.channels {
			return fmt.Errorf("%w: %s at clock %d, %d Hz, %d channels", ErrUnknownCodec, f.name, c.ClockRate, c.SampleRate, c.Channels)
		}
		return nil
	}
	return fmt.Errorf("%w: %q", ErrUnknownCodec, c.Name)
}

// checkPayloadType enforces RFC 3551 section 6: static payload types 0..34
// keep their assigned encodings, and 72..76 are reserved because they
// collide with RTCP packet types.
func (c *Codec) checkPayloadType() error {
	switch pt := c.PayloadType; {
	case pt >= 72 && pt <= 76:
		return fmt.Errorf("%w: %d is reserved (RFC 3551 section 6)", ErrInvalidPayloadType, pt)
	case pt < 35 && staticName(pt) != c.Name:
		return fmt.Errorf("%w: static payload type %d is not %s", ErrInvalidPayloadType, pt, c.Name)
	}
	return nil
}

// staticName returns the encoding statically assigned to pt among those
// Parley supports, or "".
func staticName(pt uint8) string {
	switch pt {
	case PayloadTypePCMU:
		return NamePCMU
	case PayloadTypePCMA:
		return NamePCMA
	case PayloadTypeG722:
		return NameG722
	}
	return ""
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// String returns the value of the codec's a=rtpmap attribute, e.g.
// "0 PCMU/8000" or "111 opus/48000/2".
func (c Codec) String() string {
	s := strconv.Itoa(int(c.PayloadType)) + " " + c.Name + "/" + strconv.Itoa(c.ClockRate)
	if c.Channels > 1 {
		s += "/" + strconv.Itoa(c.Channels)
	}
	return s
}

// FrameTicks returns how far the RTP timestamp advances over one frame of
// duration ptime: 160 for 20 ms of PCMU or G.722, 960 for 20 ms of Opus.
func (c Codec) FrameTicks(ptime time.Duration) uint32 {
	return uint32(int64(c.ClockRate) * int64(ptime) / int64(time.Second))
}

// FrameSamples returns the number of PCM samples in one frame of duration
// ptime at the codec's SampleRate: 320 for 20 ms of G.722.
func (c Codec) FrameSamples(ptime time.Duration) int {
	return int(int64(c.SampleRate) * int64(ptime) / int64(time.Second))
}

// IsTelephoneEvent reports whether c carries RFC 4733 named events (DTMF)
// rather than audio.
func (c Codec) IsTelephoneEvent() bool {
	return strings.EqualFold(c.Name, NameTelephoneEvent)
}

// PayloadMap maps the payload types negotiated for one session to their
// codec descriptors. Lookup is O(1) and allocation-free. A PayloadMap is
// immutable after NewPayloadMap and safe for concurrent use.
type PayloadMap struct {
	byType [128]*Codec
	event  [128]bool
	list   []Codec
}

// NewPayloadMap builds a map from the negotiated codecs, each carrying its
// payload type. It validates every descriptor as NewCodec does and fails
// with ErrInvalidPayloadType when two share a payload type.
func NewPayloadMap(codecs ...Codec) (*PayloadMap, error) {
	m := &PayloadMap{list: make([]Codec, 0, len(codecs))}
	for _, in := range codecs {
		c, err := in.canonical()
		if err != nil {
			return nil, fmt.Errorf("payload map: %w", err)
		}
		m.list = append(m.list, c)
	}
	for i := range m.list {
		c := &m.list[i]
		if m.byType[c.PayloadType] != nil {
			return nil, fmt.Errorf("%w: %d mapped twice (%s, %s)", ErrInvalidPayloadType, c.PayloadType, m.byType[c.PayloadType], c)
		}
		m.byType[c.PayloadType] = c
		m.event[c.PayloadType] = c.IsTelephoneEvent()
	}
	return m, nil
}

// Lookup returns the codec mapped to payload type pt, or nil when pt is
// not mapped. The returned descriptor is shared and must not be modified.
func (m *PayloadMap) Lookup(pt uint8) *Codec {
	if m == nil || pt > 127 {
		return nil
	}
	return m.byType[pt]
}

// isEvent reports whether pt is mapped to telephone-event.
func (m *PayloadMap) isEvent(pt uint8) bool {
	return pt <= 127 && m.event[pt]
}

// Find returns the first codec with the given encoding name (compared
// case-insensitively) and clock rate, or nil. clockRate 0 matches any.
func (m *PayloadMap) Find(name string, clockRate int) *Codec {
	if m == nil {
		return nil
	}
	for i := range m.list {
		c := &m.list[i]
		if strings.EqualFold(c.Name, name) && (clockRate == 0 || c.ClockRate == clockRate) {
			return c
		}
	}
	return nil
}

// Codecs returns a copy of the descriptors in the order they were given,
// which is the order of preference in SDP.
func (m *PayloadMap) Codecs() []Codec {
	if m == nil {
		return nil
	}
	return append([]Codec(nil), m.list...)
}

// Len returns the number of mapped payload types.
func (m *PayloadMap) Len() int {
	if m == nil {
		return 0
	}
	return len(m.list)
}

// String lists the mapping as rtpmap values: "0 PCMU/8000, 101 telephone-event/8000".
func (m *PayloadMap) String() string {
	if m == nil {
		return ""
	}
	parts := make([]string, len(m.list))
	for i, c := range m.list {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}
