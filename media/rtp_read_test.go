package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// dropCounter returns the counter of ReceiveStats an expectation names.
func dropCounter(t testing.TB, expect string) func(ReceiveStats) uint64 {
	t.Helper()
	counters := map[string]func(ReceiveStats) uint64{
		"ok":                   func(r ReceiveStats) uint64 { return r.Packets },
		"malformed":            func(r ReceiveStats) uint64 { return r.Malformed },
		"bad_version":          func(r ReceiveStats) uint64 { return r.BadVersion },
		"bad_padding":          func(r ReceiveStats) uint64 { return r.BadPadding },
		"unknown_payload_type": func(r ReceiveStats) uint64 { return r.UnknownPayloadType },
		"foreign_source":       func(r ReceiveStats) uint64 { return r.ForeignSource },
		"probation":            func(r ReceiveStats) uint64 { return r.Probation },
		"bad_sequence":         func(r ReceiveStats) uint64 { return r.BadSequence },
	}
	c, ok := counters[expect]
	if !ok {
		t.Fatalf("unknown expectation %q", expect)
	}
	return c
}

func TestRTPCorpus(t *testing.T) {
	for _, e := range loadCorpus(t, "rtp_corpus.txt") {
		t.Run(e.name, func(t *testing.T) {
			rec := newRecorder()
			s, _ := pipeSession(t, Config{MinSequential: 1, Handler: rec})
			s.handleDatagram(e.data, testAddr, time.Now())
			st := s.Stats().Receive
			if got := dropCounter(t, e.expect)(st); got != 1 || st.Packets+st.Dropped() != 1 {
				t.Fatalf("%s counted %d times; stats %+v", e.expect, got, st)
			}
			if e.expect != "ok" {
				return
			}
			pkts := rec.packets()
			if len(pkts) != 1 {
				t.Fatalf("handler got %d packets, want 1", len(pkts))
			}
			// The header marshals back to the same octets and the payload
			// is what lies between header and padding.
			var p rtp.Packet
			if err := p.Unmarshal(e.data); err != nil {
				t.Fatalf("pion rejects a corpus packet: %v", err)
			}
			if !bytes.Equal(pkts[0].payload, p.Payload) {
				t.Errorf("payload %x, want %x", pkts[0].payload, p.Payload)
			}
			h := pkts[0].hdr
			h.Padding = false
			hb, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if want := e.data[:len(hb)]; !bytes.Equal(hb[1:], want[1:]) || hb[0]&^0x20 != want[0]&^0x20 {
				t.Errorf("header marshals to %x, want %x", hb, want)
			}
		})
	}
}

// TestRTPTruncated feeds every prefix of every valid corpus packet: none
// may panic, each is counted once, and prefixes shorter than the fixed
// header are malformed.
func TestRTPTruncated(t *testing.T) {
	s, _ := pipeSession(t, Config{MinSequential: 1})
	n := uint64(0)
	for _, e := range loadCorpus(t, "rtp_corpus.txt") {
		if e.expect != "ok" {
			continue
		}
		for i := range len(e.data) {
			before := s.Stats().Receive.Malformed
			s.handleDatagram(e.data[:i], testAddr, time.Now())
			n++
			st := s.Stats().Receive
			if st.Packets+st.Dropped() != n {
				t.Fatalf("%s[:%d]: %d packets + %d drops after %d datagrams", e.name, i, st.Packets, st.Dropped(), n)
			}
			if i < 12 && st.Malformed != before+1 {
				t.Fatalf("%s[:%d]: not counted malformed", e.name, i)
			}
		}
	}
}

func TestSequenceAndTimestampWrap(t *testing.T) {
	rec := newRecorder()
	s, _ := pipeSession(t, Config{Handler: rec})
	now := time.Unix(100, 0)
	seq, ts := uint16(65530), uint32(0xffffffff-160*3)
	for range 12 {
		s.handleDatagram(packet(0, seq, ts, 42, false, make([]byte, 160)), testAddr, now)
		seq++
		ts += 160
		now = now.Add(20 * time.Millisecond)
	}
	st := s.Stats().Receive
	// The first packet is on probation (MIN_SEQUENTIAL 2).
	if st.Packets != 11 || st.Probation != 1 || st.Lost != 0 || st.Expected != 11 || st.Jitter != 0 {
		t.Errorf("packets %d probation %d lost %d expected %d jitter %d, want 11 1 0 11 0",
			st.Packets, st.Probation, st.Lost, st.Expected, st.Jitter)
	}
	if want := uint32(1<<16 + 5); st.HighestSeq != want {
		t.Errorf("extended highest seq %d, want %d", st.HighestSeq, want)
	}
	pkts := rec.packets()
	if pkts[0].hdr.SequenceNumber != 65531 || pkts[len(pkts)-1].hdr.SequenceNumber != 5 || pkts[len(pkts)-1].hdr.Timestamp != 160*8-1 {
		t.Errorf("first seq %d, last seq %d ts %d", pkts[0].hdr.SequenceNumber, pkts[len(pkts)-1].hdr.SequenceNumber, pkts[len(pkts)-1].hdr.Timestamp)
	}
}

func TestSSRCChangeCounted(t *testing.T) {
	s, _ := pipeSession(t, Config{MinSequential: 1})
	now := time.Now()
	for i := range 5 {
		s.handleDatagram(packet(0, uint16(i), uint32(i*160), 1, false, nil), testAddr, now)
	}
	for i := range 5 {
		s.handleDatagram(packet(0, uint16(40000+i), uint32(i*160), 2, false, nil), testAddr, now)
	}
	st := s.Stats().Receive
	if st.SSRCChanges != 1 || st.SSRC != 2 || st.Expected != 5 || st.Packets != 10 {
		t.Errorf("ssrc changes %d ssrc %d expected %d packets %d, want 1 2 5 10", st.SSRCChanges, st.SSRC, st.Expected, st.Packets)
	}
}

func TestSymmetricLatching(t *testing.T) {
	addrs := []netip.AddrPort{
		testAddr, // 0: the first source
		netip.AddrPortFrom(testAddr.Addr().Next(), testAddr.Port()), // 1: another host
		netip.AddrPortFrom(testAddr.Addr(), testAddr.Port()+2),      // 2: same host, new port
	}
	tests := []struct {
		name         string
		relatchAfter int
		sources      []int // index into addrs, per packet
		delivered    uint64
		foreign      uint64
		relatches    uint64
		remote       int
	}{
		{"latch first, drop others", 0, []int{0, 0, 1, 1, 1, 1, 0}, 3, 4, 0, 0},
		{"relatch after 3", 3, []int{0, 0, 1, 1, 1, 1, 0}, 4, 3, 1, 1},
		{"interleaved never relatches", 3, []int{0, 1, 1, 0, 1, 1, 0, 1}, 3, 5, 0, 0},
		{"port change is a new source", 2, []int{0, 2, 2, 2}, 3, 1, 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := pipeSession(t, Config{Symmetric: true, RelatchAfter: tc.relatchAfter, MinSequential: 1})
			for seq, i := range tc.sources {
				s.handleDatagram(packet(0, uint16(seq), uint32(seq)*160, 5, false, nil), addrs[i], time.Now())
			}
			st := s.Stats()
			if st.Receive.Packets != tc.delivered || st.Receive.ForeignSource != tc.foreign || st.Receive.Relatches != tc.relatches {
				t.Errorf("delivered %d foreign %d relatches %d, want %d %d %d",
					st.Receive.Packets, st.Receive.ForeignSource, st.Receive.Relatches, tc.delivered, tc.foreign, tc.relatches)
			}
			if st.Remote != addrs[tc.remote] {
				t.Errorf("remote %v, want %v", st.Remote, addrs[tc.remote])
			}
		})
	}
}

func TestReceiveAllocs(t *testing.T) {
	s, _ := pipeSession(t, Config{Symmetric: true, Handler: HandlerFunc(func(*rtp.Header, []byte) {})})
	pkt := packet(0, 1000, 5000, 77, false, make([]byte, 160))
	now := time.Unix(1e6, 0)
	step := func() {
		seq := binary.BigEndian.Uint16(pkt[2:]) + 1
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], binary.BigEndian.Uint32(pkt[4:])+160)
		now = now.Add(20 * time.Millisecond)
		s.handleDatagram(pkt, testAddr, now)
	}
	step() // latch and leave probation
	step()
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Errorf("receive path: %v allocs per packet, want 0", allocs)
	}
	if st := s.Stats().Receive; st.Packets < 1000 || st.Dropped() != 1 {
		t.Errorf("packets %d dropped %d: the loop did not take the valid path", st.Packets, st.Dropped())
	}
}

// BenchmarkReceiveRTP measures one 20 ms G.711 packet (172 bytes) through
// the session's receive path (parse, payload type, latch, A.1/A.8
// statistics, handler dispatch), against pion's rtp.Packet.Unmarshal
// alone as a reference.
func BenchmarkReceiveRTP(b *testing.B) {
	pkt := packet(0, 1000, 5000, 77, false, make([]byte, 160))
	if len(pkt) != 172 {
		b.Fatalf("packet is %d bytes", len(pkt))
	}
	next := func() {
		binary.BigEndian.PutUint16(pkt[2:], binary.BigEndian.Uint16(pkt[2:])+1)
		binary.BigEndian.PutUint32(pkt[4:], binary.BigEndian.Uint32(pkt[4:])+160)
	}
	b.Run("session", func(b *testing.B) {
		s, _ := pipeSession(b, Config{Symmetric: true, Handler: HandlerFunc(func(*rtp.Header, []byte) {})})
		now := time.Unix(1e6, 0)
		b.ReportAllocs()
		b.SetBytes(int64(len(pkt)))
		for b.Loop() {
			next()
			now = now.Add(20 * time.Millisecond)
			s.handleDatagram(pkt, testAddr, now)
		}
		if st := s.Stats().Receive; st.Dropped() > 1 {
			b.Fatalf("%d packets dropped", st.Dropped())
		}
	})
	b.Run("pion-unmarshal", func(b *testing.B) {
		var p rtp.Packet
		b.ReportAllocs()
		b.SetBytes(int64(len(pkt)))
		for b.Loop() {
			next()
			if err := p.Unmarshal(pkt); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestIsRTCP(t *testing.T) {
	for b1 := range 256 {
		got := isRTCP([]byte{0x80, byte(b1)})
		if want := b1 >= 192 && b1 <= 223; got != want {
			t.Errorf("second octet %d: isRTCP %t", b1, got)
		}
	}
	if isRTCP([]byte{0x80}) || isRTCP(nil) {
		t.Errorf("short datagram taken for RTCP")
	}
}

// countingHandler is a slog.Handler that counts records at Warn.
type countingHandler struct{ warns *int }

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		*h.warns++
	}
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

func TestDropLogRateLimited(t *testing.T) {
	warns := 0
	s, _ := pipeSession(t, Config{Log: slog.New(countingHandler{&warns})})
	now := time.Unix(1_000_000, 0)
	for i := range 1000 {
		s.handleDatagram([]byte{0x80}, testAddr, now.Add(time.Duration(i)*time.Millisecond))
	}
	if warns != 1 {
		t.Errorf("%d warnings for 1000 drops in 1 s, want 1", warns)
	}
	s.handleDatagram([]byte{0x80}, testAddr, now.Add(dropLogInterval+time.Second))
	if warns != 2 || s.Stats().Receive.Malformed != 1001 {
		t.Errorf("%d warnings after the interval, %d malformed", warns, s.Stats().Receive.Malformed)
	}
}
