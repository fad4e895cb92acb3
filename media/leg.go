package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Leg is one bidirectional audio stream as a call or a speech session uses
// it: an RTP/RTCP port pair, the Session on it, the Receiver that decodes
// what the far end sends and the Transmitter that sends what the near end
// plays, both ticked by a shared Pacer.
//
// A Leg is made in two steps because SDP needs the local port before the
// codecs are known: OpenLeg binds the ports (offer or answer written with
// LocalPort), Start wires the negotiated payloads and the far end's
// address. Close releases everything, in either state.
type Leg struct {
	ports *PortPair
	pacer *Pacer
	log   *slog.Logger

	mu       sync.Mutex
	session  *Session
	rx       *Receiver
	tx       *Transmitter
	unpace   func()
	closed   bool
	closeErr error
}

// OpenLeg binds an RTP/RTCP port pair from ports. The Leg's Receiver and
// Transmitter will be ticked by pacer.
func OpenLeg(ctx context.Context, ports *PortAllocator, pacer *Pacer, log *slog.Logger) (*Leg, error) {
	if ports == nil || pacer == nil {
		return nil, fmt.Errorf("%w: leg needs a port allocator and a pacer", ErrInvalidConfig)
	}
	if log == nil {
		log = slog.Default()
	}
	pp, err := ports.Allocate(ctx)
	if err != nil {
		return nil, err
	}
	return &Leg{ports: pp, pacer: pacer, log: log}, nil
}

// LocalPort returns the RTP port (RTCP is the port above it).
func (l *Leg) LocalPort() int { return l.ports.RTP.Port() }

// LegConfig is what offer/answer negotiated for a Leg.
type LegConfig struct {
	// Payloads are the negotiated payload types; the first audio codec is
	// the one sent. Required.
	Payloads *PayloadMap
	// Remote is the far end's RTP address; RemoteRTCP its RTCP address
	// (default the port above Remote). With Symmetric, the first packets
	// received re-latch both.
	Remote, RemoteRTCP netip.AddrPort
	// RTCPMux sends RTCP on the RTP port (RFC 5761).
	RTCPMux bool
	// Symmetric latches the remote address to where packets come from.
	Symmetric bool
	// Ptime is the packet duration; default 20 ms.
	Ptime time.Duration
	// Receive configures the Receiver; its Payloads and Ptime are set from
	// the fields above.
	Receive ReceiverConfig
	// Send configures the Transmitter; its Session, Codec and Ptime are
	// set from the fields above.
	Send TransmitterConfig
}

// Start opens the RTP session with the negotiated configuration and
// starts receiving and pacing. It fails with ErrStarted on a second call
// and ErrClosed after Close.
func (l *Leg) Start(cfg LegConfig) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return ErrClosed
	case l.session != nil:
		return ErrStarted
	}
	if cfg.Payloads == nil || cfg.Payloads.Len() == 0 {
		return fmt.Errorf("%w: leg needs negotiated payloads", ErrInvalidConfig)
	}
	var send *Codec
	for _, c := range cfg.Payloads.Codecs() {
		if !c.IsTelephoneEvent() {
			send = &c
			break
		}
	}
	if send == nil {
		return fmt.Errorf("%w: no audio codec among %v", ErrInvalidConfig, cfg.Payloads)
	}
	if cfg.Ptime == 0 {
		cfg.Ptime = 20 * time.Millisecond
	}
	rtcpRemote := cfg.RemoteRTCP
	if !rtcpRemote.IsValid() && cfg.Remote.IsValid() && !cfg.RTCPMux {
		rtcpRemote = netip.AddrPortFrom(cfg.Remote.Addr(), cfg.Remote.Port()+1)
	}
	scfg := Config{
		Conn:       l.ports.RTP,
		RTCPMux:    cfg.RTCPMux,
		Payloads:   cfg.Payloads,
		Remote:     cfg.Remote,
		RemoteRTCP: rtcpRemote,
		Symmetric:  cfg.Symmetric,
		Log:        l.log,
	}
	if !cfg.RTCPMux {
		scfg.RTCPConn = l.ports.RTCP
	}
	s, err := NewSession(scfg)
	if err != nil {
		return fmt.Errorf("leg: %w", err)
	}
	rc := cfg.Receive
	rc.Payloads, rc.Ptime = cfg.Payloads, cfg.Ptime
	if rc.Log == nil {
		rc.Log = l.log
	}
	rx, err := NewReceiver(rc)
	if err != nil {
		_ = s.Close()
		return fmt.Errorf("leg: %w", err)
	}
	tc := cfg.Send
	tc.Session, tc.Codec, tc.Ptime = s, *send, cfg.Ptime
	if tc.Log == nil {
		tc.Log = l.log
	}
	tx, err := NewTransmitter(tc)
	if err != nil {
		_ = s.Close()
		return fmt.Errorf("leg: %w", err)
	}
	s.SetHandler(rx)
	if err := s.Start(); err != nil {
		_ = s.Close()
		return fmt.Errorf("leg: %w", err)
	}
	l.session, l.rx, l.tx = s, rx, tx
	l.unpace = l.pacer.Add(TickerFunc(func(now time.Time) {
		rx.Tick(now)
		tx.Tick(now)
	}))
	return nil
}

// Session returns the RTP session, nil before Start.
func (l *Leg) Session() *Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.session
}

// Receiver returns the receive path, nil before Start.
func (l *Leg) Receiver() *Receiver {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rx
}

// Transmitter returns the send path, nil before Start.
func (l *Leg) Transmitter() *Transmitter {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tx
}

// Close stops pacing, stops playback, closes the session and gives the
// ports back. It is idempotent.
func (l *Leg) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.closeErr
	}
	l.closed = true
	if l.unpace != nil {
		l.unpace()
	}
	if l.tx != nil {
		l.tx.Stop()
	}
	var err error
	if l.session != nil {
		err = l.session.Close()
	}
	if rerr := l.ports.RTP.Close(); err == nil && rerr != nil && !errors.Is(rerr, net.ErrClosed) {
		err = rerr
	}
	if rerr := l.ports.RTCP.Close(); err == nil && rerr != nil && !errors.Is(rerr, net.ErrClosed) {
		err = rerr
	}
	l.closeErr = err
	return err
}
