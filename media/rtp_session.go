package media

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// DefaultRTCPInterval is the nominal interval between RTCP reports
// (RFC 3550 section 6.2 recommends 5 seconds as the minimum).
const DefaultRTCPInterval = 5 * time.Second

// Handler receives the RTP packets of a Session.
type Handler interface {
	// HandleRTP is called on the session's reader goroutine for every
	// packet that passed validation. hdr and payload alias the reader's
	// reused header and buffer and are valid only until HandleRTP
	// returns; a handler that keeps the payload copies it.
	HandleRTP(hdr *rtp.Header, payload []byte)
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(hdr *rtp.Header, payload []byte)

// HandleRTP calls f(hdr, payload).
func (f HandlerFunc) HandleRTP(hdr *rtp.Header, payload []byte) { f(hdr, payload) }

// Config configures a Session. The zero value of every field but Conn and
// Payloads selects a default.
type Config struct {
	// Conn is the RTP socket, from PortAllocator.Allocate or any
	// net.PacketConn. The Session owns it from NewSession on and closes it
	// in Close.
	Conn net.PacketConn
	// RTCPConn is the RTCP socket, conventionally on the RTP port + 1
	// (RFC 3550 section 11). The Session owns and closes it. With neither
	// RTCPConn nor RTCPMux the session sends and reads no RTCP.
	RTCPConn net.PacketConn
	// RTCPMux carries RTCP on the RTP socket (RFC 5761); RTCPConn must
	// then be nil and no payload type may be in 64..95.
	RTCPMux bool

	// Payloads maps the negotiated payload types. Packets with other
	// payload types are dropped. Required.
	Payloads *PayloadMap

	// Remote is where RTP is sent. It may be left zero and set later with
	// SetRemote, or learnt from the first packet when Symmetric is set.
	Remote netip.AddrPort
	// RemoteRTCP is where RTCP is sent without RTCPMux; zero means the
	// Remote address with port + 1.
	RemoteRTCP netip.AddrPort
	// Symmetric enables symmetric RTP (RFC 4961): the session latches the
	// remote address from the first valid packet, sends there, and drops
	// packets from any other address. Without it, packets are accepted
	// from any address and sent to Remote.
	Symmetric bool
	// RelatchAfter, with Symmetric, moves the latch to a new source
	// address after that many consecutive valid packets from it (the
	// peer's media moved). Zero never moves it.
	RelatchAfter int

	// Handler receives the packets; see Session.SetHandler.
	Handler Handler

	// SSRC of the packets sent; zero picks a random one.
	SSRC uint32
	// CNAME is the SDES canonical name; empty picks a random one
	// (RFC 7022 section 4.2).
	CNAME string
	// RTCPInterval is the nominal report interval, randomised by a factor
	// in [0.5, 1.5) for each report (RFC 3550 section 6.2). Zero means
	// DefaultRTCPInterval.
	RTCPInterval time.Duration
	// MinSequential is the number of packets in sequence a new source must
	// send before it is valid (RFC 3550 A.1 MIN_SEQUENTIAL); earlier ones
	// are dropped. Zero means 2; 1 accepts a source at its first packet.
	MinSequential int

	// Log receives the session's lifecycle and anomaly logs; nil means
	// slog.Default().
	Log *slog.Logger
	// Now returns the current time for arrival and NTP timestamps; nil
	// means time.Now.
	Now func() time.Time
}

// Session is one RTP session over UDP: a socket (and optionally an RTCP
// socket), the receive statistics of the remote source, and the sequence
// and timestamp state of the stream it sends.
//
// Start starts one reader goroutine per socket and, when RTCP is on, one
// report goroutine; Close stops and waits for all of them. WriteRTP,
// SetRemote, SetHandler, Stats and Close are safe for concurrent use.
type Session struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	payloads *PayloadMap
	conn     net.PacketConn
	rtcpConn net.PacketConn
	ssrc     uint32
	cname    string

	handler atomic.Pointer[handlerRef]
	remote  atomic.Pointer[remoteAddrs]

	rd   readState  // owned by the RTP reader goroutine
	recv receiver   // A.1/A.3/A.8 state
	wr   writeState // guarded by its mutex
	rc   rtcpState  // guarded by its mutex
	ctr  counters

	lastDropLog atomic.Int64 // UnixNano of the last rate-limited drop log

	life     sync.Mutex // serializes Start and Close
	started  bool
	closed   atomic.Bool
	done     chan struct{}
	reporter sync.WaitGroup // the RTCP report goroutine
	readers  sync.WaitGroup // the socket reader goroutines
}

// handlerRef boxes a Handler for atomic.Pointer.
type handlerRef struct{ h Handler }

// remoteAddrs is where the session sends, swapped atomically as a whole.
type remoteAddrs struct {
	rtp      netip.AddrPort
	rtpAddr  net.Addr // rtp as a net.Addr, for plain PacketConns
	rtcp     netip.AddrPort
	rtcpAddr net.Addr
	latched  bool // rtp was learnt from a received packet
}

// NewSession checks cfg, fills its defaults and returns a session that is
// not yet reading. It takes ownership of the sockets even when it fails.
func NewSession(cfg Config) (*Session, error) {
	s, err := newSession(cfg)
	if err != nil {
		closeConns(cfg.Conn, cfg.RTCPConn)
		return nil, err
	}
	return s, nil
}

func newSession(cfg Config) (*Session, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RTCPInterval == 0 {
		cfg.RTCPInterval = DefaultRTCPInterval
	}
	if cfg.MinSequential == 0 {
		cfg.MinSequential = defaultMinSequential
	}
	for cfg.SSRC == 0 {
		cfg.SSRC = mrand.Uint32()
	}
	if cfg.CNAME == "" {
		cfg.CNAME = randomCNAME()
	}
	s := &Session{
		cfg:      cfg,
		now:      cfg.Now,
		payloads: cfg.Payloads,
		conn:     cfg.Conn,
		rtcpConn: cfg.RTCPConn,
		ssrc:     cfg.SSRC,
		cname:    cfg.CNAME,
		done:     make(chan struct{}),
	}
	s.log = cfg.Log.With("ssrc", s.ssrc, "local", s.LocalAddr())
	s.recv.minSequential = cfg.MinSequential
	s.recv.epoch = s.now()
	s.wr.init(s.now())
	s.SetHandler(cfg.Handler)
	s.remote.Store(s.remoteFor(cfg.Remote, cfg.RemoteRTCP))
	return s, nil
}

// checkConfig rejects configurations a session cannot run with.
func checkConfig(cfg *Config) error {
	switch {
	case cfg.Conn == nil:
		return fmt.Errorf("%w: no Conn", ErrInvalidConfig)
	case cfg.Payloads.Len() == 0:
		return fmt.Errorf("%w: no Payloads", ErrInvalidConfig)
	case cfg.RTCPMux && cfg.RTCPConn != nil:
		return fmt.Errorf("%w: RTCPConn with RTCPMux", ErrInvalidConfig)
	case cfg.RelatchAfter < 0 || cfg.MinSequential < 0 || cfg.RTCPInterval < 0:
		return fmt.Errorf("%w: negative RelatchAfter, MinSequential or RTCPInterval", ErrInvalidConfig)
	}
	if cfg.RTCPMux {
		// RFC 5761 section 4: with the marker bit set, payload types 64..95
		// are indistinguishable from RTCP packet types 192..223.
		for _, c := range cfg.Payloads.list {
			if c.PayloadType >= 64 && c.PayloadType <= 95 {
				return fmt.Errorf("%w: %d conflicts with RTCP under rtcp-mux (RFC 5761 section 4)", ErrInvalidPayloadType, c.PayloadType)
			}
		}
	}
	return nil
}

// randomCNAME returns 96 random bits in base64, as RFC 7022 section 4.2
// recommends for a short-term persistent CNAME.
func randomCNAME() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// remoteFor builds the send addresses for rtpAddr, deriving the RTCP
// address when rtcpAddr is zero.
func (s *Session) remoteFor(rtpAddr, rtcpAddr netip.AddrPort) *remoteAddrs {
	rtpAddr = unmap(rtpAddr)
	rtcpAddr = unmap(rtcpAddr)
	switch {
	case s.cfg.RTCPMux:
		rtcpAddr = rtpAddr
	case !rtcpAddr.IsValid() && rtpAddr.IsValid():
		// RFC 3550 section 11: RTCP on the next higher (odd) port.
		rtcpAddr = netip.AddrPortFrom(rtpAddr.Addr(), rtpAddr.Port()+1)
	}
	return &remoteAddrs{
		rtp: rtpAddr, rtpAddr: udpAddr(rtpAddr),
		rtcp: rtcpAddr, rtcpAddr: udpAddr(rtcpAddr),
	}
}

// udpAddr converts a to a *net.UDPAddr, or nil for the zero AddrPort.
func udpAddr(a netip.AddrPort) net.Addr {
	if !a.IsValid() {
		return nil
	}
	return net.UDPAddrFromAddrPort(a)
}

// unmap turns an IPv4-mapped IPv6 address into plain IPv4, so that the
// same peer compares equal however a socket reports it.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// Start starts the reader goroutines and, when RTCP is on, the report
// timer. It fails with ErrStarted on a second call and ErrClosed after
// Close.
func (s *Session) Start() error {
	s.life.Lock()
	defer s.life.Unlock()
	switch {
	case s.closed.Load():
		return ErrClosed
	case s.started:
		return ErrStarted
	}
	s.started = true
	s.startReader(s.conn, s.handleDatagram)
	if s.rtcpConn != nil {
		s.startReader(s.rtcpConn, s.handleRTCPDatagram)
	}
	if s.rtcpEnabled() {
		s.reporter.Add(1)
		go s.reportLoop()
	}
	s.log.Debug("rtp session started", "remote", s.Remote(), "rtcp_mux", s.cfg.RTCPMux)
	return nil
}

// Close stops the session: it stops the report timer, sends an RTCP BYE
// (RFC 3550 section 6.6) if it sent anything, closes the sockets and waits
// for the reader goroutines to return. It is idempotent; later calls
// return nil.
func (s *Session) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed.Load() {
		return nil
	}
	close(s.done)
	s.reporter.Wait()
	if s.started && s.rtcpEnabled() && s.ctr.sent.Load()+s.ctr.rtcpSent.Load() > 0 {
		s.sendReport(true)
	}
	s.closed.Store(true)
	err := closeConns(s.conn, s.rtcpConn)
	s.readers.Wait()
	st := s.Stats()
	s.log.Debug("rtp session closed", "received", st.Receive.Packets, "lost", st.Receive.Lost,
		"jitter", st.Receive.JitterDuration, "sent", st.Send.Packets, "rtt", st.RTCP.RTT)
	if err != nil {
		return fmt.Errorf("close rtp session: %w", err)
	}
	return nil
}

// closeConns closes the non-nil sockets.
func closeConns(conns ...net.PacketConn) error {
	var errs []error
	for _, c := range conns {
		if c != nil {
			if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// rtcpEnabled reports whether the session sends and reads RTCP.
func (s *Session) rtcpEnabled() bool { return s.cfg.RTCPMux || s.rtcpConn != nil }

// SetHandler replaces the packet handler; nil drops packets after
// counting them. The reader goroutine picks up the new handler at its
// next packet.
func (s *Session) SetHandler(h Handler) {
	if h == nil {
		s.handler.Store(nil)
		return
	}
	s.handler.Store(&handlerRef{h: h})
}

// SetRemote sets where RTP and RTCP are sent, for instance after an SDP
// answer or re-INVITE. rtcpAddr zero derives the RTCP address as Config
// does. With Symmetric, the session latches anew from the next packet.
func (s *Session) SetRemote(rtpAddr, rtcpAddr netip.AddrPort) {
	s.remote.Store(s.remoteFor(rtpAddr, rtcpAddr))
}

// Remote returns the address RTP is currently sent to.
func (s *Session) Remote() netip.AddrPort { return s.remote.Load().rtp }

// LocalAddr returns the RTP socket's local address.
func (s *Session) LocalAddr() netip.AddrPort { return addrPortOf(s.conn.LocalAddr()) }

// SSRC returns the synchronization source of the packets this session sends.
func (s *Session) SSRC() uint32 { return s.ssrc }

// CNAME returns the SDES canonical name this session reports.
func (s *Session) CNAME() string { return s.cname }

// Payloads returns the session's payload map.
func (s *Session) Payloads() *PayloadMap { return s.payloads }

// Stats returns a snapshot of the session's counters and statistics.
func (s *Session) Stats() Stats {
	st := Stats{SSRC: s.ssrc, Remote: s.Remote()}
	s.ctr.snapshot(&st)
	s.recv.snapshot(&st.Receive)
	s.rc.snapshot(&st.RTCP)
	return st
}

// String names the session for logs: "RTP(10.0.0.1:20000 -> 10.0.0.2:30000)".
func (s *Session) String() string {
	return "RTP(" + s.LocalAddr().String() + " -> " + s.Remote().String() + ")"
}

// addrPortOf converts a socket address to a netip.AddrPort, or the zero
// value when a has none.
func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.UDPAddr:
		return unmap(a.AddrPort())
	case nil:
		return netip.AddrPort{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.AddrPort{}
	}
	return unmap(ap)
}
