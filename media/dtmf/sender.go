package dtmf

import (
	"fmt"
	"time"
)

// SenderConfig configures a Sender. The zero value sends at 8 kHz every
// 20 ms at -10 dBm0.
type SenderConfig struct {
	// ClockRate is the RTP clock of the negotiated telephone-event format
	// in Hz (8000 by default; 48000 alongside Opus).
	ClockRate int
	// Interval is the time between packets, the audio ptime; zero means
	// 20 ms. RFC 4733 section 2.5.1.2 suggests 50 ms or the audio packet
	// interval.
	Interval time.Duration
	// Volume is the tone power as -dBm0, 1 to 63; zero means 10.
	Volume uint8
}

// Packet describes one telephone-event RTP packet produced by
// Sender.Next; the payload itself is written into the caller's buffer.
type Packet struct {
	// N is the payload length written, PayloadSize.
	N int
	// Timestamp is the RTP timestamp to send: the start of the tone, or of
	// the segment for long tones (section 2.5.1.3).
	Timestamp uint32
	// Marker is the RTP marker bit: set on the first packet of the tone
	// (section 2.5.1.2).
	Marker bool
	// End reports that the payload carries the E bit.
	End bool
	// Last reports the final packet of the tone; the sender is idle after
	// it and the stream returns to audio.
	Last bool
}

type txState uint8

const (
	txIdle txState = iota
	txSending
	txRepeating // resending a final packet, section 2.5.1.4
)

// endCopies is how many times the final packet of an event or segment is
// sent, RFC 4733 section 2.5.1.4.
const endCopies = 3

// Sender produces the RTP packet sequence of one tone at a time, one
// packet per call to Next on the session's packet ticker (RFC 4733
// section 2.5.1): every packet carries the tone's start timestamp and the
// duration so far, the first has the marker bit, and the final one has
// the E bit and is sent three times. Tones longer than 0xFFFF timestamp
// units are split into segments, each with its own timestamp and three
// final packets.
//
// A Sender holds no goroutines or timers and is used by one goroutine, the
// one that sends the session's RTP packets. Next does not allocate.
type Sender struct {
	interval uint64 // samples per packet
	volume   uint8
	rate     int

	state    txState
	code     uint8
	ts0      uint32 // RTP timestamp of the tone start
	total    uint64 // tone length in samples
	elapsed  uint64 // samples covered by the packets sent so far
	segStart uint64 // start of the current segment, samples since ts0
	marker   bool   // next packet is the tone's first
	repeats  int    // final copies still to send
	final    bool   // the final being repeated ends the tone, not just a segment
	finalDur uint16
}

// NewSender returns a Sender; zero fields of cfg take their defaults.
func NewSender(cfg SenderConfig) (*Sender, error) {
	if cfg.ClockRate == 0 {
		cfg.ClockRate = 8000
	}
	if cfg.Interval == 0 {
		cfg.Interval = 20 * time.Millisecond
	}
	if cfg.Volume == 0 {
		cfg.Volume = 10
	}
	if cfg.ClockRate < 0 || cfg.ClockRate > 192000 {
		return nil, fmt.Errorf("%w: clock rate %d", ErrInvalidConfig, cfg.ClockRate)
	}
	samples := uint64(cfg.Interval) * uint64(cfg.ClockRate) / uint64(time.Second)
	if cfg.Interval < 0 || samples == 0 || samples > MaxDuration/2 {
		return nil, fmt.Errorf("%w: interval %v at %d Hz", ErrInvalidConfig, cfg.Interval, cfg.ClockRate)
	}
	if cfg.Volume > MaxVolume {
		return nil, fmt.Errorf("%w: volume %d above 63", ErrInvalidConfig, cfg.Volume)
	}
	return &Sender{interval: samples, volume: cfg.Volume, rate: cfg.ClockRate}, nil
}

// Start begins a tone of event code lasting d, whose RTP timestamp is ts:
// the timestamp the audio stream has at this moment, since events share
// its timestamp base (section 2.5.1.2). The first packet comes from the
// next call to Next. It returns ErrBusy while a tone is still being sent.
func (s *Sender) Start(code uint8, d time.Duration, ts uint32) error {
	if s.state != txIdle {
		return ErrBusy
	}
	total := uint64(d) * uint64(s.rate) / uint64(time.Second)
	if d <= 0 || total == 0 {
		return fmt.Errorf("%w: tone duration %v", ErrInvalidConfig, d)
	}
	*s = Sender{interval: s.interval, volume: s.volume, rate: s.rate,
		state: txSending, code: code, ts0: ts, total: total, marker: true}
	return nil
}

// Stop ends the current tone early: the next packets are its final ones.
// A tone not yet sent is dropped.
func (s *Sender) Stop() {
	switch s.state {
	case txSending:
		if s.elapsed == 0 {
			s.state = txIdle
			return
		}
		s.total = s.elapsed
	case txRepeating:
		s.final = true
	}
}

// Active reports whether a tone is being sent, that is whether the next
// packet of the session must come from Next.
func (s *Sender) Active() bool { return s.state != txIdle }

// Next writes the payload of the next packet of the tone into b and
// describes the packet. Call it once per packet interval while Active. It
// returns ErrIdle when no tone is being sent and an error wrapping
// ErrShortBuffer when b is shorter than 4 bytes.
func (s *Sender) Next(b []byte) (Packet, error) {
	if s.state == txIdle {
		return Packet{}, ErrIdle
	}
	if len(b) < PayloadSize {
		return Packet{}, errShortBuffer
	}
	s.elapsed += s.interval
	if s.state == txRepeating {
		return s.repeat(b), nil
	}
	segEnd := s.segStart + MaxDuration
	switch {
	case s.elapsed >= s.total && s.total <= segEnd: // the tone ends in this segment
		return s.startFinal(b, uint16(s.total-s.segStart), true), nil
	case s.elapsed >= segEnd: // the segment is full; the tone goes on
		return s.startFinal(b, MaxDuration, false), nil
	default:
		return s.emit(b, uint16(s.elapsed-s.segStart), false), nil
	}
}

// startFinal sends the first copy of a final packet.
func (s *Sender) startFinal(b []byte, dur uint16, final bool) Packet {
	s.state, s.repeats, s.final, s.finalDur = txRepeating, endCopies, final, dur
	return s.repeat(b)
}

// repeat sends one copy of the final packet and, after the last copy,
// ends the tone or moves on to the next segment.
func (s *Sender) repeat(b []byte) Packet {
	p := s.emit(b, s.finalDur, true)
	s.repeats--
	if s.repeats > 0 {
		return p
	}
	if s.final {
		s.state = txIdle
		p.Last = true
		return p
	}
	s.state = txSending
	s.segStart += MaxDuration
	return p
}

// emit writes one payload.
func (s *Sender) emit(b []byte, dur uint16, end bool) Packet {
	ev := Event{Code: s.code, End: end, Volume: s.volume, Duration: dur}
	n, _ := ev.MarshalTo(b) // b and volume were checked
	p := Packet{N: n, Timestamp: s.ts0 + uint32(s.segStart), Marker: s.marker, End: end}
	s.marker = false
	return p
}
