package media

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a Session's counters and RTP/RTCP statistics,
// returned by Session.Stats. It is a plain value.
type Stats struct {
	// SSRC is the synchronization source of the packets this session sends.
	SSRC uint32
	// Remote is the address RTP is sent to: configured, or latched when
	// the session is symmetric. It is the zero AddrPort until known.
	Remote netip.AddrPort

	Receive ReceiveStats
	Send    SendStats
	RTCP    RTCPStats
}

// ReceiveStats counts what arrived on the RTP socket. The per-source
// fields describe the current remote source (RFC 3550 Appendix A.1, A.3
// and A.8) and restart when its SSRC changes.
type ReceiveStats struct {
	// Packets and Bytes count packets delivered to the Handler and their
	// payload octets, over all sources.
	Packets uint64
	Bytes   uint64
	// LastPacket is the arrival time of the last delivered packet, zero
	// before the first.
	LastPacket time.Time

	// SSRC identifies the current remote source; zero before the first.
	SSRC uint32
	// HighestSeq is the extended highest sequence number received: the
	// count of sequence number cycles in the high 16 bits.
	HighestSeq uint32
	// Expected is the number of packets expected from the source (A.3).
	Expected uint32
	// Lost is the cumulative number of packets lost (A.3): expected minus
	// received, negative when duplicates arrived.
	Lost int64
	// FractionLost is the fraction lost in the last RTCP report interval
	// (A.3), in 1/256 units.
	FractionLost uint8
	// Jitter is the interarrival jitter estimate (A.8) in RTP timestamp
	// units; JitterDuration is the same in time.
	Jitter         uint32
	JitterDuration time.Duration

	// SSRCChanges counts switches to a new remote SSRC, each of which
	// restarts the per-source statistics.
	SSRCChanges uint64
	// Relatches counts changes of the latched remote address after the
	// first (symmetric RTP only).
	Relatches uint64

	// Dropped datagrams, by reason. Each dropped datagram is counted once.
	Malformed          uint64 // shorter than its header, bad CSRC count or extension
	BadVersion         uint64 // RTP version other than 2
	BadPadding         uint64 // padding count zero or beyond the payload
	UnknownPayloadType uint64 // payload type not in the PayloadMap
	ForeignSource      uint64 // from an address other than the latched remote
	Probation          uint64 // source not yet valid (A.1 MIN_SEQUENTIAL)
	BadSequence        uint64 // sequence jump beyond MAX_DROPOUT awaiting resync (A.1)
	Oversize           uint64 // filled the whole read buffer, possibly truncated

	// ReadErrors counts failed socket reads other than the final one at Close.
	ReadErrors uint64
}

// Dropped returns the number of datagrams received on the RTP socket and
// not delivered, for every reason.
func (r ReceiveStats) Dropped() uint64 {
	return r.Malformed + r.BadVersion + r.BadPadding + r.UnknownPayloadType +
		r.ForeignSource + r.Probation + r.BadSequence + r.Oversize
}

// SendStats counts RTP packets this session sent.
type SendStats struct {
	Packets uint64 // packets written
	Bytes   uint64 // payload octets of those packets
	Errors  uint64 // failed writes
}

// RTCPStats counts RTCP traffic and holds what the remote's reports say
// about our stream.
type RTCPStats struct {
	Sent       uint64 // compound packets sent
	SendErrors uint64 // failed writes
	Received   uint64 // valid compound packets received
	Malformed  uint64 // dropped, failed RFC 3550 A.2 validation or parsing
	Foreign    uint64 // dropped, from an address other than the remote's
	Byes       uint64 // BYE packets received

	// Reports counts report blocks received about our SSRC; the Remote*
	// fields hold the latest one (RFC 3550 6.4.1).
	Reports            uint64
	RemoteFractionLost uint8
	RemoteLost         int32
	RemoteHighestSeq   uint32
	RemoteJitter       uint32
	// RTT is the last round-trip time computed from a report block's LSR
	// and DLSR (RFC 3550 6.4.1); zero until one is measured.
	RTT time.Duration
}

// counters are the session's event counts, updated with atomics from the
// reader goroutines and the sender.
type counters struct {
	received, receivedBytes atomic.Uint64
	lastReceived            atomic.Int64 // UnixNano, 0 before the first

	ssrcChanges, relatches atomic.Uint64

	malformed, badVersion, badPadding, unknownPT atomic.Uint64
	foreign, probation, badSequence, oversize    atomic.Uint64
	readErrors                                   atomic.Uint64

	sent, sentBytes, sendErrors atomic.Uint64

	rtcpSent, rtcpSendErrors, rtcpReceived atomic.Uint64
	rtcpMalformed, rtcpForeign, byes       atomic.Uint64
}

// drop names why a datagram was not delivered.
type drop uint8

const (
	dropNone drop = iota
	dropMalformed
	dropBadVersion
	dropBadPadding
	dropUnknownPayloadType
	dropForeignSource
	dropProbation
	dropBadSequence
	dropOversize
)

// String returns the drop reason as a snake_case word for logs.
func (d drop) String() string {
	switch d {
	case dropNone:
		return "none"
	case dropMalformed:
		return "malformed"
	case dropBadVersion:
		return "bad_version"
	case dropBadPadding:
		return "bad_padding"
	case dropUnknownPayloadType:
		return "unknown_payload_type"
	case dropForeignSource:
		return "foreign_source"
	case dropProbation:
		return "probation"
	case dropBadSequence:
		return "bad_sequence"
	case dropOversize:
		return "oversize"
	}
	return "unknown"
}

// count increments the counter for drop reason d.
func (c *counters) count(d drop) {
	switch d {
	case dropMalformed:
		c.malformed.Add(1)
	case dropBadVersion:
		c.badVersion.Add(1)
	case dropBadPadding:
		c.badPadding.Add(1)
	case dropUnknownPayloadType:
		c.unknownPT.Add(1)
	case dropForeignSource:
		c.foreign.Add(1)
	case dropProbation:
		c.probation.Add(1)
	case dropBadSequence:
		c.badSequence.Add(1)
	case dropOversize:
		c.oversize.Add(1)
	}
}

// snapshot copies the counters into st.
func (c *counters) snapshot(st *Stats) {
	r := &st.Receive
	r.Packets, r.Bytes = c.received.Load(), c.receivedBytes.Load()
	if ns := c.lastReceived.Load(); ns != 0 {
		r.LastPacket = time.Unix(0, ns)
	}
	r.SSRCChanges, r.Relatches = c.ssrcChanges.Load(), c.relatches.Load()
	r.Malformed, r.BadVersion, r.BadPadding = c.malformed.Load(), c.badVersion.Load(), c.badPadding.Load()
	r.UnknownPayloadType, r.ForeignSource = c.unknownPT.Load(), c.foreign.Load()
	r.Probation, r.BadSequence, r.Oversize = c.probation.Load(), c.badSequence.Load(), c.oversize.Load()
	r.ReadErrors = c.readErrors.Load()

	st.Send = SendStats{Packets: c.sent.Load(), Bytes: c.sentBytes.Load(), Errors: c.sendErrors.Load()}

	q := &st.RTCP
	q.Sent, q.SendErrors, q.Received = c.rtcpSent.Load(), c.rtcpSendErrors.Load(), c.rtcpReceived.Load()
	q.Malformed, q.Foreign, q.Byes = c.rtcpMalformed.Load(), c.rtcpForeign.Load(), c.byes.Load()
}
