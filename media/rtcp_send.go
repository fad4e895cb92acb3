package media

import (
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// rtcpState holds what RTCP learnt about our stream and what the report
// builder remembers between reports, guarded by mu.
type rtcpState struct {
	mu sync.Mutex

	// sentAt holds the packet count at the previous report and the one
	// before it (RFC 3550 6.4: a participant is a sender if it sent data
	// since either of them).
	sentAt [2]uint64

	reports            uint64
	remoteFractionLost uint8
	remoteLost         int32
	remoteHighestSeq   uint32
	remoteJitter       uint32
	rtt                time.Duration
}

// snapshot copies the report-derived fields into st.
func (r *rtcpState) snapshot(st *RTCPStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st.Reports = r.reports
	st.RemoteFractionLost = r.remoteFractionLost
	st.RemoteLost = r.remoteLost
	st.RemoteHighestSeq = r.remoteHighestSeq
	st.RemoteJitter = r.remoteJitter
	st.RTT = r.rtt
}

// reportLoop sends a report every randomised interval until the session
// closes. It is the session's only timer.
func (s *Session) reportLoop() {
	defer s.reporter.Done()
	t := time.NewTimer(s.nextInterval())
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.sendReport(false)
			t.Reset(s.nextInterval())
		}
	}
}

// nextInterval returns the configured interval times a random factor in
// [0.5, 1.5), which keeps participants from synchronizing (RFC 3550
// section 6.2, 6.3.1).
func (s *Session) nextInterval() time.Duration {
	return time.Duration(float64(s.cfg.RTCPInterval) * (0.5 + mrand.Float64()))
}

// sendReport sends one compound RTCP packet: SR or RR, SDES CNAME and,
// when bye is set, BYE (RFC 3550 section 6.1). Without a remote address it
// sends nothing.
func (s *Session) sendReport(bye bool) {
	r := s.remote.Load()
	if !r.rtcp.IsValid() {
		return
	}
	b, err := rtcp.Marshal(s.buildReport(s.now(), bye))
	if err != nil {
		s.log.Warn("rtcp marshal failed", "err", err)
		return
	}
	conn := s.rtcpConn
	if s.cfg.RTCPMux {
		conn = s.conn
	}
	if err := writeTo(conn, b, r.rtcp, r.rtcpAddr); err != nil {
		s.ctr.rtcpSendErrors.Add(1)
		s.log.Debug("rtcp send failed", "remote", r.rtcp, "err", err)
		return
	}
	s.ctr.rtcpSent.Add(1)
}

// buildReport returns the packets of one compound report sent at now.
func (s *Session) buildReport(now time.Time, bye bool) []rtcp.Packet {
	var blocks []rtcp.ReceptionReport
	if rr, ok := s.recv.reportBlock(now); ok {
		blocks = []rtcp.ReceptionReport{rr}
	}
	var first rtcp.Packet
	if sent := s.ctr.sent.Load(); s.isSender(sent) {
		first = &rtcp.SenderReport{
			SSRC:        s.ssrc,
			NTPTime:     ntpTime(now),
			RTPTime:     s.wr.rtpTimeAt(now),
			PacketCount: uint32(sent),
			OctetCount:  uint32(s.ctr.sentBytes.Load()),
			Reports:     blocks,
		}
	} else {
		first = &rtcp.ReceiverReport{SSRC: s.ssrc, Reports: blocks}
	}
	pkts := []rtcp.Packet{first, rtcp.NewCNAMESourceDescription(s.ssrc, s.cname)}
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
	return pkts
}

// isSender reports whether RTP went out since the report before last, and
// shifts the history for this report (RFC 3550 section 6.4).
func (s *Session) isSender(sent uint64) bool {
	s.rc.mu.Lock()
	defer s.rc.mu.Unlock()
	sender := sent > s.rc.sentAt[0]
	s.rc.sentAt[0], s.rc.sentAt[1] = s.rc.sentAt[1], sent
	return sender
}
