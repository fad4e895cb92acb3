package media

import (
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// Parameters of RFC 3550 Appendix A.1.
const (
	rtpSeqMod            = 1 << 16
	maxDropout           = 3000 // MAX_DROPOUT
	maxMisorder          = 100  // MAX_MISORDER
	defaultMinSequential = 2    // MIN_SEQUENTIAL

	// maxTransitDelta caps one interarrival difference fed to the jitter
	// estimate so that the estimate, kept scaled by 16, cannot overflow.
	maxTransitDelta = 1 << 26
)

// seqResult is the outcome of the A.1 sequence check for one packet.
type seqResult uint8

const (
	seqValid     seqResult = iota // in order, reordered or duplicate: deliver
	seqProbation                  // source not yet valid: drop
	seqBadJump                    // jump beyond MAX_DROPOUT: drop until resync
)

// source is the reception state of one SSRC: the sequence validation of
// RFC 3550 Appendix A.1, the loss counts of A.3 and the jitter of A.8.
type source struct {
	ssrc          uint32
	maxSeq        uint16 // highest sequence number seen
	cycles        uint32 // shifted count of sequence number cycles
	baseSeq       uint32
	badSeq        uint32 // last bad sequence number + 1
	probation     int    // sequential packets still needed to become valid
	received      uint32
	expectedPrior uint32
	receivedPrior uint32
	fraction      uint8 // fraction lost at the last report

	transit      uint32 // relative transit time of the previous packet
	transitClock int    // clock rate transit was measured in; 0: none yet
	jitter       uint32 // estimated jitter scaled by 16 (A.8 integer form)

	heard bool // a packet arrived since the last report block
}

// reset starts the state for a source first heard with sequence number seq
// (A.1: init_seq, max_seq = seq - 1, probation = MIN_SEQUENTIAL).
func (s *source) reset(ssrc uint32, seq uint16, minSequential int) {
	*s = source{ssrc: ssrc}
	s.initSeq(seq)
	s.maxSeq = seq - 1
	s.probation = minSequential
}

// initSeq is A.1 init_seq. It also forgets the transit time: a source that
// restarted its sequence numbers restarted its timestamps too.
func (s *source) initSeq(seq uint16) {
	s.baseSeq = uint32(seq)
	s.maxSeq = seq
	s.badSeq = rtpSeqMod + 1 // so seq == badSeq is false
	s.cycles = 0
	s.received = 0
	s.receivedPrior = 0
	s.expectedPrior = 0
	s.transitClock = 0
}

// updateSeq is A.1 update_seq.
func (s *source) updateSeq(seq uint16, minSequential int) seqResult {
	udelta := seq - s.maxSeq
	if s.probation > 0 {
		// Packet is in sequence.
		if seq == s.maxSeq+1 {
			s.probation--
			s.maxSeq = seq
			if s.probation == 0 {
				s.initSeq(seq)
				s.received++
				return seqValid
			}
		} else {
			s.probation = minSequential - 1
			s.maxSeq = seq
		}
		return seqProbation
	}
	switch {
	case udelta < maxDropout:
		// In order, with permissible gap.
		if seq < s.maxSeq {
			// Sequence number wrapped: count another 64K cycle.
			s.cycles += rtpSeqMod
		}
		s.maxSeq = seq
	case uint32(udelta) <= rtpSeqMod-maxMisorder:
		// The sequence number made a very large jump.
		if uint32(seq) != s.badSeq {
			s.badSeq = (uint32(seq) + 1) & (rtpSeqMod - 1)
			return seqBadJump
		}
		// Two sequential packets: assume the other side restarted
		// without telling us, so re-sync as if this were the first.
		s.initSeq(seq)
	default:
		// Duplicate or reordered packet.
	}
	s.received++
	return seqValid
}

// updateJitter is A.8: arrival and ts are in timestamp units of clock.
// Packets measured in another clock than the previous one restart the
// transit reference instead of producing a bogus difference.
func (s *source) updateJitter(arrival, ts uint32, clock int) {
	transit := arrival - ts
	if s.transitClock != clock {
		s.transit, s.transitClock = transit, clock
		return
	}
	d := int64(int32(transit - s.transit))
	s.transit = transit
	if d < 0 {
		d = -d
	}
	d = min(d, maxTransitDelta)
	s.jitter += uint32(d) - ((s.jitter + 8) >> 4)
}

// extendedMax returns the extended highest sequence number.
func (s *source) extendedMax() uint32 { return s.cycles + uint32(s.maxSeq) }

// expected returns the number of packets expected (A.3).
func (s *source) expected() uint32 { return s.extendedMax() - s.baseSeq + 1 }

// lost returns the cumulative number of packets lost (A.3).
func (s *source) lost() int64 { return int64(s.expected()) - int64(s.received) }

// reportFraction computes the fraction lost since the previous call (A.3)
// and advances the interval.
func (s *source) reportFraction() uint8 {
	expected := s.expected()
	expectedInterval := expected - s.expectedPrior
	s.expectedPrior = expected
	receivedInterval := s.received - s.receivedPrior
	s.receivedPrior = s.received
	lostInterval := int64(expectedInterval) - int64(receivedInterval)
	s.fraction = 0
	if expectedInterval != 0 && lostInterval > 0 {
		// All lost would be 256/256, which the 8-bit field cannot hold.
		s.fraction = uint8(min((lostInterval<<8)/int64(expectedInterval), 255))
	}
	return s.fraction
}

// clampLost encodes a cumulative loss as the 24-bit signed field of a
// report block, clamped as RFC 3550 A.3 requires.
func clampLost(lost int64) uint32 {
	lost = max(min(lost, 0x7fffff), -0x800000)
	return uint32(lost) & 0xffffff
}

// receiver holds the reception state of a session: the current remote
// source and the last sender report heard. It is updated by the reader
// goroutine and read by the RTCP goroutine and Stats, under mu.
type receiver struct {
	mu            sync.Mutex
	minSequential int
	epoch         time.Time // zero of the arrival clock
	active        bool      // src holds a source
	src           source

	srSSRC uint32    // sender of the last SR
	srNTP  uint32    // middle 32 bits of its NTP timestamp (LSR)
	srAt   time.Time // when it arrived; zero: no SR yet
}

// packet runs the A.1 checks and the A.8 jitter update for one RTP packet
// arriving at now, whose payload type has RTP clock rate clock. event
// marks RFC 4733 telephone-event packets, whose timestamps stay on the
// start of the event and so are kept out of the jitter estimate.
// changed reports an SSRC change.
func (r *receiver) packet(hdr *rtp.Header, now time.Time, clock int, event bool) (res seqResult, changed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.src
	if !r.active || s.ssrc != hdr.SSRC {
		changed = r.active
		r.active = true
		s.reset(hdr.SSRC, hdr.SequenceNumber, r.minSequential)
	}
	s.heard = true
	res = s.updateSeq(hdr.SequenceNumber, r.minSequential)
	if res == seqValid && !event {
		s.updateJitter(durationTicks(now.Sub(r.epoch), clock), hdr.Timestamp, clock)
	}
	return res, changed
}

// noteSR records a sender report from ssrc with NTP timestamp ntp, so the
// next report block can echo LSR and DLSR (RFC 3550 6.4.1).
func (r *receiver) noteSR(ssrc uint32, ntp uint64, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.srSSRC, r.srNTP, r.srAt = ssrc, ntpMiddle(ntp), now
}

// reportBlock builds the report block about the current source for an
// SR or RR sent at now (RFC 3550 6.4.1). ok is false when no valid source
// was heard since the previous report.
func (r *receiver) reportBlock(now time.Time) (rr rtcp.ReceptionReport, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.src
	if !r.active || !s.heard || s.received == 0 {
		return rr, false
	}
	s.heard = false
	rr = rtcp.ReceptionReport{
		SSRC:               s.ssrc,
		FractionLost:       s.reportFraction(),
		TotalLost:          clampLost(s.lost()),
		LastSequenceNumber: s.extendedMax(),
		Jitter:             s.jitter >> 4,
	}
	if !r.srAt.IsZero() && r.srSSRC == s.ssrc {
		rr.LastSenderReport = r.srNTP
		rr.Delay = durationToNTPShort(now.Sub(r.srAt))
	}
	return rr, true
}

// snapshot copies the per-source statistics into st.
func (r *receiver) snapshot(st *ReceiveStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.src
	st.SSRC = s.ssrc
	if !r.active || s.received == 0 {
		return
	}
	st.HighestSeq = s.extendedMax()
	st.Expected = s.expected()
	st.Lost = s.lost()
	st.FractionLost = s.fraction
	st.Jitter = s.jitter >> 4
	if s.transitClock > 0 {
		st.JitterDuration = time.Duration(int64(st.Jitter) * int64(time.Second) / int64(s.transitClock))
	}
}

// durationTicks converts d to units of a clock of clock Hz, modulo 2^32.
func durationTicks(d time.Duration, clock int) uint32 {
	sec, rem := int64(d/time.Second), int64(d%time.Second)
	return uint32(sec*int64(clock) + rem*int64(clock)/int64(time.Second))
}
