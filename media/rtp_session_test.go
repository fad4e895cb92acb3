package media

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

func TestNewSessionConfig(t *testing.T) {
	pm := testPayloads(t)
	opus77, err := NewCodec(77, NameOpus, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	pm77, err := NewPayloadMap(PCMU(), opus77)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     func(conn, other net.PacketConn) Config
		wantErr error
	}{
		{"minimal", func(c, _ net.PacketConn) Config { return Config{Conn: c, Payloads: pm} }, nil},
		{"no conn", func(_, _ net.PacketConn) Config { return Config{Payloads: pm} }, ErrInvalidConfig},
		{"no payloads", func(c, _ net.PacketConn) Config { return Config{Conn: c} }, ErrInvalidConfig},
		{"empty payloads", func(c, _ net.PacketConn) Config { return Config{Conn: c, Payloads: &PayloadMap{}} }, ErrInvalidConfig},
		{"rtcp conn and mux", func(c, o net.PacketConn) Config {
			return Config{Conn: c, RTCPConn: o, RTCPMux: true, Payloads: pm}
		}, ErrInvalidConfig},
		{"negative relatch", func(c, _ net.PacketConn) Config { return Config{Conn: c, Payloads: pm, RelatchAfter: -1} }, ErrInvalidConfig},
		{"negative interval", func(c, _ net.PacketConn) Config {
			return Config{Conn: c, Payloads: pm, RTCPInterval: -time.Second}
		}, ErrInvalidConfig},
		{"pt 77 without mux", func(c, _ net.PacketConn) Config { return Config{Conn: c, Payloads: pm77} }, nil},
		{"pt 77 with mux", func(c, _ net.PacketConn) Config { return Config{Conn: c, Payloads: pm77, RTCPMux: true} }, ErrInvalidPayloadType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := mediatest.NewPipe(mediatest.PipeConfig{Queue: 4})
			defer b.Close()
			cfg := tc.cfg(a, b)
			s, err := NewSession(cfg)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err == nil {
				if s.SSRC() == 0 || len(s.CNAME()) != 16 {
					t.Errorf("defaults: SSRC %d CNAME %q", s.SSRC(), s.CNAME())
				}
				s.Close()
			}
			// The session owns the conn either way.
			if cfg.Conn == nil {
				return
			}
			if _, err := a.WriteToUDPAddrPort([]byte{1}, b.AddrPort()); !errors.Is(err, net.ErrClosed) {
				t.Errorf("conn not closed: %v", err)
			}
		})
	}
}

func TestSessionLifecycle(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	s, _ := pipeSession(t, Config{RTCPMux: true})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start: %v, want ErrStarted", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Start(); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v, want ErrClosed", err)
	}
	if err := s.WriteRTP(0, 0, false, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteRTP after Close: %v, want ErrClosed", err)
	}
	// Closing a session that never started.
	s2, _ := pipeSession(t, Config{})
	if err := s2.Close(); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
}

func TestSessionExchange(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	a, b := mediatest.NewPipe(mediatest.PipeConfig{})
	rec := newRecorder()
	pm := testPayloads(t)
	sa, err := NewSession(Config{Conn: a, Payloads: pm, Remote: b.AddrPort(), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	sb, err := NewSession(Config{Conn: b, Payloads: pm, Symmetric: true, Handler: rec, MinSequential: 1, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	snd, err := sa.NewSender(0, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	frame := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 160) }
	for i := range 5 {
		if err := snd.WriteFrame(frame(i)); err != nil {
			t.Fatal(err)
		}
	}
	snd.Skip(3) // 60 ms of silence not sent
	for i := 5; i < 8; i++ {
		if err := snd.WriteFrame(frame(i)); err != nil {
			t.Fatal(err)
		}
	}
	rec.wait(t, 8, 5*time.Second)
	pkts := rec.packets()
	for i, p := range pkts {
		wantTS := pkts[0].hdr.Timestamp + uint32(i)*160
		if i >= 5 {
			wantTS += 3 * 160
		}
		if p.hdr.SSRC != sa.SSRC() || p.hdr.SequenceNumber != pkts[0].hdr.SequenceNumber+uint16(i) ||
			p.hdr.Timestamp != wantTS || p.hdr.Marker != (i == 0 || i == 5) || !bytes.Equal(p.payload, frame(i)) {
			t.Errorf("packet %d: %+v, payload %x...", i, p.hdr, p.payload[:2])
		}
	}
	// Symmetric: sb latched sa's address and can answer.
	if sb.Remote() != a.AddrPort() {
		t.Errorf("sb latched %v, want %v", sb.Remote(), a.AddrPort())
	}
	if err := sb.WriteRTP(8, 0, true, []byte{0xd5}); err != nil {
		t.Errorf("answer: %v", err)
	}
	if st := sa.Stats().Send; st.Packets != 8 || st.Bytes != 8*160 {
		t.Errorf("send stats %+v", st)
	}
}

func TestWriteRTPErrors(t *testing.T) {
	s, _ := pipeSession(t, Config{})
	if err := s.WriteRTP(50, 0, false, nil); !errors.Is(err, ErrUnknownPayloadType) {
		t.Errorf("unknown payload type: %v", err)
	}
	if err := s.WriteRTP(0, 0, false, make([]byte, MaxPacketSize)); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("large payload: %v", err)
	}
	if _, err := s.NewSender(0, 0); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("zero ptime: %v", err)
	}
	if _, err := s.NewSender(50, 20*time.Millisecond); !errors.Is(err, ErrUnknownPayloadType) {
		t.Errorf("sender of unknown payload type: %v", err)
	}
	sym, _ := pipeSession(t, Config{Symmetric: true})
	if err := sym.WriteRTP(0, 0, false, nil); !errors.Is(err, ErrNoRemote) {
		t.Errorf("no remote: %v", err)
	}
}

func TestSetRemote(t *testing.T) {
	s, peer := pipeSession(t, Config{})
	elsewhere := netip.MustParseAddrPort("203.0.113.9:7000")
	s.SetRemote(elsewhere, netip.AddrPort{})
	if err := s.WriteRTP(0, 0, false, nil); err != nil {
		t.Fatal(err)
	}
	if s.Remote() != elsewhere || s.remote.Load().rtcp != netip.MustParseAddrPort("203.0.113.9:7001") {
		t.Errorf("remote %v rtcp %v", s.Remote(), s.remote.Load().rtcp)
	}
	s.SetRemote(peer.AddrPort(), netip.MustParseAddrPort("203.0.113.9:9999"))
	if err := s.WriteRTP(0, 160, false, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	n, _, err := peer.ReadFromUDPAddrPort(buf)
	if err != nil || n != 14 || buf[13] != 2 {
		t.Errorf("peer read %d bytes %x, %v", n, buf[:n], err)
	}
	if s.remote.Load().rtcp.Port() != 9999 {
		t.Errorf("explicit RTCP address not kept")
	}
}

func TestWriteRTPAllocs(t *testing.T) {
	payload := make([]byte, 160)
	check := func(t *testing.T, s *Session) {
		ts := uint32(0)
		allocs := testing.AllocsPerRun(1000, func() {
			if err := s.WriteRTP(0, ts, false, payload); err != nil {
				t.Fatal(err)
			}
			ts += 160
		})
		if allocs != 0 {
			t.Errorf("WriteRTP: %v allocs per packet, want 0", allocs)
		}
	}
	t.Run("pipe", func(t *testing.T) {
		s, peer := pipeSession(t, Config{})
		// Drain the peer so the pipe keeps accepting.
		go func() {
			buf := make([]byte, 2048)
			for {
				if _, _, err := peer.ReadFromUDPAddrPort(buf); err != nil {
					return
				}
			}
		}()
		check(t, s)
	})
	t.Run("udp", func(t *testing.T) {
		conn, sink := listenUDP(t), listenUDP(t)
		defer sink.Close()
		s, err := NewSession(Config{Conn: conn, Payloads: testPayloads(t), Remote: addrPortOf(sink.LocalAddr()), Log: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		check(t, s)
	})
}

// listenUDP binds a UDP socket on 127.0.0.1 with a free port.
func listenUDP(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	return c
}

// BenchmarkWriteRTP measures sending one 20 ms G.711 packet over UDP
// loopback through a Sender (header marshal into the reused buffer and the
// socket write), against the bare socket write of the same 172 bytes.
func BenchmarkWriteRTP(b *testing.B) {
	payload := make([]byte, 160)
	b.Run("session", func(b *testing.B) {
		conn, sink := listenUDP(b), listenUDP(b)
		defer sink.Close()
		s, err := NewSession(Config{Conn: conn, Payloads: testPayloads(b), Remote: addrPortOf(sink.LocalAddr()), Log: quietLog})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		snd, err := s.NewSender(0, 20*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := snd.WriteFrame(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-socket", func(b *testing.B) {
		conn, sink := listenUDP(b), listenUDP(b)
		defer conn.Close()
		defer sink.Close()
		dst := addrPortOf(sink.LocalAddr())
		pkt := packet(0, 1, 0, 1, false, payload)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := conn.WriteToUDPAddrPort(pkt, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRTCPReport measures building, marshalling and validating one
// compound SR + report block + SDES, sent every 5 s per session.
func BenchmarkRTCPReport(b *testing.B) {
	s, _ := pipeSession(b, Config{MinSequential: 1})
	for seq := range uint16(3) {
		s.handleDatagram(packet(0, seq, uint32(seq)*160, 9, false, make([]byte, 160)), testAddr, time.Now())
	}
	if err := s.WriteRTP(0, 0, false, make([]byte, 160)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.recv.src.heard = true
		raw, err := rtcp.Marshal(s.buildReport(time.Now(), false))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := parseRTCP(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRTCPTiming runs two sessions on a pipe with 30 ms one-way latency
// for a minute of fake time (testing/synctest): reports go out at
// randomised intervals in [2.5 s, 7.5 s) (RFC 3550 6.2 with a 5 s
// interval), the round-trip time measured from LSR/DLSR is the pipe's
// 60 ms, the remote's report shows our stream without loss, and BYE
// arrives at Close.
func TestRTCPTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 30 * time.Millisecond
		a, b := mediatest.NewPipe(mediatest.PipeConfig{Delay: delay})
		var rtcpTimes []time.Time
		tap := mediatest.Impair(b, mediatest.ImpairConfig{OnWrite: func(_ uint64, p []byte) {
			if isRTCP(p) {
				rtcpTimes = append(rtcpTimes, time.Now())
			}
		}})
		pm := testPayloads(t)
		sa, err := NewSession(Config{Conn: a, Payloads: pm, RTCPMux: true, Remote: b.AddrPort(), Log: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		sb, err := NewSession(Config{Conn: tap, Payloads: pm, RTCPMux: true, Remote: a.AddrPort(), Log: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for _, s := range []*Session{sa, sb} {
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
		}
		snd, err := sa.NewSender(0, 20*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		tick := time.NewTicker(20 * time.Millisecond)
		payload := make([]byte, 160)
		for time.Since(start) < time.Minute {
			<-tick.C
			if err := snd.WriteFrame(payload); err != nil {
				t.Fatal(err)
			}
		}
		tick.Stop()
		time.Sleep(time.Second) // let the last packets land
		synctest.Wait()

		prev := start
		distinct := map[time.Duration]bool{}
		for i, at := range rtcpTimes {
			gap := at.Sub(prev)
			if gap < 2500*time.Millisecond || gap >= 7500*time.Millisecond {
				t.Errorf("report %d after %v, want within [2.5s, 7.5s)", i, gap)
			}
			distinct[gap] = true
			prev = at
		}
		if len(rtcpTimes) < 8 || len(distinct) < len(rtcpTimes)/2 {
			t.Errorf("%d reports with %d distinct intervals in a minute", len(rtcpTimes), len(distinct))
		}

		st := sa.Stats().RTCP
		if d := st.RTT - 2*delay; d < -100*time.Microsecond || d > 100*time.Microsecond {
			t.Errorf("RTT %v, want %v", st.RTT, 2*delay)
		}
		recv := sb.Stats().Receive
		if st.Reports == 0 || st.RemoteLost != 0 || st.RemoteFractionLost != 0 || recv.Lost != 0 || recv.Packets < 2990 {
			t.Errorf("sender view %+v, receiver %+v", st, recv)
		}
		if sb.Stats().RTCP.RTT != 0 {
			t.Errorf("a pure receiver measured an RTT")
		}

		if err := sa.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if byes := sb.Stats().RTCP.Byes; byes != 1 {
			t.Errorf("receiver got %d BYEs, want 1", byes)
		}
		if err := sb.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestHandlerSwap checks SetHandler takes effect at the next packet.
func TestHandlerSwap(t *testing.T) {
	s, _ := pipeSession(t, Config{MinSequential: 1})
	var first, second int
	s.SetHandler(HandlerFunc(func(*rtp.Header, []byte) { first++ }))
	s.handleDatagram(packet(0, 1, 0, 1, false, nil), testAddr, time.Now())
	s.SetHandler(HandlerFunc(func(*rtp.Header, []byte) { second++ }))
	s.handleDatagram(packet(0, 2, 160, 1, false, nil), testAddr, time.Now())
	s.SetHandler(nil)
	s.handleDatagram(packet(0, 3, 320, 1, false, nil), testAddr, time.Now())
	if first != 1 || second != 1 || s.Stats().Receive.Packets != 3 {
		t.Errorf("first %d second %d packets %d", first, second, s.Stats().Receive.Packets)
	}
}
