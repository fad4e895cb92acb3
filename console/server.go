package console

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/store"
)

// Prefix is where the API is mounted: Handler's routes are relative to it.
const Prefix = "/api/v1"

// ACD is the part of *acd.ACD the console drives.
type ACD interface {
	Agent(ctx context.Context, id string) (acd.Agent, error)
	Agents(ctx context.Context) ([]acd.Agent, error)
	Login(ctx context.Context, agentID string) error
	Logout(ctx context.Context, agentID string) error
	SetState(ctx context.Context, agentID string, s acd.State, reason string) error
	EndWrapUp(ctx context.Context, agentID string) error
	CurrentOffer(ctx context.Context, agentID string) (acd.Offer, bool, error)
	Queues() []acd.QueueConfig
	Stats(ctx context.Context, queue string) (acd.QueueStats, error)
	Accept(ctx context.Context, offerID string) error
	Decline(ctx context.Context, offerID, reason string) error
	TransferToQueue(ctx context.Context, callID, queue string) error
	TransferToAgent(ctx context.Context, callID, agentID string) error
	Subscribe(ctx context.Context) <-chan acd.Event
}

var _ ACD = (*acd.ACD)(nil)

// Store is the part of the call store the console reads and writes.
type Store interface {
	AgentAccount(ctx context.Context, id string) (store.AgentAccount, bool, error)
	RevokeAgentTokens(ctx context.Context, id string, at time.Time) error
	AssignCallAgent(ctx context.Context, call store.CallID, agent string, at time.Time) error
	SetWrapUp(ctx context.Context, call store.CallID, agent, disposition, notes string, at time.Time) error
	CallAgents(ctx context.Context, call store.CallID) ([]store.CallAgent, error)
	Recording(ctx context.Context, id store.CallID) (store.Recording, error)
}

var _ Store = (*store.SQLite)(nil)

// CallControl acts on a call's media path for an agent. Serve provides it
// (the node holding the call hangs it up); errors that implement
// HTTPStatus() int are answered with that status.
type CallControl interface {
	Hangup(ctx context.Context, callID string) error
}

// CallControlFunc adapts a function to CallControl.
type CallControlFunc func(ctx context.Context, callID string) error

// Hangup calls f.
func (f CallControlFunc) Hangup(ctx context.Context, callID string) error { return f(ctx, callID) }

// Config configures a Server. The zero value of each optional field means
// its default.
type Config struct {
	ACD   ACD   // required
	Store Store // required
	// Calls hangs up calls; nil answers hangup requests with 501.
	Calls CallControl
	// Secret signs tokens (LoadSecret); at least MinSecretLen bytes.
	Secret []byte
	// TokenTTL is how long a token is accepted (default 12 h).
	TokenTTL time.Duration
	// DataDir is what recording paths in the store are relative to.
	DataDir string
	// LoginFailuresPerID and LoginFailuresPerSource are the failed logins
	// (per account id, per client address) after which logins are refused
	// until LoginLockout has passed since the first failure (defaults 5,
	// 20, 5 min; negative: no limit).
	LoginFailuresPerID     int
	LoginFailuresPerSource int
	LoginLockout           time.Duration
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry (set it only behind a proxy that sets that header).
	TrustProxy bool
	// AllowedOrigins are host patterns (path.Match) of other origins whose
	// pages may open the event WebSocket; the API's own origin always may.
	AllowedOrigins []string
	// EventBuffer is the number of events queued per WebSocket client
	// (default 256); a client that falls further behind is disconnected.
	EventBuffer int
	// WriteTimeout bounds the write of one event to a client (default 10 s).
	WriteTimeout time.Duration
	Log          *slog.Logger
	Now          func() time.Time
}

func (c *Config) defaults() error {
	switch {
	case c.ACD == nil:
		return fmt.Errorf("%w: no ACD", ErrConfig)
	case c.Store == nil:
		return fmt.Errorf("%w: no store", ErrConfig)
	case len(c.Secret) < MinSecretLen:
		return fmt.Errorf("%w: secret shorter than %d bytes", ErrConfig, MinSecretLen)
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 12 * time.Hour
	}
	if c.LoginFailuresPerID == 0 {
		c.LoginFailuresPerID = 5
	}
	if c.LoginFailuresPerSource == 0 {
		c.LoginFailuresPerSource = 20
	}
	if c.LoginLockout <= 0 {
		c.LoginLockout = 5 * time.Minute
	}
	if c.EventBuffer <= 0 {
		c.EventBuffer = 256
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Server is the agent and supervisor API. Its handler serves requests at
// once; Run delivers events to WebSocket clients and records which agents
// serve which calls.
type Server struct {
	cfg      Config
	log      *slog.Logger
	byID     *throttle
	bySource *throttle
	hub      *hub
	mux      *chi.Mux
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Log.With("component", "console"),
		byID:     newThrottle(cfg.LoginFailuresPerID, cfg.LoginLockout),
		bySource: newThrottle(cfg.LoginFailuresPerSource, cfg.LoginLockout),
	}
	s.hub = newHub(cfg.EventBuffer, s.log)
	s.mux = s.routes()
	return s, nil
}

// Handler serves the API; mount it at Prefix (chi Mount or
// http.StripPrefix).
func (s *Server) Handler() http.Handler { return s.mux }

// ServeHTTP serves the API with paths relative to Prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Run delivers the ACD's events to WebSocket clients and records the
// agents connected to calls, until ctx ends; then it disconnects every
// client and returns once its goroutines have stopped.
func (s *Server) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.recordCallAgents(ctx)
	}()
	s.hub.run(ctx, s.cfg.ACD.Subscribe(ctx))
	<-done
	return nil
}

func (s *Server) routes() *chi.Mux {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, problem(http.StatusNotFound, "no-route", "no such endpoint: %s", r.URL.Path))
	})
	r.MethodNotAllowed(s.methodNotAllowed)
	r.Use(s.recoverer)
	r.Post("/login", s.handleLogin)
	r.Group(func(r chi.Router) {
		r.Use(s.authenticate)
		r.Post("/logout", s.handleLogout)
		r.Get("/me", s.handleMe)
		r.Post("/me/state", s.handleMyState)
		r.Post("/me/login", s.handleACDLogin)
		r.Post("/me/logout", s.handleACDLogout)
		r.Get("/me/offer", s.handleMyOffer)
		r.Post("/offers/{id}/accept", s.handleAccept)
		r.Post("/offers/{id}/decline", s.handleDecline)
		r.Post("/calls/{id}/hangup", s.handleHangup)
		r.Post("/calls/{id}/transfer", s.handleTransfer)
		r.Get("/calls/{id}/wrapup", s.handleGetWrapUp)
		r.Post("/calls/{id}/wrapup", s.handleWrapUp)
		r.Get("/calls/{id}/recording", s.handleRecording)
		r.Get("/events", s.handleEvents)
		r.Group(func(r chi.Router) {
			r.Use(s.supervisorOnly)
			r.Get("/queues", s.handleQueues)
			r.Get("/queues/{name}", s.handleQueue)
			r.Get("/agents", s.handleAgents)
			r.Post("/agents/{id}/state", s.handleAgentState)
		})
	})
	return r
}

// methodNotAllowed answers 405 with the Allow header chi leaves out when
// the handler is custom.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		path = rctx.RoutePath // mounted: the path below the mount point
	}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if s.mux.Match(chi.NewRouteContext(), m, path) {
			w.Header().Add("Allow", m)
		}
	}
	s.fail(w, r, problem(http.StatusMethodNotAllowed, "method-not-allowed", "%s is not allowed on %s", r.Method, r.URL.Path))
}

// recoverer turns a panic in a handler into a 500 and a log line.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("console handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
				s.fail(w, r, problem(http.StatusInternalServerError, "internal", "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
