package dtmf

import (
	"fmt"
	"time"
)

// EndReason says why a received tone ended.
type EndReason uint8

// End reasons.
const (
	// EndPacket: a packet with the E bit arrived (RFC 4733 section 2.3.2).
	EndPacket EndReason = iota + 1
	// EndTimeout: no packet for the tone within ReceiverConfig.Timeout;
	// its end packets were lost.
	EndTimeout
	// EndNextEvent: a packet of a new event arrived before the end of this
	// one was seen.
	EndNextEvent
	// EndFlush: Receiver.Flush ended it (stream stopped or changed SSRC).
	EndFlush
)

// String returns "packet", "timeout", "next-event" or "flush".
func (r EndReason) String() string {
	switch r {
	case EndPacket:
		return "packet"
	case EndTimeout:
		return "timeout"
	case EndNextEvent:
		return "next-event"
	case EndFlush:
		return "flush"
	default:
		return fmt.Sprintf("EndReason(%d)", uint8(r))
	}
}

// Tone is one received telephone event, from its first packet to its end,
// across segments.
type Tone struct {
	// Code is the event code; Digit maps it to a DTMF character.
	Code uint8
	// Timestamp is the RTP timestamp of the event start: that of its
	// first packet (section 2.5.1.2).
	Timestamp uint32
	// Duration is the length reported so far in RTP timestamp units,
	// summed over segments; in OnEnd, the final length.
	Duration uint32
	// Volume is the last reported volume, -dBm0.
	Volume uint8
	// Reason is why the tone ended; zero in OnBegin.
	Reason EndReason
}

// Digit returns the DTMF character of t.Code, see DigitOf.
func (t Tone) Digit() (rune, bool) { return DigitOf(t.Code) }

// DefaultTimeout ends a tone whose packets stop without an end packet.
const DefaultTimeout = 500 * time.Millisecond

// ReceiverConfig configures a Receiver. The zero value is valid.
type ReceiverConfig struct {
	// OnBegin is called once when a tone starts. It may be nil.
	OnBegin func(Tone)
	// OnEnd is called once when a tone ends, after its OnBegin. It may be
	// nil.
	OnEnd func(Tone)
	// Timeout ends a tone after this long without a packet for it, by
	// arrival time; zero means DefaultTimeout.
	Timeout time.Duration
}

// segmentSlack is how far, in timestamp units, a segment boundary may be
// from the 0xFFFF ideal: senders cut segments at their packet interval
// (RFC 4733 section 2.5.1.3), so a new segment starts up to one interval
// late and a segment's last duration may fall short by as much.
const segmentSlack = 4096

// staleWindow bounds how far behind the newest event a timestamp may be
// and still count as a late packet of an old event rather than a stream
// jump (about 22 s at 48 kHz).
const staleWindow = 1 << 20

type rxState uint8

const (
	rxIdle   rxState = iota // no tone yet, or flushed
	rxActive                // tone sounding
	rxSegEnd                // E bit on a full segment: the next segment may continue it
	rxEnded                 // tone over; its retransmissions are ignored
)

// Receiver turns received telephone-event packets into exactly one
// OnBegin and one OnEnd call per tone (RFC 4733 section 2.5.2): it merges
// duration updates of one event (same RTP timestamp), drops the three
// copies of the end packet (section 2.5.1.4) and late packets of earlier
// events, joins the segments of long events (section 2.5.1.3), and ends a
// tone whose end packets were lost on timeout or on the next event.
//
// A Receiver is a state machine without goroutines or timers. Its owner,
// typically the RTP reader goroutine of the session, calls Feed, Tick and
// Flush from one goroutine, and the callbacks run synchronously on that
// goroutine inside those calls. Callbacks must not call back into the
// Receiver, and should hand work off rather than block the reader.
type Receiver struct {
	cfg    ReceiverConfig
	tone   Tone
	state  rxState
	segTS  uint32    // RTP timestamp of the current segment
	segDur uint16    // longest duration seen in the current segment
	last   time.Time // arrival of the tone's latest packet
	newest uint32    // newest event timestamp seen
	seen   bool      // newest is valid
}

// NewReceiver returns a Receiver; zero fields of cfg take their defaults.
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: negative timeout %v", ErrInvalidConfig, cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Receiver{cfg: cfg}, nil
}

// Feed processes one telephone-event RTP packet: its RTP timestamp,
// marker bit, payload, and arrival time. It returns an error wrapping
// ErrShortPayload for a payload under 4 bytes (the caller counts it);
// duplicates and late packets are not errors, they are absorbed. Feed
// first applies the timeout at arrival, as Tick would. The payload is not
// retained. Feed does not allocate.
func (r *Receiver) Feed(ts uint32, marker bool, payload []byte, arrival time.Time) error {
	var ev Event
	if err := ev.Unmarshal(payload); err != nil {
		return err
	}
	r.Tick(arrival)
	if r.stale(ts) {
		return nil
	}
	switch {
	case r.state != rxIdle && ts == r.segTS:
		r.update(ev, arrival)
	case r.continues(ev, marker, ts):
		r.segTS, r.segDur = ts, 0
		r.state = rxActive
		r.update(ev, arrival)
	default:
		r.finish(EndNextEvent)
		r.begin(ev, ts, arrival)
	}
	r.newest, r.seen = ts, true
	return nil
}

// Tick ends the current tone if no packet for it arrived within the
// timeout before now. Call it periodically (the session's 20 ms ticker)
// so that a tone whose end packets were all lost still ends.
func (r *Receiver) Tick(now time.Time) {
	if (r.state == rxActive || r.state == rxSegEnd) && now.Sub(r.last) >= r.cfg.Timeout {
		r.finish(EndTimeout)
	}
}

// Flush ends the current tone, if any, with EndFlush and forgets the
// stream, so the next packet starts afresh whatever its timestamp. Call
// it when the stream stops or its SSRC changes.
func (r *Receiver) Flush() {
	r.finish(EndFlush)
	r.state, r.seen = rxIdle, false
}

// stale reports whether ts is older than the newest event seen, within
// staleWindow (RFC 3550 serial-number arithmetic on timestamps).
func (r *Receiver) stale(ts uint32) bool {
	d := r.newest - ts
	return r.seen && d != 0 && d < staleWindow
}

// continues reports whether a packet starts the next segment of the
// current long tone, RFC 4733 sections 2.5.1.3 and 2.5.2.3: same event, no marker, and
// a timestamp about 0xFFFF after the current segment's.
func (r *Receiver) continues(ev Event, marker bool, ts uint32) bool {
	if marker || ev.Code != r.tone.Code || (r.state != rxActive && r.state != rxSegEnd) {
		return false
	}
	d := ts - r.segTS
	return d >= MaxDuration-segmentSlack && d <= MaxDuration+segmentSlack
}

// begin starts a new tone with its first packet.
func (r *Receiver) begin(ev Event, ts uint32, arrival time.Time) {
	r.tone = Tone{Code: ev.Code, Timestamp: ts, Duration: uint32(ev.Duration), Volume: ev.Volume}
	r.segTS, r.segDur = ts, ev.Duration
	r.state, r.last = rxActive, arrival
	if r.cfg.OnBegin != nil {
		r.cfg.OnBegin(r.tone)
	}
	r.endBit(ev)
}

// update applies a further packet of the current segment: a duration
// update, an end packet or one of its retransmissions.
func (r *Receiver) update(ev Event, arrival time.Time) {
	if r.state == rxEnded || ev.Code != r.tone.Code {
		return
	}
	r.last = arrival
	r.segDur = max(r.segDur, ev.Duration)
	r.tone.Volume = ev.Volume
	r.tone.Duration = r.segTS - r.tone.Timestamp + uint32(r.segDur)
	r.endBit(ev)
}

// endBit handles the E bit. A segment that ends at (nearly) full length
// may be continued by the next segment, so its end is held until the next
// packet or the timeout shows whether the tone goes on.
func (r *Receiver) endBit(ev Event) {
	switch {
	case !ev.End || r.state != rxActive:
	case r.segDur >= MaxDuration-segmentSlack:
		r.state = rxSegEnd
	default:
		r.finish(EndPacket)
	}
}

// finish ends the current tone, if one is sounding, and reports it. A tone
// whose end packet already arrived ends with EndPacket whatever the
// trigger.
func (r *Receiver) finish(reason EndReason) {
	switch r.state {
	case rxSegEnd:
		reason = EndPacket
	case rxActive:
	default:
		return
	}
	r.state = rxEnded
	r.tone.Reason = reason
	if r.cfg.OnEnd != nil {
		r.cfg.OnEnd(r.tone)
	}
}
