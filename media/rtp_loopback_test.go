package media

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
)

// TestLoopbackLossAndJitter runs two sessions on real UDP sockets from a
// PortAllocator on 127.0.0.1, with RTCP on the odd ports. The sender's
// socket drops datagrams 10, 20, 21 and 35 and swaps 50 with 51; the
// receiver's injected clock puts each arrival 0-9 ms after its nominal
// time, in lockstep with the sends, so loss and jitter have exact
// expected values: RFC 3550 A.3 loss, A.8 jitter against a floating-point
// reference, and the same numbers in the RTCP receiver reports that reach
// the sender.
func TestLoopbackLossAndJitter(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	lo, hi := freeRange(t, 4)
	alloc, err := NewPortAllocator(PortConfig{IP: loopback, Min: lo, Max: hi})
	if err != nil {
		t.Fatal(err)
	}
	pa, err := alloc.Allocate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pb, err := alloc.Allocate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const (
		n    = 100
		held = 50
	)
	dropped := map[uint64]bool{10: true, 20: true, 21: true, 35: true}
	impaired := mediatest.Impair(pa.RTP, mediatest.ImpairConfig{
		Drop: func(i uint64, _ []byte) bool { return dropped[i] },
		Hold: func(i uint64, _ []byte) bool { return i == held },
	})
	addr := func(c *PortConn) netip.AddrPort { return netip.AddrPortFrom(loopback, uint16(c.Port())) }
	pm := testPayloads(t)
	sa, err := NewSession(Config{Conn: impaired, RTCPConn: pa.RTCP, Payloads: pm, Remote: addr(pb.RTP),
		RTCPInterval: 100 * time.Millisecond, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	rec := newRecorder()
	sb, err := NewSession(Config{Conn: pb.RTP, RTCPConn: pb.RTCP, Payloads: pm, Remote: addr(pa.RTP), Handler: rec,
		RTCPInterval: 100 * time.Millisecond, Now: clock.Now, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for _, s := range []*Session{sa, sb} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	snd, err := sa.NewSender(0, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}

	base := clock.Now()
	accounted := func() uint64 { st := sb.Stats().Receive; return st.Packets + st.Dropped() }
	var want []arrival // in arrival order, without packet 0 (on probation)
	var heldTS uint32
	onWire := uint64(0) // datagrams that reached the receiver's socket
	payload := make([]byte, 160)
	for i := range n {
		at := time.Duration(i)*20*time.Millisecond + time.Duration(i%4)*3*time.Millisecond
		ts := uint32(i) * 160
		clock.set(base.Add(at))
		if err := snd.WriteFrame(payload); err != nil {
			t.Fatal(err)
		}
		switch {
		case dropped[uint64(i)]:
			continue
		case i == held:
			heldTS = ts
			continue
		case i > 0:
			want = append(want, arrival{ts: ts, at: at})
		}
		onWire++
		if i == held+1 {
			want = append(want, arrival{ts: heldTS, at: at}) // right behind 51, same instant
			onWire++
		}
		eventually(t, 5*time.Second, "packet delivery", func() bool { return accounted() == onWire })
	}

	st := sb.Stats().Receive
	wantJitter := referenceJitter(8000, want)
	if st.Packets != n-1-4 || st.Probation != 1 || st.Expected != n-1 || st.Lost != 4 || st.Dropped() != 1 {
		t.Errorf("receiver: packets %d probation %d expected %d lost %d dropped %d, want %d 1 %d 4 1",
			st.Packets, st.Probation, st.Expected, st.Lost, st.Dropped(), n-5, n-1)
	}
	if d := float64(st.Jitter) - wantJitter; d < -1 || d > 1 {
		t.Errorf("jitter %d, reference %.2f", st.Jitter, wantJitter)
	}
	if want := 8 * time.Millisecond; st.JitterDuration > want || st.JitterDuration == 0 {
		t.Errorf("jitter %v, want in (0, %v]", st.JitterDuration, want)
	}
	pkts := rec.packets()
	seq0 := pkts[0].hdr.SequenceNumber - 1
	if pos := held - 1 - 4; pkts[pos].hdr.SequenceNumber != seq0+held+1 || pkts[pos+1].hdr.SequenceNumber != seq0+held {
		t.Errorf("packets at %d: seq %d, %d; want %d then %d", pos,
			pkts[pos].hdr.SequenceNumber-seq0, pkts[pos+1].hdr.SequenceNumber-seq0, held+1, held)
	}

	// The other direction, on the real clock.
	back, err := sb.NewSender(8, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if err := back.WriteFrame(payload); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 5*time.Second, "20 packets back", func() bool { return sa.Stats().Receive.Packets == 19 })

	// The receiver's reports reach the sender with the same numbers.
	eventually(t, 10*time.Second, "receiver report with the final numbers", func() bool {
		r := sa.Stats().RTCP
		return r.RemoteHighestSeq == st.HighestSeq && r.RemoteLost == 4 && r.RemoteJitter == st.Jitter
	})
	eventually(t, 10*time.Second, "sender report at the receiver", func() bool {
		return sb.Stats().RTCP.Reports > 0 && sa.Stats().RTCP.Received > 0
	})
	if r := sa.Stats().Receive; r.Lost != 0 || r.SSRC != sb.SSRC() {
		t.Errorf("sender's receive side: lost %d ssrc %d", r.Lost, r.SSRC)
	}

	if err := sa.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "BYE at the receiver", func() bool { return sb.Stats().RTCP.Byes > 0 })
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if alloc.InUse() != 0 {
		t.Errorf("%d port pairs still in use", alloc.InUse())
	}
}

// TestLoopbackMuxSymmetric runs two rtcp-mux sessions on real UDP: the
// answering side has no remote address and latches the caller's from its
// first packet (RFC 4961), answers there, and both exchange RTCP on the
// RTP ports (RFC 5761).
func TestLoopbackMuxSymmetric(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	ca, cb := listenUDP(t), listenUDP(t)
	pm := testPayloads(t)
	sa, err := NewSession(Config{Conn: ca, RTCPMux: true, Payloads: pm, Remote: addrPortOf(cb.LocalAddr()),
		RTCPInterval: 50 * time.Millisecond, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	sb, err := NewSession(Config{Conn: cb, RTCPMux: true, Symmetric: true, Payloads: pm, MinSequential: 1,
		RTCPInterval: 50 * time.Millisecond, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for _, s := range []*Session{sa, sb} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	payload := make([]byte, 160)
	fwd, err := sa.NewSender(0, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if err := fwd.WriteFrame(payload); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 5*time.Second, "10 packets", func() bool { return sb.Stats().Receive.Packets == 10 })
	if sb.Remote() != sa.LocalAddr() {
		t.Fatalf("latched %v, want %v", sb.Remote(), sa.LocalAddr())
	}
	back, err := sb.NewSender(0, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if err := back.WriteFrame(payload); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 5*time.Second, "packets back", func() bool { return sa.Stats().Receive.Packets == 9 })
	eventually(t, 10*time.Second, "RTCP both ways", func() bool {
		a, b := sa.Stats().RTCP, sb.Stats().RTCP
		return a.Reports > 0 && b.Reports > 0 && a.RemoteHighestSeq > 0
	})
	for _, s := range []*Session{sa, sb} {
		st := s.Stats()
		if st.RTCP.Malformed != 0 || st.Receive.Dropped() > 1 || st.RTCP.RTT > time.Second {
			t.Errorf("%v: %+v", s, st)
		}
	}
}
