package telephony

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/telephony/sipnet"
)

// Config configures a UA. Zero fields take the defaults given.
type Config struct {
	// SIPAddr is where SIP is served, on UDP and TCP (same port); default
	// "127.0.0.1:0" (a free port).
	SIPAddr string
	// TLSAddr, when set, also serves SIP over TLS (RFC 3261 26.3.1) on
	// this address with TLSConfig, which must hold the certificate.
	// TLSConfig also verifies trunks reached over TLS (its RootCAs).
	TLSAddr   string
	TLSConfig *tls.Config
	// MediaIP is the address RTP binds and SDP announces; default the SIP
	// address's host.
	MediaIP netip.Addr
	// RTPPortMin and RTPPortMax bound the RTP ports; default
	// media.DefaultMinPort to media.DefaultMaxPort.
	RTPPortMin, RTPPortMax int
	// Capabilities are the codecs answered; default DefaultCapabilities().
	Capabilities *Capabilities
	// Handler runs every inbound call; default DefaultHandler.
	Handler Handler
	// Store keeps the call records; nil keeps none.
	Store CallStore
	// DataDir is the directory recording paths in the store are relative
	// to; default RecordingDir.
	DataDir string
	// RecordingDir is where recordings are written, as
	// <dir>/<yyyy-mm-dd>/<call id>.<format>; empty records nothing.
	RecordingDir string
	// RecordingFormat is "wav" (default) or "opus".
	RecordingFormat string
	// MaxCalls caps concurrent calls; a further INVITE gets 503. Default
	// 1000.
	MaxCalls int
	// RTPTimeout ends an answered call with BYE when no RTP packet has
	// arrived for this long; default 30 s, negative disables it.
	RTPTimeout time.Duration
	// Registrar, when set, answers REGISTER from agents' phones; the
	// caller owns it (Start and Close).
	Registrar *Registrar
	// Trunks are the SIP peers that carry calls to and from the phone
	// network (see Trunk). Dial sends calls through them.
	Trunks []Trunk
	// AcceptAnySource takes INVITEs from any address. Without it, once
	// Trunks are configured, an INVITE must come from a trunk's allowed
	// sources or from the address of a phone registered with Registrar;
	// others get 403 Forbidden. With no trunks every source is accepted.
	AcceptAnySource bool
	// TransferTrunk is the trunk a blind transfer to a number (a REFER
	// from a phone whose target is not a registered user) is dialled
	// through; empty refuses such transfers with 404.
	TransferTrunk string
	// RingTimeout is how long Dial lets a call ring when the DialOptions
	// set none; default 30 s.
	RingTimeout time.Duration
	// OnEvent, when set, is called with every call event (invite,
	// ringing, answer, hold, dtmf, bridge, transfer, hangup, ... each
	// with its reason code) as it is written to the store: how the bot,
	// the ACD and the console follow calls live. It runs on the goroutine
	// of the change and must not block.
	OnEvent func(CallEvent)
	// UserAgent is the SIP User-Agent; default "Parley".
	UserAgent string
	// Log receives the UA's logs; default slog.Default().
	Log *slog.Logger
}

func (c *Config) fill() error {
	if c.SIPAddr == "" {
		c.SIPAddr = "127.0.0.1:0"
	}
	if c.Capabilities == nil {
		caps := DefaultCapabilities()
		c.Capabilities = &caps
	}
	if c.Handler == nil {
		c.Handler = DefaultHandler
	}
	if c.MaxCalls <= 0 {
		c.MaxCalls = 1000
	}
	if c.RTPTimeout == 0 {
		c.RTPTimeout = 30 * time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = "Parley"
	}
	if c.RingTimeout <= 0 {
		c.RingTimeout = 30 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.DataDir == "" {
		c.DataDir = c.RecordingDir
	}
	switch c.RecordingFormat {
	case "":
		c.RecordingFormat = "wav"
	case "wav", "opus":
	default:
		return fmt.Errorf("%w: recording format %q (want wav or opus)", ErrInvalidConfig, c.RecordingFormat)
	}
	return nil
}

// UA is Parley's SIP user agent for inbound calls: it answers OPTIONS,
// turns each INVITE into a Call run by the Handler, records answered calls
// and keeps their records in the Store.
type UA struct {
	cfg   Config
	log   *slog.Logger
	ua    *sipgo.UserAgent
	sip   *sipgo.Server
	dua   *sipgo.DialogUA
	udp   net.PacketConn
	tcp   net.Listener
	tls   net.Listener
	ports *media.PortAllocator
	pacer *media.Pacer

	trunks    map[string]*trunk
	trunkList []*trunk // in configuration order, for source matching

	mu     sync.Mutex
	calls  map[CallID]*Call
	byDlg  map[string]*Call // by SIP dialog id, once the INVITE is read
	closed bool
	ready  chan struct{} // closed once Serve's UDP socket sends requests too
	cancel context.CancelFunc
	wg     sync.WaitGroup // call goroutines
}

// NewUA binds the SIP sockets and the RTP port range. Serve runs it.
func NewUA(cfg Config) (*UA, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	trunks, err := compileTrunks(cfg.Trunks, *cfg.Capabilities)
	if err != nil {
		return nil, err
	}
	if cfg.TransferTrunk != "" && trunks[cfg.TransferTrunk] == nil {
		return nil, fmt.Errorf("%w: transfer trunk %q is not a configured trunk", ErrInvalidConfig, cfg.TransferTrunk)
	}
	u := &UA{
		cfg: cfg, log: cfg.Log.With("component", "telephony"),
		calls: map[CallID]*Call{}, byDlg: map[string]*Call{},
		pacer:  media.NewPacer(20*time.Millisecond, 0),
		trunks: trunks, ready: make(chan struct{}),
	}
	for _, t := range cfg.Trunks {
		u.trunkList = append(u.trunkList, trunks[t.Name])
	}
	if err := u.listen(); err != nil {
		u.closeListeners()
		return nil, err
	}
	return u, nil
}

func (u *UA) listen() error {
	var err error
	if u.udp, u.tcp, err = sipnet.ListenUDPTCP(u.cfg.SIPAddr); err != nil {
		return fmt.Errorf("telephony: sip %s: %w", u.cfg.SIPAddr, err)
	}
	if !u.cfg.MediaIP.IsValid() {
		u.cfg.MediaIP = u.SIPAddr().Addr().Unmap()
		if u.cfg.MediaIP.IsUnspecified() {
			u.cfg.MediaIP = sipnet.OutboundIP()
		}
	}
	if u.ports, err = media.NewPortAllocator(media.PortConfig{IP: u.cfg.MediaIP, Min: u.cfg.RTPPortMin, Max: u.cfg.RTPPortMax}); err != nil {
		return fmt.Errorf("telephony: rtp ports: %w", err)
	}
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent(u.cfg.UserAgent)}
	if u.cfg.TLSAddr != "" {
		if u.cfg.TLSConfig == nil || (len(u.cfg.TLSConfig.Certificates) == 0 && u.cfg.TLSConfig.GetCertificate == nil) {
			return fmt.Errorf("%w: SIP over TLS on %s needs a certificate", ErrInvalidConfig, u.cfg.TLSAddr)
		}
		if u.tls, err = tls.Listen("tcp", u.cfg.TLSAddr, u.cfg.TLSConfig); err != nil {
			return fmt.Errorf("telephony: sip tls %s: %w", u.cfg.TLSAddr, err)
		}
	}
	if u.cfg.TLSConfig != nil {
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(u.cfg.TLSConfig.Clone()))
	}
	if u.ua, err = sipgo.NewUA(uaOpts...); err != nil {
		return fmt.Errorf("telephony: sip user agent: %w", err)
	}
	if u.sip, err = sipgo.NewServer(u.ua, sipgo.WithServerLogger(u.log)); err != nil {
		return fmt.Errorf("telephony: sip server: %w", err)
	}
	// Requests Parley sends over UDP leave from its SIP port, so that a
	// trunk sees them come from the address it knows (and its replies
	// and in-dialog requests reach the same socket).
	cli, err := sipgo.NewClient(u.ua, sipgo.WithClientLogger(u.log),
		sipgo.WithClientHostname(u.cfg.MediaIP.String()),
		sipgo.WithClientConnectionAddr(u.udp.LocalAddr().String()))
	if err != nil {
		return fmt.Errorf("telephony: sip client: %w", err)
	}
	u.dua = &sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: "parley", Host: u.cfg.MediaIP.String(), Port: int(u.SIPAddr().Port())},
	}}
	u.sip.OnInvite(u.onInvite)
	u.sip.OnAck(u.onAck)
	u.sip.OnBye(u.onBye)
	u.sip.OnOptions(u.onOptions)
	u.sip.OnUpdate(u.onUpdate)
	u.sip.OnInfo(u.onInfo)
	u.sip.OnRefer(u.onRefer)
	u.sip.OnNotify(u.onNotify)
	if u.cfg.Registrar != nil {
		u.sip.OnRegister(u.cfg.Registrar.HandleRegister)
	}
	return nil
}

// TLSAddr returns the SIP over TLS address, invalid when TLS is off.
func (u *UA) TLSAddr() netip.AddrPort {
	if u.tls == nil {
		return netip.AddrPort{}
	}
	return u.tls.Addr().(*net.TCPAddr).AddrPort()
}

// SIPAddr returns the SIP address (UDP and TCP).
func (u *UA) SIPAddr() netip.AddrPort { return u.udp.LocalAddr().(*net.UDPAddr).AddrPort() }

// RTPPortsInUse returns how many RTP port pairs calls hold.
func (u *UA) RTPPortsInUse() int { return u.ports.InUse() }

// Calls returns how many calls are in progress.
func (u *UA) Calls() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.calls)
}

// Call returns the call in progress with the given ID (inbound, outbound or
// a leg), for controls that only know the ID (the console's hang-up).
func (u *UA) Call(id CallID) (*Call, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	c, ok := u.calls[id]
	return c, ok
}

// Serve runs the UA until ctx ends or Close is called, then hangs up every
// call (BYE, or 503 before the answer) and waits for them to end.
func (u *UA) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	u.mu.Lock()
	if u.closed || u.cancel != nil {
		u.mu.Unlock()
		return ErrClosed
	}
	u.cancel = cancel
	u.mu.Unlock()

	var pw sync.WaitGroup
	pw.Add(1)
	go func() { defer pw.Done(); u.pacer.Run(ctx) }()
	errc := make(chan error, 3)
	servers := 2
	go func() { errc <- u.sip.ServeUDP(u.udp) }()
	go func() { errc <- u.sip.ServeTCP(u.tcp) }()
	if u.tls != nil {
		servers++
		go func() { errc <- u.sip.ServeTLS(u.tls) }()
		u.log.Info("sip tls listening", "sip_tls", u.tls.Addr().String())
	}
	u.log.Info("sip listening", "sip", u.SIPAddr(), "media", u.cfg.MediaIP)
	pw.Add(1)
	go func() { defer pw.Done(); u.awaitReady(ctx) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		if err != nil {
			err = fmt.Errorf("telephony: sip: %w", err)
		}
	}
	u.shutdown()
	cancel()
	pw.Wait()
	for range servers {
		<-errc
	}
	return err
}

// Close stops Serve, hanging up every call. A UA that never served just
// releases its sockets.
func (u *UA) Close() error {
	u.mu.Lock()
	cancel := u.cancel
	u.mu.Unlock()
	if cancel != nil {
		cancel()
		return nil
	}
	u.shutdown()
	return nil
}

// awaitReady closes u.ready once the transport layer holds the UDP
// socket Serve reads, so that requests Parley sends leave from it.
func (u *UA) awaitReady(ctx context.Context) {
	addr := u.udp.LocalAddr().String()
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		if c, err := u.ua.TransportLayer().GetConnection("udp", addr); err == nil && c != nil {
			close(u.ready)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// waitReady waits until Serve can send requests.
func (u *UA) waitReady(ctx context.Context) error {
	select {
	case <-u.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(5 * time.Second):
		return fmt.Errorf("telephony: the user agent is not serving")
	}
}

func (u *UA) shutdown() {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return
	}
	u.closed = true
	calls := make([]*Call, 0, len(u.calls))
	for _, c := range u.calls {
		calls = append(calls, c)
	}
	u.mu.Unlock()
	for _, c := range calls {
		c.shutdown()
	}
	u.wg.Wait()
	u.closeListeners()
}

func (u *UA) closeListeners() {
	for _, c := range []interface{ Close() error }{u.tcp, u.udp, u.tls} {
		if c != nil {
			_ = c.Close()
		}
	}
	if u.sip != nil {
		_ = u.sip.Close()
	}
	if u.ua != nil {
		_ = u.ua.Close()
	}
}
