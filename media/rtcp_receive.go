package media

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/rtcp"
)

// RTCP packet types of RFC 3550 section 12.1 that a compound packet may
// start with.
const (
	rtcpTypeSR = 200
	rtcpTypeRR = 201
)

// validateRTCP applies the header validity checks of RFC 3550 Appendix
// A.2 to a compound packet: version 2 throughout, the first packet an SR
// or RR without padding, padding only on the last packet and sane, and
// packet lengths adding up to the datagram length.
func validateRTCP(b []byte) error {
	if len(b) < 8 || len(b)%4 != 0 {
		return fmt.Errorf("%w: length %d", ErrMalformedRTCP, len(b))
	}
	if b[0]&0x20 != 0 || (b[1] != rtcpTypeSR && b[1] != rtcpTypeRR) {
		return fmt.Errorf("%w: first packet type %d, padding %t", ErrMalformedRTCP, b[1], b[0]&0x20 != 0)
	}
	for off := 0; off < len(b); {
		if len(b)-off < 4 {
			return fmt.Errorf("%w: %d trailing octets", ErrMalformedRTCP, len(b)-off)
		}
		if v := b[off] >> 6; v != 2 {
			return fmt.Errorf("%w: version %d at offset %d", ErrMalformedRTCP, v, off)
		}
		size := (int(binary.BigEndian.Uint16(b[off+2:])) + 1) * 4
		end := off + size
		if end > len(b) {
			return fmt.Errorf("%w: packet at offset %d overruns by %d", ErrMalformedRTCP, off, end-len(b))
		}
		if b[off]&0x20 != 0 {
			if end != len(b) {
				return fmt.Errorf("%w: padding before the last packet", ErrMalformedRTCP)
			}
			if pad := int(b[end-1]); pad == 0 || pad > size-4 {
				return fmt.Errorf("%w: padding %d in a %d-octet packet", ErrMalformedRTCP, pad, size)
			}
		}
		off = end
	}
	return nil
}

// handleRTCPDatagram handles one datagram from the RTCP socket.
func (s *Session) handleRTCPDatagram(b []byte, from netip.AddrPort, now time.Time) {
	if s.handleRTCP(b, from, now) != nil || !s.cfg.Symmetric {
		return
	}
	// Symmetric RTCP: answer where the remote's RTCP comes from.
	if cur := s.remote.Load(); cur.rtcp != from {
		next := *cur
		next.rtcp, next.rtcpAddr = from, udpAddr(from)
		s.remote.CompareAndSwap(cur, &next)
	}
}

// handleRTCP validates and parses one compound RTCP packet from from,
// received at now, and applies its sender and receiver reports. With
// Symmetric, RTCP from a host other than the latched RTP remote is
// dropped. Errors are counted; the returned error says why the packet was
// dropped.
func (s *Session) handleRTCP(b []byte, from netip.AddrPort, now time.Time) error {
	if cur := s.remote.Load(); s.cfg.Symmetric && cur.latched && from.Addr() != cur.rtp.Addr() {
		s.ctr.rtcpForeign.Add(1)
		return fmt.Errorf("rtcp from %s: foreign source", from)
	}
	pkts, err := parseRTCP(b)
	if err != nil {
		s.ctr.rtcpMalformed.Add(1)
		return fmt.Errorf("rtcp from %s: %w", from, err)
	}
	s.ctr.rtcpReceived.Add(1)
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			s.recv.noteSR(p.SSRC, p.NTPTime, now)
			s.noteReports(p.Reports, now)
		case *rtcp.ReceiverReport:
			s.noteReports(p.Reports, now)
		case *rtcp.Goodbye:
			s.ctr.byes.Add(1)
			s.log.Debug("rtcp bye", "sources", p.Sources, "reason", p.Reason)
		}
	}
	return nil
}

// parseRTCP validates b (RFC 3550 A.2) and parses its packets.
func parseRTCP(b []byte) ([]rtcp.Packet, error) {
	if err := validateRTCP(b); err != nil {
		return nil, err
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedRTCP, err)
	}
	return pkts, nil
}

// noteReports applies the report blocks about our SSRC: the remote's view
// of our loss and jitter, and the round-trip time of RFC 3550 6.4.1,
// A - LSR - DLSR, where A is the arrival time of the report.
func (s *Session) noteReports(blocks []rtcp.ReceptionReport, now time.Time) {
	for _, rr := range blocks {
		if rr.SSRC != s.ssrc {
			continue
		}
		s.rc.mu.Lock()
		s.rc.reports++
		s.rc.remoteFractionLost = rr.FractionLost
		s.rc.remoteLost = int32(rr.TotalLost<<8) >> 8 // sign-extend 24 bits
		s.rc.remoteHighestSeq = rr.LastSequenceNumber
		s.rc.remoteJitter = rr.Jitter
		if rr.LastSenderReport != 0 {
			// The subtraction is modulo 2^32; a "negative" result means
			// clocks or reports went wrong and is ignored.
			if rtt := ntpMiddle(ntpTime(now)) - rr.LastSenderReport - rr.Delay; int32(rtt) >= 0 {
				s.rc.rtt = ntpShortToDuration(rtt)
			}
		}
		s.rc.mu.Unlock()
	}
}
