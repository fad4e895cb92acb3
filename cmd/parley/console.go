package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/parley-cc/parley/console"
	"github.com/parley-cc/parley/telephony"
)

// ConsoleConfig is the agent and supervisor API under /api/v1
// (docs/console-api.md).
type ConsoleConfig struct {
	// Secret signs login tokens, at least 32 characters, the same on every node behind one load balancer; empty: a random secret generated once in <data_dir>/console.secret.
	Secret string `yaml:"secret"`
	// TokenTTL is how long a login token is accepted.
	TokenTTL time.Duration `yaml:"token_ttl"`
	// LoginFailuresPerID is how many failed logins of one account id lock it for login_lockout; 0 disables.
	LoginFailuresPerID int `yaml:"login_failures_per_id"`
	// LoginFailuresPerSource is how many failed logins from one client address lock it for login_lockout; 0 disables.
	LoginFailuresPerSource int `yaml:"login_failures_per_source"`
	// LoginLockout is the window in which failed logins are counted and how long a lock lasts.
	LoginLockout time.Duration `yaml:"login_lockout"`
	// TrustProxy takes the client address from X-Forwarded-For (only behind a proxy that sets it).
	TrustProxy bool `yaml:"trust_proxy"`
	// AllowedOrigins are other web origins (host patterns, comma-separated) whose pages may open the event WebSocket.
	AllowedOrigins string `yaml:"allowed_origins"`
	// EventBuffer is how many events wait for one WebSocket client before it is disconnected as too slow.
	EventBuffer int `yaml:"event_buffer"`
}

// DefaultConsoleConfig are the console's embedded defaults.
func DefaultConsoleConfig() ConsoleConfig {
	return ConsoleConfig{
		TokenTTL: 12 * time.Hour, LoginFailuresPerID: 5, LoginFailuresPerSource: 20,
		LoginLockout: 5 * time.Minute, EventBuffer: 256,
	}
}

func (c ConsoleConfig) validate() []error {
	var errs []error
	if c.Secret != "" && len(c.Secret) < console.MinSecretLen {
		errs = append(errs, fmt.Errorf("console.secret: must have at least %d characters", console.MinSecretLen))
	}
	if c.TokenTTL <= 0 {
		errs = append(errs, fmt.Errorf("console.token_ttl: %v must be positive", c.TokenTTL))
	}
	if c.LoginFailuresPerID < 0 || c.LoginFailuresPerSource < 0 {
		errs = append(errs, errors.New("console.login_failures_per_id/per_source: must not be negative"))
	}
	if c.LoginLockout <= 0 {
		errs = append(errs, fmt.Errorf("console.login_lockout: %v must be positive", c.LoginLockout))
	}
	if c.EventBuffer < 1 {
		errs = append(errs, fmt.Errorf("console.event_buffer: %d must be at least 1", c.EventBuffer))
	}
	return errs
}

// consoleService is the console API as serve runs it.
type consoleService struct {
	srv    *console.Server
	cancel context.CancelFunc
	done   chan error
}

// startConsole builds the console API on the ACD and the call store and
// starts its event delivery. calls may be nil (hangup answers 501).
func (s *server) startConsole(a console.ACD, calls console.CallControl) (*consoleService, error) {
	c := s.cfg.Console
	if err := errors.Join(c.validate()...); err != nil {
		return nil, err
	}
	secret, err := console.LoadSecret(c.Secret, s.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	limit := func(n int) int { // 0 in the file disables; console.Config takes negative for that
		if n == 0 {
			return -1
		}
		return n
	}
	var origins []string
	for _, o := range strings.Split(c.AllowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	srv, err := console.New(console.Config{
		ACD: a, Store: s.calls, Calls: calls, Secret: secret, TokenTTL: c.TokenTTL, DataDir: s.cfg.DataDir,
		LoginFailuresPerID: limit(c.LoginFailuresPerID), LoginFailuresPerSource: limit(c.LoginFailuresPerSource),
		LoginLockout: c.LoginLockout, TrustProxy: c.TrustProxy, AllowedOrigins: origins, EventBuffer: c.EventBuffer,
		Log: s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cs := &consoleService{srv: srv, cancel: cancel, done: make(chan error, 1)}
	go func() { cs.done <- srv.Run(ctx) }()
	return cs, nil
}

// stop disconnects the WebSocket clients and waits for the console's
// goroutines. Call it after the HTTP server's shutdown and before the
// ACD stops. A nil service is a no-op.
func (cs *consoleService) stop() error {
	if cs == nil {
		return nil
	}
	cs.cancel()
	return <-cs.done
}

// handler serves /api/v1; a nil service (no ACD in this process) answers
// every request 503 with a problem saying so.
func (cs *consoleService) handler() http.Handler {
	if cs != nil {
		return cs.srv.Handler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"type":"about:blank","title":"Service Unavailable","status":503,"code":"no-acd","detail":"the console API needs the ACD, which this parley serve does not run"}`+"\n")
	})
}

// consoleService returns the console serve started, nil until serve
// starts one with the ACD (startConsole).
func (s *server) consoleService() *consoleService { return s.console }

// callControl hangs up calls in progress on this node for the console.
func (s *server) callControl() console.CallControl {
	return console.CallControlFunc(func(ctx context.Context, id string) error {
		if s.ua == nil {
			return callNotHere(id)
		}
		c, ok := s.ua.Call(telephony.CallID(id))
		if !ok {
			return callNotHere(id)
		}
		return c.Hangup(ctx)
	})
}

// callNotHere is a hang-up of a call this node does not hold: it ended, or
// another node behind the load balancer has its media path.
type callNotHere string

func (e callNotHere) Error() string {
	return "call " + string(e) + " is not in progress on this node"
}

// HTTPStatus makes the console answer 404.
func (e callNotHere) HTTPStatus() int { return http.StatusNotFound }
