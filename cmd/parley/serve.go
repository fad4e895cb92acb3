package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/console"
	"github.com/parley-cc/parley/media/record"
	mrcpserver "github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// server is one running Parley process: what serve starts and stops.
type server struct {
	cfg      Config
	log      *slog.Logger
	reg      *prometheus.Registry
	http     *http.Server
	draining atomic.Bool

	calls *store.SQLite

	ua        *telephony.UA
	registrar *telephony.Registrar
	stopUA    context.CancelFunc
	uaDone    chan error

	bot     *botParts
	acd     *acdParts       // the ACD and the handoff
	console *consoleService // the agent and supervisor API, with the ACD

	speech     *speechEngines
	speechSrv  *mrcpserver.Server
	speechDone chan error
	stopSpeech context.CancelFunc
}

// serve runs Parley until drain is cancelled, then shuts down gracefully
// within cfg.ShutdownTimeout, or at once when kill is cancelled.
func serve(drain, kill context.Context, cfg Config, log *slog.Logger) error {
	s := &server{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	if err := s.prepareDataDir(); err != nil {
		return err
	}
	s.registerMetrics()
	if err := s.openStore(); err != nil {
		return err
	}
	if err := s.startACD(); err != nil {
		s.closeStore()
		return err
	}
	if err := s.startSpeech(); err != nil {
		s.stopACD()
		s.closeStore()
		return err
	}
	newBot, err := s.startBot()
	if err != nil {
		s.stopBot()
		s.stopSpeechServer()
		s.stopACD()
		s.closeStore()
		return err
	}
	handler := &botHandler{}
	if err := s.startTelephony(handler); err != nil {
		s.stopBot()
		s.stopSpeechServer()
		s.stopACD()
		s.closeStore()
		return err
	}
	if newBot != nil {
		svc, err := newBot(s.ua)
		if err != nil {
			s.stopTelephony()
			s.stopACD()
			s.stopBot()
			s.stopSpeechServer()
			s.closeStore()
			return err
		}
		handler.svc.Store(svc)
	}
	if s.acd != nil {
		if s.console, err = s.startConsole(s.acd.acd, s.callControl()); err != nil {
			s.stopTelephony()
			s.stopACD()
			s.stopBot()
			s.stopSpeechServer()
			s.closeStore()
			return err
		}
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		_ = s.console.stop()
		s.stopTelephony()
		s.stopACD()
		s.stopBot()
		s.stopSpeechServer()
		s.closeStore()
		return fmt.Errorf("http listen on %s: %w", cfg.HTTP.Addr, err)
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	httpDone := make(chan error, 1)
	go func() { httpDone <- s.http.Serve(ln) }()
	log.Info("parley started", "version", version, "http_addr", ln.Addr().String(), "data_dir", cfg.DataDir)

	select {
	case err := <-httpDone:
		return fmt.Errorf("http server: %w", err)
	case <-drain.Done():
	}
	return s.shutdown(kill, httpDone)
}

// shutdown stops accepting, drains what is in flight and closes files.
func (s *server) shutdown(kill context.Context, httpDone <-chan error) error {
	s.draining.Store(true)
	ctx, cancel := context.WithTimeout(kill, s.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := s.http.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		s.http.Close()
	}
	if err := <-httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, fmt.Errorf("http server: %w", err))
	}
	if err := s.console.stop(); err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Errorf("console: %w", err))
	}
	if err := s.stopTelephony(); err != nil {
		errs = append(errs, err)
	}
	if err := s.stopACD(); err != nil {
		errs = append(errs, err)
	}
	if err := s.stopBot(); err != nil {
		errs = append(errs, fmt.Errorf("bot: %w", err))
	}
	if err := s.stopSpeechServer(); err != nil {
		errs = append(errs, err)
	}
	if err := s.closeStore(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// prepareDataDir creates the data directory layout and repairs recordings
// that a crash left unclosed, before anything records again.
func (s *server) prepareDataDir() error {
	for _, dir := range []string{s.cfg.DataDir, s.recordingDir()} {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	repaired, err := record.RepairDir(s.recordingDir())
	if err != nil {
		return fmt.Errorf("repair recordings: %w", err)
	}
	for _, r := range repaired {
		if r.Err != nil {
			s.log.Error("recording left unclosed could not be repaired", "path", r.Path, "err", r.Err)
			continue
		}
		s.log.Warn("repaired recording left unclosed by a crash", "path", r.Path, "repair", r.Summary)
	}
	return nil
}

func (s *server) recordingDir() string {
	if filepath.IsAbs(s.cfg.Recording.Dir) {
		return s.cfg.Recording.Dir
	}
	return filepath.Join(s.cfg.DataDir, s.cfg.Recording.Dir)
}

func (s *server) registerMetrics() {
	s.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "parley_build_info",
			Help:        "Build information; the value is always 1.",
			ConstLabels: prometheus.Labels{"version": version},
		}, func() float64 { return 1 }),
	)
}

func (s *server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/healthz", s.handleHealth)
	r.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	r.Mount(console.Prefix, s.consoleService().handler())
	return r
}

// healthReport is the body of /healthz.
type healthReport struct {
	Status  string            `json:"status"`
	Version string            `json:"version"`
	Checks  map[string]string `json:"checks"`
}

// handleHealth answers 200 while Parley accepts work and 503 while it
// drains or a check fails, so a load balancer stops sending new work.
func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	rep := healthReport{Status: "ok", Version: version, Checks: map[string]string{}}
	if st, err := os.Stat(s.cfg.DataDir); err != nil || !st.IsDir() {
		rep.Checks["data_dir"] = "unavailable"
		rep.Status = "unavailable"
	} else {
		rep.Checks["data_dir"] = "ok"
	}
	if st := s.acdHealth(r.Context()); st != "" {
		rep.Checks["acd"] = st
		if st != "ok" {
			rep.Status = "unavailable"
		}
	}
	if s.draining.Load() {
		rep.Status = "draining"
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(rep)
}

// startSpeech starts the in-process speech server (speech.enabled): the
// bot reaches it over real MRCPv2 on loopback.
func (s *server) startSpeech() error {
	if !s.cfg.Speech.Enabled {
		return nil
	}
	eng, err := newSpeechEngines(s.cfg.Speech, s.log)
	if err != nil {
		return err
	}
	srv, err := newSpeechServer(s.cfg.Speech, eng, s.log)
	if err != nil {
		_ = eng.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.speech, s.speechSrv, s.stopSpeech = eng, srv, cancel
	s.speechDone = make(chan error, 1)
	go func() { s.speechDone <- srv.Serve(ctx) }()
	s.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_speech_sessions", Help: "MRCPv2 sessions open on the in-process speech server."},
			func() float64 { return float64(srv.Stats().Sessions) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_speech_channels", Help: "MRCPv2 channels allocated on the in-process speech server."},
			func() float64 { return float64(srv.Stats().Channels) }),
	)
	s.log.Info("speech server started", "uri", srv.URI(), "control", srv.ControlAddr())
	return nil
}

// stopSpeechServer ends the speech sessions and closes the engines.
func (s *server) stopSpeechServer() error {
	if s.speechSrv == nil {
		return nil
	}
	s.stopSpeech()
	err := <-s.speechDone
	if cerr := s.speech.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	s.speechSrv = nil
	if err != nil {
		return fmt.Errorf("speech server: %w", err)
	}
	return nil
}

// storePath is the call store's SQLite file.
func (s *server) storePath() string { return filepath.Join(s.cfg.DataDir, "calls.db") }

// openStore opens the call store and closes the records of calls a crash
// left open, before any call is taken.
func (s *server) openStore() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, s.storePath(), store.Options{Log: s.log})
	if err != nil {
		return fmt.Errorf("call store: %w", err)
	}
	n, err := st.RepairOpen(ctx)
	if err != nil {
		_ = st.Close()
		return fmt.Errorf("call store: repair: %w", err)
	}
	if n > 0 {
		s.log.Warn("closed call records a crash left open", "calls", n, "disposition", "failed", "cause", "parley-restart")
	}
	s.calls = st
	return nil
}

func (s *server) closeStore() error {
	if s.calls == nil {
		return nil
	}
	err := s.calls.Close()
	s.calls = nil
	if err != nil {
		return fmt.Errorf("call store: %w", err)
	}
	return nil
}
