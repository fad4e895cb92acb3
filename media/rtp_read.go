package media

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"
)

const (
	// readBufferSize is the reader's buffer. A datagram that fills it may
	// have been truncated by the kernel and is dropped as oversize.
	readBufferSize = 8192
	// maxReadErrors is how many consecutive failed reads end a reader.
	maxReadErrors = 100
	// dropLogInterval limits drop logs to one per interval per session.
	dropLogInterval = 10 * time.Second
)

// readState is owned by the RTP reader goroutine.
type readState struct {
	hdr       rtp.Header     // reused for every packet
	candidate netip.AddrPort // new source address seen while latched
	count     int            // consecutive valid packets from candidate
}

// addrPortReader is implemented by *net.UDPConn and mediatest pipes; it
// reads without allocating a net.Addr.
type addrPortReader interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
}

// readLoop reads datagrams from conn until it is closed and passes each
// to handle with its source and arrival time. It owns its buffer.
func (s *Session) readLoop(conn net.PacketConn, handle func(b []byte, from netip.AddrPort, now time.Time)) {
	defer s.readers.Done()
	buf := make([]byte, readBufferSize)
	read := readFunc(conn)
	failures := 0
	for {
		n, from, err := read(buf)
		if err != nil {
			if s.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.ctr.readErrors.Add(1)
			if failures++; failures >= maxReadErrors {
				s.log.Error("rtp reader giving up", "err", err, "failures", failures)
				return
			}
			continue
		}
		failures = 0
		now := s.now()
		if n == len(buf) {
			s.dropped(dropOversize, now)
			continue
		}
		handle(buf[:n], unmap(from), now)
	}
}

// startReader starts the reader goroutine of conn: the batch reader where
// the platform has one (rtp_read_linux.go), else the ordinary read loop.
func (s *Session) startReader(conn net.PacketConn, handle func(b []byte, from netip.AddrPort, now time.Time)) {
	s.readers.Add(1)
	deliver := func(b []byte, from netip.AddrPort) {
		now := s.now()
		if len(b) >= batchBufSize {
			s.dropped(dropOversize, now)
			return
		}
		handle(b, unmap(from), now)
	}
	countErr := func(error) { s.ctr.readErrors.Add(1) }
	if r := newBatchReader(conn, deliver, countErr); r != nil {
		go s.batchLoop(r)
		return
	}
	go s.readLoop(conn, handle)
}

// batchLoop runs a batch reader until its socket is closed.
func (s *Session) batchLoop(r *batchReader) {
	defer s.readers.Done()
	if err := r.run(); err != nil && !s.closed.Load() && !errors.Is(err, net.ErrClosed) {
		s.log.Error("rtp reader giving up", "err", err)
	}
}

// readFunc returns conn's allocation-free read when it has one.
func readFunc(conn net.PacketConn) func([]byte) (int, netip.AddrPort, error) {
	if r, ok := conn.(addrPortReader); ok {
		return r.ReadFromUDPAddrPort
	}
	return func(b []byte) (int, netip.AddrPort, error) {
		n, addr, err := conn.ReadFrom(b)
		return n, addrPortOf(addr), err
	}
}

// handleDatagram dispatches one datagram from the RTP socket: RTCP when
// multiplexed (RFC 5761 section 4), RTP otherwise.
func (s *Session) handleDatagram(b []byte, from netip.AddrPort, now time.Time) {
	if s.cfg.RTCPMux && isRTCP(b) {
		_ = s.handleRTCP(b, from, now) // counted; nothing to return it to
		return
	}
	s.handleRTP(b, from, now)
}

// isRTCP reports whether b looks like RTCP on a multiplexed socket: RFC
// 5761 section 4 demultiplexes on the second octet, RTCP types 192..223.
func isRTCP(b []byte) bool {
	return len(b) >= 2 && b[1] >= 192 && b[1] <= 223
}

// handleRTP validates one RTP datagram, updates the statistics and hands
// it to the handler. It allocates nothing for a valid packet.
func (s *Session) handleRTP(b []byte, from netip.AddrPort, now time.Time) {
	hdr := &s.rd.hdr
	payload, why := parseRTP(b, hdr)
	if why != dropNone {
		s.dropped(why, now)
		return
	}
	codec := s.payloads.Lookup(hdr.PayloadType)
	if codec == nil {
		s.dropped(dropUnknownPayloadType, now)
		return
	}
	if !s.acceptSource(from) {
		s.dropped(dropForeignSource, now)
		return
	}
	res, changed := s.recv.packet(hdr, now, codec.ClockRate, s.payloads.isEvent(hdr.PayloadType))
	if changed {
		s.ctr.ssrcChanges.Add(1)
	}
	switch res {
	case seqProbation:
		s.dropped(dropProbation, now)
		return
	case seqBadJump:
		s.dropped(dropBadSequence, now)
		return
	}
	s.ctr.received.Add(1)
	s.ctr.receivedBytes.Add(uint64(len(payload)))
	s.ctr.lastReceived.Store(now.UnixNano())
	if h := s.handler.Load(); h != nil {
		h.h.HandleRTP(hdr, payload)
	}
}

// parseRTP parses b into hdr and returns the payload without padding, or
// why b is not a valid RTP packet (RFC 3550 section 5.1, A.1 header
// checks).
func parseRTP(b []byte, hdr *rtp.Header) ([]byte, drop) {
	if len(b) < 12 {
		return nil, dropMalformed
	}
	if b[0]>>6 != 2 {
		return nil, dropBadVersion
	}
	n, err := hdr.Unmarshal(b)
	if err != nil {
		return nil, dropMalformed
	}
	end := len(b)
	hdr.PaddingSize = 0
	if hdr.Padding {
		// RFC 3550 5.1: the last octet counts the padding, itself included.
		pad := int(b[end-1])
		if pad == 0 || pad > end-n {
			return nil, dropBadPadding
		}
		end -= pad
		hdr.PaddingSize = byte(pad)
	}
	return b[n:end], dropNone
}

// acceptSource applies symmetric RTP (RFC 4961) to a valid packet from
// from: it latches the first source, accepts the latched one, and moves
// the latch after RelatchAfter consecutive packets from a new one.
func (s *Session) acceptSource(from netip.AddrPort) bool {
	if !s.cfg.Symmetric {
		return true
	}
	cur := s.remote.Load()
	switch {
	case cur.latched && from == cur.rtp:
		s.rd.count = 0
		return true
	case !cur.latched:
		s.latch(cur, from)
		return true
	case s.cfg.RelatchAfter == 0:
		return false
	}
	if from != s.rd.candidate {
		s.rd.candidate, s.rd.count = from, 0
	}
	if s.rd.count++; s.rd.count < s.cfg.RelatchAfter {
		return false
	}
	s.ctr.relatches.Add(1)
	s.log.Warn("rtp remote moved", "from", cur.rtp, "remote", from)
	s.latch(cur, from)
	return true
}

// latch makes from the remote RTP address, replacing cur unless SetRemote
// replaced it meanwhile.
func (s *Session) latch(cur *remoteAddrs, from netip.AddrPort) {
	next := s.remoteFor(from, netip.AddrPort{})
	next.latched = true
	if !s.cfg.RTCPMux && cur.rtcp.IsValid() && cur.rtcp.Addr() == from.Addr() {
		next.rtcp, next.rtcpAddr = cur.rtcp, cur.rtcpAddr // learnt or configured on this host
	}
	if s.remote.CompareAndSwap(cur, next) {
		s.rd.candidate, s.rd.count = netip.AddrPort{}, 0
		s.log.Info("rtp remote latched", "remote", from)
	}
}

// dropped counts a dropped datagram and logs the drop counts at most once
// per dropLogInterval.
func (s *Session) dropped(why drop, now time.Time) {
	s.ctr.count(why)
	last := s.lastDropLog.Load()
	if now.UnixNano()-last < int64(dropLogInterval) || !s.lastDropLog.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	st := s.Stats().Receive
	level := slog.LevelWarn
	if why == dropProbation {
		// Every new source's first packets wait out probation (RFC 3550
		// A.1): expected, not a problem.
		level = slog.LevelDebug
	}
	s.log.Log(context.Background(), level, "rtp packets dropped", "reason", why.String(), "dropped", st.Dropped(),
		"malformed", st.Malformed, "unknown_payload_type", st.UnknownPayloadType,
		"foreign_source", st.ForeignSource, "bad_sequence", st.BadSequence)
}
