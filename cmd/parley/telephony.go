package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-cc/parley/telephony"
)

// noScriptHandler answers inbound calls while no dialogue runs them (no
// speech server, or before the bot is ready): 480 Temporarily Unavailable
// with a Reason saying why, so that a trunk can route the call elsewhere.
var noScriptHandler = telephony.HandlerFunc(func(ctx context.Context, c *telephony.Call) {
	_ = c.Reject(480, "no dialogue script serves this number")
})

// startTelephony starts the SIP user agent (calls, trunks) and the
// registrar for agents' phones.
func (s *server) startTelephony(h telephony.Handler) error {
	sc := s.cfg.SIP
	var reg *telephony.Registrar
	if sc.Registrar.Enabled {
		static := telephony.StaticUsers{}
		for _, u := range sc.Registrar.Users {
			static[u.User] = u.Password
		}
		users := telephony.Users{static, telephony.StoreUsers{Accounts: s.calls, Realm: sc.Registrar.Realm}}
		var err error
		reg, err = telephony.NewRegistrar(telephony.RegistrarConfig{
			Realm: sc.Registrar.Realm, Users: users,
			MinExpires: sc.Registrar.MinExpires, MaxExpires: sc.Registrar.MaxExpires,
			Algorithms: sc.Registrar.algorithms(),
			Log:        s.log,
		})
		if err != nil {
			return fmt.Errorf("registrar: %w", err)
		}
		reg.Start()
	}
	tlsCfg, err := sc.tlsConfig()
	if err != nil {
		closeRegistrar(reg)
		return err
	}
	cfg := telephony.Config{
		SIPAddr: sc.Addr, TLSAddr: sc.TLSAddr, TLSConfig: tlsCfg,
		RTPPortMin: s.cfg.Media.RTPPortMin, RTPPortMax: s.cfg.Media.RTPPortMax,
		Handler: h, Store: s.calls, DataDir: s.cfg.DataDir,
		MaxCalls: sc.MaxCalls, RTPTimeout: s.cfg.Media.RTPTimeout, RingTimeout: sc.RingTimeout,
		Trunks: sc.trunks(), AcceptAnySource: sc.AcceptAnySource, TransferTrunk: sc.TransferTrunk,
		Registrar: reg, UserAgent: "Parley/" + version, Log: s.log,
	}
	if ip, err := netip.ParseAddr(s.cfg.Media.RTPAddr); err == nil && !ip.IsUnspecified() {
		cfg.MediaIP = ip
	}
	if s.cfg.Recording.Enabled {
		cfg.RecordingDir, cfg.RecordingFormat = s.recordingDir(), s.cfg.Recording.Format
	}
	ua, err := telephony.NewUA(cfg)
	if err != nil {
		closeRegistrar(reg)
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.ua, s.registrar, s.stopUA = ua, reg, cancel
	s.uaDone = make(chan error, 1)
	go func() { s.uaDone <- ua.Serve(ctx) }()
	s.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_calls_active", Help: "SIP call legs in progress."},
			func() float64 { return float64(ua.Calls()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_rtp_ports_in_use", Help: "RTP/RTCP port pairs held by call legs."},
			func() float64 { return float64(ua.RTPPortsInUse()) }),
	)
	if len(sc.Trunks) == 0 && !sc.AcceptAnySource {
		s.log.Warn("no SIP trunk configured: INVITEs are accepted from any source", "sip_addr", ua.SIPAddr())
	}
	s.log.Info("telephony started", "sip_addr", ua.SIPAddr(), "trunks", len(sc.Trunks), "registrar", reg != nil, "phone_accounts", len(sc.Registrar.Users))
	return nil
}

func closeRegistrar(r *telephony.Registrar) {
	if r != nil {
		_ = r.Close()
	}
}

// stopTelephony hangs up every call (BYE, or 503 before the answer) and
// closes the sockets.
func (s *server) stopTelephony() error {
	if s.ua == nil {
		return nil
	}
	s.stopUA()
	err := <-s.uaDone
	closeRegistrar(s.registrar)
	s.ua, s.registrar = nil, nil
	if err != nil && !errors.Is(err, telephony.ErrClosed) {
		return fmt.Errorf("telephony: %w", err)
	}
	return nil
}
