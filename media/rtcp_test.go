package media

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/pion/rtcp"
)

func TestRTCPCorpus(t *testing.T) {
	for _, e := range loadCorpus(t, "rtcp_corpus.txt") {
		t.Run(e.name, func(t *testing.T) {
			_, err := parseRTCP(e.data)
			switch e.expect {
			case "valid":
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
			case "invalid":
				if !errors.Is(err, ErrMalformedRTCP) {
					t.Fatalf("err %v, want ErrMalformedRTCP", err)
				}
			default:
				t.Fatalf("unknown expectation %q", e.expect)
			}
			s, _ := pipeSession(t, Config{RTCPMux: true})
			s.handleDatagram(e.data, testAddr, time.Now())
			st := s.Stats()
			switch {
			case !isRTCP(e.data):
				// RFC 5761 demultiplexing takes it for RTP.
				if st.Receive.Malformed != 1 || e.expect != "invalid" {
					t.Errorf("not RTCP by its second octet, counted %+v", st.Receive)
				}
			case e.expect == "valid" && st.RTCP.Received != 1, e.expect == "invalid" && st.RTCP.Malformed != 1:
				t.Errorf("counted received %d malformed %d", st.RTCP.Received, st.RTCP.Malformed)
			}
		})
	}
}

// TestRTCPTruncated feeds every prefix of every valid compound packet.
func TestRTCPTruncated(t *testing.T) {
	s, _ := pipeSession(t, Config{RTCPMux: true})
	for _, e := range loadCorpus(t, "rtcp_corpus.txt") {
		if e.expect != "valid" {
			continue
		}
		for i := range len(e.data) {
			if err := s.handleRTCP(e.data[:i], testAddr, time.Now()); err == nil && i%4 != 0 {
				t.Errorf("%s[:%d]: accepted a prefix not a multiple of 4 octets", e.name, i)
			}
		}
	}
}

func TestNTPTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		want uint64
	}{
		{time.Unix(0, 0), ntpEpochOffset << 32},
		{time.Unix(0, 5e8), ntpEpochOffset<<32 | 0x80000000},
		{time.Unix(1, 25e7), (ntpEpochOffset+1)<<32 | 0x40000000},
	}
	for _, tc := range tests {
		if got := ntpTime(tc.t); got != tc.want {
			t.Errorf("ntpTime(%v) = %#x, want %#x", tc.t, got, tc.want)
		}
	}
	if got := ntpMiddle(0x0000b710_80000000); got != 0xb7108000 {
		t.Errorf("ntpMiddle = %#x", got)
	}
	for _, d := range []time.Duration{0, 15625 * time.Microsecond, 5250 * time.Millisecond, time.Hour} {
		if got := ntpShortToDuration(durationToNTPShort(d)); got != d {
			t.Errorf("round trip of %v: %v", d, got)
		}
	}
	if durationToNTPShort(-time.Second) != 0 || durationToNTPShort(100000*time.Hour) != 1<<32-1 {
		t.Errorf("durationToNTPShort does not clamp")
	}
}

// atNTPMiddle returns a time whose NTP timestamp has the middle 32 bits m.
func atNTPMiddle(m uint32) time.Time {
	t0 := time.Unix(1_600_000_000, 0)
	return t0.Add(ntpShortToDuration(m - ntpMiddle(ntpTime(t0))))
}

// TestRTTExample checks the worked example of RFC 3550 section 6.4.1:
// A = 0xb7108000, LSR = 0xb7052000, DLSR = 0x00054000 give 6.125 s.
func TestRTTExample(t *testing.T) {
	s, _ := pipeSession(t, Config{SSRC: 0x01020304})
	now := atNTPMiddle(0xb7108000)
	if m := ntpMiddle(ntpTime(now)); m != 0xb7108000 {
		t.Fatalf("test clock at %#x", m)
	}
	s.noteReports([]rtcp.ReceptionReport{
		{SSRC: 0x99, LastSenderReport: 1, Delay: 1}, // about another source: ignored
		{SSRC: 0x01020304, FractionLost: 25, TotalLost: 0xfffffd, LastSequenceNumber: 0x1_0005, Jitter: 80,
			LastSenderReport: 0xb7052000, Delay: 0x00054000},
	}, now)
	st := s.Stats().RTCP
	if st.RTT != 6125*time.Millisecond {
		t.Errorf("RTT %v, want 6.125s", st.RTT)
	}
	if st.Reports != 1 || st.RemoteFractionLost != 25 || st.RemoteLost != -3 || st.RemoteHighestSeq != 0x1_0005 || st.RemoteJitter != 80 {
		t.Errorf("remote view %+v", st)
	}
	// A report received before its SR was sent (clock skew) keeps the RTT.
	s.noteReports([]rtcp.ReceptionReport{{SSRC: 0x01020304, LastSenderReport: 0xb7200000}}, now)
	if st := s.Stats().RTCP; st.RTT != 6125*time.Millisecond || st.Reports != 2 {
		t.Errorf("after a negative RTT: %v, %d reports", st.RTT, st.Reports)
	}
}

// fakeClock is an injectable clock for Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestBuildReport(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	s, _ := pipeSession(t, Config{SSRC: 0xabcdef01, CNAME: "bot@parley", Now: clock.Now})

	// A pure receiver sends RR + SDES.
	pkts := s.buildReport(clock.Now(), false)
	rr, ok := pkts[0].(*rtcp.ReceiverReport)
	if !ok || rr.SSRC != 0xabcdef01 || len(rr.Reports) != 0 {
		t.Fatalf("first packet %#v, want an empty RR", pkts[0])
	}
	if cname, err := rtcp.CompoundPacket(pkts).CNAME(); err != nil || cname != "bot@parley" {
		t.Errorf("CNAME %q, %v", cname, err)
	}

	// After sending, an SR with counts and the extrapolated RTP time.
	for i := range 3 {
		if err := s.WriteRTP(0, uint32(i*160), i == 0, make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Second)
	// Heard from a remote source: one report block, with LSR/DLSR.
	for seq := range uint16(4) {
		s.handleDatagram(packet(8, seq, uint32(seq)*160, 0x5555, false, make([]byte, 160)), testAddr, clock.Now())
	}
	s.recv.noteSR(0x5555, 0x0000b710_80000000, clock.Now())
	clock.Advance(250 * time.Millisecond)
	now := clock.Now()
	pkts = s.buildReport(now, true)
	sr, ok := pkts[0].(*rtcp.SenderReport)
	if !ok {
		t.Fatalf("first packet %#v, want an SR", pkts[0])
	}
	wantRTP := s.wr.tsOffset + 2*160 + 8000 + 2000
	if sr.PacketCount != 3 || sr.OctetCount != 480 || sr.NTPTime != ntpTime(now) || sr.RTPTime != wantRTP {
		t.Errorf("SR %+v, want 3 packets, 480 octets, RTP time %d", sr, wantRTP)
	}
	if len(sr.Reports) != 1 {
		t.Fatalf("%d report blocks, want 1", len(sr.Reports))
	}
	blk := sr.Reports[0]
	if blk.SSRC != 0x5555 || blk.LastSequenceNumber != 3 || blk.TotalLost != 0 || blk.LastSenderReport != 0xb7108000 || blk.Delay != 1<<14 {
		t.Errorf("report block %+v", blk)
	}
	if bye, ok := pkts[len(pkts)-1].(*rtcp.Goodbye); !ok || len(bye.Sources) != 1 || bye.Sources[0] != 0xabcdef01 {
		t.Errorf("last packet %#v, want BYE", pkts[len(pkts)-1])
	}
	raw, err := rtcp.Marshal(pkts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseRTCP(raw); err != nil {
		t.Errorf("own report fails validation: %v", err)
	}

	// RFC 3550 6.4: still a sender one report later, a receiver after two.
	for i, want := range []bool{true, false} {
		_, isSR := s.buildReport(now, false)[0].(*rtcp.SenderReport)
		if isSR != want {
			t.Errorf("report %d after the last send: SR %t, want %t", i+1, isSR, want)
		}
	}
}

// FuzzRTCP sends arbitrary compound packets through the RTCP parse and
// statistics path of a symmetric session that has latched a remote and
// hears a source. Nothing may panic, each datagram is counted once, and
// the session's own next report still marshals and validates.
func FuzzRTCP(f *testing.F) {
	for _, e := range loadCorpus(f, "rtcp_corpus.txt") {
		f.Add(e.data, false)
	}
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	s, _ := pipeSession(f, Config{Symmetric: true, RTCPMux: true, MinSequential: 1, Now: clock.Now})
	for seq := range uint16(3) {
		s.handleDatagram(packet(0, seq, uint32(seq)*160, 0x11223344, false, make([]byte, 160)), testAddr, clock.Now())
	}
	foreign := netip.AddrPortFrom(testAddr.Addr().Next(), testAddr.Port())
	f.Fuzz(func(t *testing.T, data []byte, fromForeign bool) {
		from := testAddr
		if fromForeign {
			from = foreign
		}
		count := func() uint64 {
			st := s.Stats().RTCP
			return st.Received + st.Malformed + st.Foreign
		}
		before := count()
		err := s.handleRTCP(data, from, clock.Now())
		if got := count() - before; got != 1 {
			t.Fatalf("counted %d times", got)
		}
		if err == nil && fromForeign {
			t.Fatalf("accepted RTCP from a foreign host")
		}
		clock.Advance(time.Second)
		raw, err := rtcp.Marshal(s.buildReport(clock.Now(), false))
		if err != nil {
			t.Fatalf("own report does not marshal: %v", err)
		}
		if err := validateRTCP(raw); err != nil {
			t.Fatalf("own report invalid: %v", err)
		}
	})
}

// TestSymmetricRTCP checks RTCP on its own socket with Symmetric: reports
// are answered where they come from, and RTCP from another host than the
// latched RTP remote is dropped.
func TestSymmetricRTCP(t *testing.T) {
	rtcpA, rtcpB := mediatest.NewPipe(mediatest.PipeConfig{Queue: 4})
	defer rtcpB.Close()
	s, _ := pipeSession(t, Config{Symmetric: true, RTCPConn: rtcpA, MinSequential: 1})
	rr := loadCorpus(t, "rtcp_corpus.txt")[0].data
	if s.remote.Load().rtcp.IsValid() {
		t.Fatalf("RTCP remote known before anything arrived")
	}
	s.handleDatagram(packet(0, 1, 0, 1, false, nil), testAddr, time.Now())
	if want := netip.AddrPortFrom(testAddr.Addr(), testAddr.Port()+1); s.remote.Load().rtcp != want {
		t.Errorf("RTCP remote %v after latching RTP, want %v", s.remote.Load().rtcp, want)
	}
	natted := netip.AddrPortFrom(testAddr.Addr(), 40001)
	s.handleRTCPDatagram(rr, natted, time.Now())
	if got := s.remote.Load(); got.rtcp != natted || got.rtp != testAddr || !got.latched {
		t.Errorf("after RTCP from %v: %+v", natted, got)
	}
	s.handleRTCPDatagram(rr, netip.AddrPortFrom(testAddr.Addr().Next(), 40001), time.Now())
	if st := s.Stats().RTCP; st.Foreign != 1 || st.Received != 1 || s.remote.Load().rtcp != natted {
		t.Errorf("RTCP from another host: %+v, remote %v", st, s.remote.Load().rtcp)
	}
}
