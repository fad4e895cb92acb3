package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/resource"
	"github.com/parley-cc/parley/telephony/sipnet"
)

// Config configures a Server. Zero fields take the defaults given.
type Config struct {
	// SIPAddr is where SIP is served, on UDP and TCP; default
	// "127.0.0.1:0" (a free port).
	SIPAddr string
	// ControlAddr is the TCP address of the MRCPv2 control port; default
	// the SIP address's host with a free port.
	ControlAddr string
	// MediaIP is the address RTP uses and SDP announces; default the SIP
	// address's host.
	MediaIP netip.Addr
	// RTPPortMin and RTPPortMax bound the RTP ports; default
	// media.DefaultMinPort to media.DefaultMaxPort.
	RTPPortMin, RTPPortMax int
	// Engines selects the synthesizer and recognizer for each request;
	// required.
	Engines resource.Engines
	// MaxSessions caps concurrent sessions; a further INVITE gets 503.
	// Default 1000.
	MaxSessions int
	// ConnIdleTimeout closes a control connection that carries no channel
	// for this long; default 30 s.
	ConnIdleTimeout time.Duration
	// MessageTimeout closes a control connection on which a message has
	// begun to arrive but not finished within this time; default 10 s.
	MessageTimeout time.Duration
	// WriteTimeout closes a control connection whose peer does not read
	// what the server writes within this time; default 5 s.
	WriteTimeout time.Duration
	// JitterMin and JitterMax bound the playout delay of the jitter
	// buffer on the audio a client sends (the caller's speech, for the
	// recognizer); zero takes media/jitter's defaults (40 and 300 ms).
	JitterMin, JitterMax time.Duration
	// ImmediateAudio hands each packet a client sends to the recognizer
	// as it arrives, with no jitter buffer (media.ReceiverConfig.Immediate):
	// ~40 ms off every end of speech, for clients on a LAN. A client whose
	// audio comes from a loopback address always gets it: on one machine
	// no network delays or reorders packets, and a buffer adds only delay.
	ImmediateAudio bool
	// UserAgent is the SIP User-Agent; default "Parley speechd".
	UserAgent string
	// Log receives the server's logs; default slog.Default().
	Log *slog.Logger
}

// Server is an MRCPv2 speech server.
type Server struct {
	cfg   Config
	log   *slog.Logger
	ua    *sipgo.UserAgent
	sip   *sipgo.Server
	dua   *sipgo.DialogUA
	udp   net.PacketConn
	tcp   net.Listener
	ctl   net.Listener
	ports *media.PortAllocator
	pacer *media.Pacer

	mu       sync.Mutex
	sessions map[string]*session         // by SIP dialog id
	channels map[mrcp.ChannelID]*channel // every allocated channel
	conns    map[*conn]struct{}          // open control connections
	closed   bool
	wg       sync.WaitGroup // connection and pacing goroutines
	cancel   context.CancelFunc
}

// New binds the SIP, control and RTP sockets. Serve runs the server.
func New(cfg Config) (*Server, error) {
	if cfg.Engines == nil {
		return nil, errors.New("mrcp server: no engines")
	}
	if cfg.SIPAddr == "" {
		cfg.SIPAddr = "127.0.0.1:0"
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 1000
	}
	if cfg.ConnIdleTimeout <= 0 {
		cfg.ConnIdleTimeout = 30 * time.Second
	}
	if cfg.MessageTimeout <= 0 {
		cfg.MessageTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	if cfg.JitterMin < 0 || cfg.JitterMax < 0 || cfg.JitterMax > 0 && cfg.JitterMax < cfg.JitterMin {
		return nil, fmt.Errorf("mrcp server: jitter delay bounds %v..%v", cfg.JitterMin, cfg.JitterMax)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Parley speechd"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{
		cfg: cfg, log: cfg.Log.With("component", "mrcp-server"),
		sessions: map[string]*session{}, channels: map[mrcp.ChannelID]*channel{}, conns: map[*conn]struct{}{},
		pacer: media.NewPacer(20*time.Millisecond, 0),
	}
	if err := s.listen(); err != nil {
		s.closeListeners()
		return nil, err
	}
	return s, nil
}

func (s *Server) listen() error {
	host, _, err := net.SplitHostPort(s.cfg.SIPAddr)
	if err != nil {
		return fmt.Errorf("mrcp server: sip address %q: %w", s.cfg.SIPAddr, err)
	}
	if s.udp, s.tcp, err = sipnet.ListenUDPTCP(s.cfg.SIPAddr); err != nil {
		return fmt.Errorf("mrcp server: sip: %w", err)
	}
	ctlAddr := s.cfg.ControlAddr
	if ctlAddr == "" {
		ctlAddr = net.JoinHostPort(host, "0")
	}
	if s.ctl, err = net.Listen("tcp", ctlAddr); err != nil {
		return fmt.Errorf("mrcp server: control: %w", err)
	}
	if !s.cfg.MediaIP.IsValid() {
		ap := s.udp.LocalAddr().(*net.UDPAddr).AddrPort()
		s.cfg.MediaIP = ap.Addr().Unmap()
		if s.cfg.MediaIP.IsUnspecified() {
			s.cfg.MediaIP = sipnet.OutboundIP()
		}
	}
	if s.ports, err = media.NewPortAllocator(media.PortConfig{IP: s.cfg.MediaIP, Min: s.cfg.RTPPortMin, Max: s.cfg.RTPPortMax}); err != nil {
		return fmt.Errorf("mrcp server: rtp ports: %w", err)
	}
	if s.ua, err = sipgo.NewUA(sipgo.WithUserAgent(s.cfg.UserAgent)); err != nil {
		return fmt.Errorf("mrcp server: sip user agent: %w", err)
	}
	if s.sip, err = sipgo.NewServer(s.ua, sipgo.WithServerLogger(s.log)); err != nil {
		return fmt.Errorf("mrcp server: sip server: %w", err)
	}
	cli, err := sipgo.NewClient(s.ua, sipgo.WithClientLogger(s.log))
	if err != nil {
		return fmt.Errorf("mrcp server: sip client: %w", err)
	}
	sipAP := s.SIPAddr()
	s.dua = &sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: "speechd", Host: s.cfg.MediaIP.String(), Port: int(sipAP.Port())},
	}}
	s.sip.OnInvite(s.onInvite)
	s.sip.OnAck(s.onAck)
	s.sip.OnBye(s.onBye)
	s.sip.OnOptions(s.onOptions)
	return nil
}

// SIPAddr returns the SIP address (UDP and TCP).
func (s *Server) SIPAddr() netip.AddrPort { return s.udp.LocalAddr().(*net.UDPAddr).AddrPort() }

// ControlAddr returns the MRCPv2 control port's address.
func (s *Server) ControlAddr() netip.AddrPort { return s.ctl.Addr().(*net.TCPAddr).AddrPort() }

// URI returns a SIP URI that reaches the server, for clients.
func (s *Server) URI() string {
	return "sip:speechd@" + netip.AddrPortFrom(s.cfg.MediaIP, s.SIPAddr().Port()).String()
}

// Serve runs the server until ctx ends or Close is called, then ends
// every session (BYE) and closes every connection.
func (s *Server) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		return errors.New("mrcp server: closed")
	}
	s.cancel = cancel
	s.mu.Unlock()
	defer cancel()

	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.pacer.Run(ctx) }()
	go func() { defer s.wg.Done(); s.acceptControl(ctx) }()
	errc := make(chan error, 2)
	go func() { errc <- s.sip.ServeUDP(s.udp) }()
	go func() { errc <- s.sip.ServeTCP(s.tcp) }()
	s.log.Info("mrcp server listening", "sip", s.SIPAddr(), "control", s.ControlAddr(), "media", s.cfg.MediaIP)

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		if err != nil {
			err = fmt.Errorf("mrcp server: sip: %w", err)
		}
	}
	s.shutdown()
	cancel()
	s.wg.Wait()
	return err
}

// Close stops Serve.
func (s *Server) Close() error {
	s.mu.Lock()
	cancel := s.cancel
	started := cancel != nil
	s.mu.Unlock()
	if started {
		cancel()
		return nil
	}
	s.shutdown()
	return nil
}

func (s *Server) shutdown() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	sessions := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, ss := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			ss.hangup(ctx)
		}()
	}
	wg.Wait()
	s.closeListeners()
	for _, c := range conns {
		c.close()
	}
}

func (s *Server) closeListeners() {
	for _, c := range []interface{ Close() error }{s.ctl, s.tcp, s.udp} {
		if c != nil {
			_ = c.Close()
		}
	}
	if s.sip != nil {
		_ = s.sip.Close()
	}
	if s.ua != nil {
		_ = s.ua.Close()
	}
}

// Stats is a snapshot of the server's load.
type Stats struct {
	Sessions, Channels, Connections, RTPPorts int
}

// Stats returns the current load.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Sessions: len(s.sessions), Channels: len(s.channels), Connections: len(s.conns), RTPPorts: s.ports.InUse()}
}

// newChannelID returns a fresh, hard-to-guess channel identifier.
func newChannelID(r mrcp.Resource) mrcp.ChannelID {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return mrcp.ChannelID(strings.ToUpper(hex.EncodeToString(b[:])) + "@" + string(r))
}
