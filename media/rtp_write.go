package media

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// MaxPacketSize is the largest RTP packet a Session sends, header
// included: one Ethernet MTU.
const MaxPacketSize = 1500

// writeState is the sending half of a session, guarded by mu.
type writeState struct {
	mu       sync.Mutex
	hdr      rtp.Header
	buf      [MaxPacketSize]byte
	tsOffset uint32 // random offset added to caller timestamps (RFC 3550 5.1)

	lastTS    uint32    // RTP timestamp of the last packet sent
	lastAt    time.Time // when it was sent
	lastClock int       // its clock rate; 0 before the first packet
}

// init picks the random initial sequence number and timestamp offset.
func (w *writeState) init(now time.Time) {
	w.hdr.Version = 2
	w.hdr.SequenceNumber = uint16(mrand.Uint32())
	w.tsOffset = mrand.Uint32()
	w.lastTS = w.tsOffset
	w.lastAt = now
}

// addrPortWriter is implemented by *net.UDPConn and mediatest pipes; it
// writes without a net.Addr.
type addrPortWriter interface {
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
}

// writeTo sends b to addr (or its net.Addr form) on conn without
// allocating when conn allows it.
func writeTo(conn net.PacketConn, b []byte, addr netip.AddrPort, netAddr net.Addr) error {
	var err error
	if w, ok := conn.(addrPortWriter); ok {
		_, err = w.WriteToUDPAddrPort(b, addr)
	} else {
		_, err = conn.WriteTo(b, netAddr)
	}
	if errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return err
}

// WriteRTP sends one RTP packet with the session's SSRC and next sequence
// number. ts is the caller's media timestamp, starting wherever the caller
// likes; the session adds its random offset (RFC 3550 section 5.1). The
// payload is copied; WriteRTP allocates nothing. It fails with ErrClosed,
// ErrUnknownPayloadType, ErrNoRemote or ErrPayloadTooLarge, or the
// socket's error. It is safe for concurrent use; packets are numbered in
// the order the calls take the session's send lock.
func (s *Session) WriteRTP(payloadType uint8, ts uint32, marker bool, payload []byte) error {
	if s.closed.Load() {
		return ErrClosed
	}
	codec := s.payloads.Lookup(payloadType)
	if codec == nil {
		return fmt.Errorf("%w: %d", ErrUnknownPayloadType, payloadType)
	}
	r := s.remote.Load()
	if !r.rtp.IsValid() {
		return ErrNoRemote
	}
	w := &s.wr
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hdr.SSRC = s.ssrc
	w.hdr.PayloadType = payloadType
	w.hdr.Marker = marker
	w.hdr.Timestamp = ts + w.tsOffset
	n, err := w.hdr.MarshalTo(w.buf[:])
	if err != nil {
		return fmt.Errorf("marshal rtp header: %w", err)
	}
	if len(payload) > len(w.buf)-n {
		return fmt.Errorf("%w: %d bytes", ErrPayloadTooLarge, len(payload))
	}
	n += copy(w.buf[n:], payload)
	if err := writeTo(s.conn, w.buf[:n], r.rtp, r.rtpAddr); err != nil {
		s.ctr.sendErrors.Add(1)
		return fmt.Errorf("send rtp to %s: %w", r.rtp, err)
	}
	w.hdr.SequenceNumber++
	w.lastTS, w.lastAt, w.lastClock = w.hdr.Timestamp, s.now(), codec.ClockRate
	s.ctr.sent.Add(1)
	s.ctr.sentBytes.Add(uint64(len(payload)))
	return nil
}

// rtpTimeAt returns the RTP timestamp that corresponds to now on the send
// clock, extrapolated from the last packet sent, for a sender report's
// RTP/NTP timestamp pair (RFC 3550 section 6.4.1).
func (w *writeState) rtpTimeAt(now time.Time) uint32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastClock == 0 {
		return w.lastTS
	}
	return w.lastTS + durationTicks(now.Sub(w.lastAt), w.lastClock)
}

// Sender writes consecutive frames of one payload type on a Session,
// advancing the timestamp by one frame per packet and setting the marker
// bit on the first packet of each talkspurt (RFC 3551 section 4.1). A
// Sender is used by one goroutine at a time.
type Sender struct {
	s      *Session
	pt     uint8
	step   uint32
	ts     uint32
	marker bool
}

// NewSender returns a Sender of payloadType frames of duration ptime.
func (s *Session) NewSender(payloadType uint8, ptime time.Duration) (*Sender, error) {
	codec := s.payloads.Lookup(payloadType)
	if codec == nil {
		return nil, fmt.Errorf("new sender: %w: %d", ErrUnknownPayloadType, payloadType)
	}
	step := codec.FrameTicks(ptime)
	if step == 0 {
		return nil, fmt.Errorf("new sender: %w: ptime %v", ErrInvalidConfig, ptime)
	}
	return &Sender{s: s, pt: payloadType, step: step, marker: true}, nil
}

// WriteFrame sends payload as the next frame and advances the timestamp.
// On error the timestamp still advances, so timing stays right.
func (w *Sender) WriteFrame(payload []byte) error {
	err := w.s.WriteRTP(w.pt, w.ts, w.marker, payload)
	w.ts += w.step
	if err == nil {
		w.marker = false
	}
	return err
}

// Skip advances the timestamp over frames frames that are not sent
// (silence suppression); the next frame starts a talkspurt.
func (w *Sender) Skip(frames int) {
	w.ts += w.step * uint32(frames)
	w.marker = true
}

// Shift moves the timestamp of the next frame by ticks of the RTP clock,
// to start a talkspurt where the audio really begins (RFC 3551 section
// 4.1: a talkspurt's first timestamp follows the sampling clock). It is
// only for the start of a talkspurt, after at least one skipped frame, and
// by less than a frame, so no two packets overlap.
func (w *Sender) Shift(ticks int32) {
	w.ts += uint32(ticks)
	w.marker = true
}

// Timestamp returns the media timestamp of the next frame, in the
// caller's timeline that WriteRTP takes. Other payload types of the same
// clock (RFC 4733 events) use it to stay aligned with the audio.
func (w *Sender) Timestamp() uint32 { return w.ts }
