package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/telephony/sipnet"
)

// Errors the client returns (wrapped).
var (
	// ErrNoServer means no configured server accepted the session.
	ErrNoServer = errors.New("mrcp client: no speech server accepted the session")
	// ErrTimeout means a response did not arrive in time.
	ErrTimeout = errors.New("mrcp client: request timed out")
	// ErrConnectionLost means the control connection dropped while a
	// request was in flight.
	ErrConnectionLost = errors.New("mrcp client: control connection lost")
	// ErrClosed means the session or client is closed.
	ErrClosed = errors.New("mrcp client: closed")
)

// Config configures a Client. Zero fields take the defaults given.
type Config struct {
	// Servers are SIP URIs of MRCPv2 servers ("sip:mrcp@10.0.0.5:8060"),
	// tried in order; required.
	Servers []string
	// LocalIP is the address for SIP, RTP and SDP; default the address
	// that routes to the first server.
	LocalIP netip.Addr
	// Transport is the SIP transport, "udp" (default) or "tcp".
	Transport string
	// RTPPortMin and RTPPortMax bound the RTP ports; defaults as media.
	RTPPortMin, RTPPortMax int
	// Codecs are the audio formats offered, in preference order; default
	// PCMU and PCMA with telephone-event/8000.
	Codecs []media.Codec
	// RequestTimeout bounds the wait for each response; default 5 s.
	RequestTimeout time.Duration
	// SetupTimeout bounds INVITE-to-connected per server; default 5 s.
	SetupTimeout time.Duration
	// RetryAfter is how long a failed server is skipped; default 30 s.
	RetryAfter time.Duration
	// JitterMin and JitterMax bound the playout delay of a jitter buffer
	// on the audio the server sends. Both zero (the default): no jitter
	// buffer, each packet is played as it arrives
	// (media.ReceiverConfig.Immediate), for a speech server on loopback
	// or a LAN, where a buffer for a caller's leg across the internet
	// (media/jitter's 40 to 300 ms) only delays every prompt. Set them as
	// for a call leg when the server is across a WAN; a zero bound then
	// takes media/jitter's default.
	JitterMin, JitterMax time.Duration
	// Log receives the client's logs; default slog.Default().
	Log *slog.Logger
}

// Client opens MRCPv2 sessions. It is safe for concurrent use.
type Client struct {
	cfg     Config
	log     *slog.Logger
	servers []sip.Uri
	ua      *sipgo.UserAgent
	sipSrv  *sipgo.Server
	dua     *sipgo.DialogUA
	sipConn net.PacketConn
	sipLn   net.Listener
	ports   *media.PortAllocator
	pacer   *media.Pacer
	reqID   atomic.Uint32

	mu       sync.Mutex
	down     map[int]time.Time // server index -> skipped until
	sessions map[string]*Session
	closed   bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// New starts a client: it binds its SIP socket and starts pacing audio.
func New(cfg Config) (*Client, error) {
	if len(cfg.Servers) == 0 {
		return nil, errors.New("mrcp client: no servers configured")
	}
	c := &Client{cfg: cfg, down: map[int]time.Time{}, sessions: map[string]*Session{}}
	for _, s := range cfg.Servers {
		var u sip.Uri
		if err := sip.ParseUri(strings.TrimSpace(s), &u); err != nil || u.Host == "" {
			return nil, fmt.Errorf("mrcp client: server %q is not a SIP URI", s)
		}
		c.servers = append(c.servers, u)
	}
	if c.cfg.Transport == "" {
		c.cfg.Transport = "udp"
	}
	if c.cfg.Transport != "udp" && c.cfg.Transport != "tcp" {
		return nil, fmt.Errorf("mrcp client: transport %q, want udp or tcp", c.cfg.Transport)
	}
	if c.cfg.RequestTimeout <= 0 {
		c.cfg.RequestTimeout = 5 * time.Second
	}
	if c.cfg.SetupTimeout <= 0 {
		c.cfg.SetupTimeout = 5 * time.Second
	}
	if c.cfg.RetryAfter <= 0 {
		c.cfg.RetryAfter = 30 * time.Second
	}
	if c.cfg.JitterMin < 0 || c.cfg.JitterMax < 0 || c.cfg.JitterMax > 0 && c.cfg.JitterMax < c.cfg.JitterMin {
		return nil, fmt.Errorf("mrcp client: jitter delay bounds %v..%v", c.cfg.JitterMin, c.cfg.JitterMax)
	}
	if len(c.cfg.Codecs) == 0 {
		te, _ := media.NewCodec(101, media.NameTelephoneEvent, 8000, 0)
		c.cfg.Codecs = []media.Codec{media.PCMU(), media.PCMA(), te}
	}
	if c.cfg.Log == nil {
		c.cfg.Log = slog.Default()
	}
	c.log = c.cfg.Log.With("component", "mrcp-client")
	if !c.cfg.LocalIP.IsValid() {
		c.cfg.LocalIP = sipnet.RouteTo(c.servers[0].Host)
	}
	c.reqID.Store(uint32(rand.IntN(1 << 20)))

	var err error
	if c.ports, err = media.NewPortAllocator(media.PortConfig{IP: c.cfg.LocalIP, Min: c.cfg.RTPPortMin, Max: c.cfg.RTPPortMax}); err != nil {
		return nil, fmt.Errorf("mrcp client: %w", err)
	}
	if err := c.startSIP(); err != nil {
		c.closeSIP()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.pacer = media.NewPacer(20*time.Millisecond, 0)
	c.wg.Add(1)
	go func() { defer c.wg.Done(); c.pacer.Run(ctx) }()
	return c, nil
}

func (c *Client) startSIP() error {
	var err error
	if c.ua, err = sipgo.NewUA(sipgo.WithUserAgent("Parley mrcp client")); err != nil {
		return fmt.Errorf("mrcp client: sip: %w", err)
	}
	if c.sipSrv, err = sipgo.NewServer(c.ua, sipgo.WithServerLogger(c.log)); err != nil {
		return fmt.Errorf("mrcp client: sip: %w", err)
	}
	host := c.cfg.LocalIP.String()
	var port int
	if c.cfg.Transport == "udp" {
		if c.sipConn, err = net.ListenPacket("udp", net.JoinHostPort(host, "0")); err != nil {
			return fmt.Errorf("mrcp client: sip: %w", err)
		}
		port = c.sipConn.LocalAddr().(*net.UDPAddr).Port
		go func() { _ = c.sipSrv.ServeUDP(c.sipConn) }()
	} else {
		if c.sipLn, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
			return fmt.Errorf("mrcp client: sip: %w", err)
		}
		port = c.sipLn.Addr().(*net.TCPAddr).Port
		go func() { _ = c.sipSrv.ServeTCP(c.sipLn) }()
	}
	cli, err := sipgo.NewClient(c.ua, sipgo.WithClientHostname(host), sipgo.WithClientLogger(c.log))
	if err != nil {
		return fmt.Errorf("mrcp client: sip: %w", err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "parley", Host: host, Port: port}}
	if c.cfg.Transport == "tcp" {
		contact.Address.UriParams = sip.HeaderParams{{K: "transport", V: "tcp"}}
	}
	c.dua = &sipgo.DialogUA{Client: cli, ContactHDR: contact}
	c.sipSrv.OnBye(c.onBye)
	c.sipSrv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	return nil
}

func (c *Client) onBye(req *sip.Request, tx sip.ServerTransaction) {
	id, err := sip.DialogIDFromRequestUAC(req)
	c.mu.Lock()
	s := c.sessions[id]
	c.mu.Unlock()
	if err != nil || s == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	_ = s.dlg.ReadBye(req, tx)
	s.fail(errors.New("mrcp client: server ended the session (BYE)"))
}

func (c *Client) closeSIP() {
	if c.sipSrv != nil {
		_ = c.sipSrv.Close()
	}
	if c.sipConn != nil {
		_ = c.sipConn.Close()
	}
	if c.sipLn != nil {
		_ = c.sipLn.Close()
	}
	if c.ua != nil {
		_ = c.ua.Close()
	}
}

// Close ends every open session and stops the client.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	var open []*Session
	for _, s := range c.sessions {
		open = append(open, s)
	}
	c.mu.Unlock()
	for _, s := range open {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.Close(ctx)
		cancel()
	}
	c.cancel()
	c.wg.Wait()
	c.closeSIP()
	return nil
}

// nextRequestID returns a fresh request-id (RFC 6787 section 5.1: unique
// and increasing within a session; one counter serves every session).
func (c *Client) nextRequestID() mrcp.RequestID { return mrcp.RequestID(c.reqID.Add(1)) }

// order returns server indices to try: those not marked down first, in
// configured order, then the down ones.
func (c *Client) order() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	var up, down []int
	for i := range c.servers {
		if t, ok := c.down[i]; ok && now.Before(t) {
			down = append(down, i)
		} else {
			up = append(up, i)
		}
	}
	return append(up, down...)
}

func (c *Client) markDown(i int, err error) {
	c.mu.Lock()
	c.down[i] = time.Now().Add(c.cfg.RetryAfter)
	c.mu.Unlock()
	c.log.Warn("speech server failed; skipping it", "server", c.servers[i].String(), "for", c.cfg.RetryAfter, "err", err)
}

func (c *Client) markUp(i int) {
	c.mu.Lock()
	delete(c.down, i)
	c.mu.Unlock()
}
