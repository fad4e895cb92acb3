package console

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/store"
)

// principal is the authenticated account behind a request.
type principal struct {
	ID      string
	Name    string
	Role    store.AccountRole
	Expires time.Time // of the token
}

func (p principal) supervisor() bool { return p.Role == store.AccountSupervisor }

type principalKey struct{}

func principalOf(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// LoginRequest is the body of POST /login.
type LoginRequest struct {
	ID       string `json:"id"`
	Password string `json:"password"`
}

// LoginResponse is the answer to a successful login.
type LoginResponse struct {
	Token   string            `json:"token"`
	Expires time.Time         `json:"expires"`
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Role    store.AccountRole `json:"role"`
	// Agent is the agent's ACD state after login (agents only).
	Agent *AgentView `json:"agent,omitempty"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.ID == "" || req.Password == "" {
		s.fail(w, r, problem(http.StatusBadRequest, "bad-login", "id and password are required"))
		return
	}
	now := s.cfg.Now()
	source := s.clientAddr(r)
	idKey := "id:" + strings.ToLower(req.ID)
	for _, t := range []struct {
		th  *throttle
		key string
	}{{s.byID, idKey}, {s.bySource, "src:" + source}} {
		if wait, blocked := t.th.blocked(t.key, now); blocked {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.fail(w, r, problem(http.StatusTooManyRequests, "too-many-failures", "too many failed logins; try again in %d s", int(wait.Seconds())+1))
			return
		}
	}
	acct, ok, err := s.cfg.Store.AgentAccount(r.Context(), req.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hash := ""
	if ok {
		hash = acct.PasswordHash
	}
	if !checkPassword(hash, req.Password) {
		s.byID.fail(idKey, now)
		s.bySource.fail("src:"+source, now)
		s.log.Warn("console login failed", "agent_id", req.ID, "remote", source)
		s.fail(w, r, problem(http.StatusUnauthorized, "bad-credentials", "wrong id or password"))
		return
	}
	s.byID.reset(idKey)
	resp := LoginResponse{ID: acct.ID, Name: acct.Name, Role: acct.Role}
	if acct.Role == store.AccountAgent {
		ag, err := s.acdLogin(r.Context(), acct.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v := agentView(ag)
		resp.Agent = &v
	}
	iat := now
	if !iat.After(acct.TokensAfter) { // a login right after a logout
		iat = acct.TokensAfter.Add(time.Nanosecond)
	}
	claims := Claims{Subject: acct.ID, Role: acct.Role, IssuedAt: iat.UnixNano(), Expires: now.Add(s.cfg.TokenTTL).UnixNano()}
	tok, err := IssueToken(s.cfg.Secret, claims)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp.Token, resp.Expires = tok, claims.Expiry().UTC()
	s.log.Info("console login", "agent_id", acct.ID, "role", acct.Role, "remote", source)
	writeJSON(w, http.StatusOK, resp)
}

// acdLogin logs an agent into the ACD unless they already are, and
// returns their state.
func (s *Server) acdLogin(ctx context.Context, id string) (acd.Agent, error) {
	ag, err := s.cfg.ACD.Agent(ctx, id)
	if err != nil {
		return acd.Agent{}, err
	}
	if ag.State != acd.StateLoggedOut {
		return ag, nil
	}
	if err := s.cfg.ACD.Login(ctx, id); err != nil && !errors.Is(err, acd.ErrIllegalState) {
		return acd.Agent{}, err
	}
	return s.cfg.ACD.Agent(ctx, id)
}

// handleLogout logs an agent out of the ACD, then revokes every token of
// the account. An agent who is offered a call or on one gets 409 and
// stays logged in.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	if p.Role == store.AccountAgent {
		if err := s.acdLogout(r.Context(), p.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.cfg.Store.RevokeAgentTokens(r.Context(), p.ID, s.cfg.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.hub.drop(p.ID, errLoggedOut)
	s.log.Info("console logout", "agent_id", p.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) acdLogout(ctx context.Context, id string) error {
	ag, err := s.cfg.ACD.Agent(ctx, id)
	if errors.Is(err, acd.ErrUnknownAgent) {
		return nil // removed from the ACD meanwhile: nothing to log out of
	}
	if err != nil {
		return err
	}
	if ag.State == acd.StateLoggedOut {
		return nil
	}
	return s.cfg.ACD.Logout(ctx, id)
}

// authenticate admits requests with a valid bearer token (the
// Authorization header, or the token query parameter on /events) of an
// account that still exists and has not logged out since.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

func (s *Server) principal(r *http.Request) (principal, error) {
	tok, ok := bearer(r)
	if !ok {
		return principal{}, problem(http.StatusUnauthorized, "no-token", "log in first: no bearer token")
	}
	c, err := ParseToken(s.cfg.Secret, tok, s.cfg.Now())
	if err != nil {
		return principal{}, &apiError{status: http.StatusUnauthorized, code: "bad-token",
			detail: strings.TrimPrefix(err.Error(), "console: "), err: err}
	}
	acct, ok, err := s.cfg.Store.AgentAccount(r.Context(), c.Subject)
	if err != nil {
		return principal{}, err
	}
	switch {
	case !ok:
		return principal{}, problem(http.StatusUnauthorized, "bad-token", "the account no longer exists")
	case c.IssuedAt <= acct.TokensAfter.UnixNano() && !acct.TokensAfter.IsZero():
		return principal{}, problem(http.StatusUnauthorized, "bad-token", "logged out: log in again")
	}
	return principal{ID: acct.ID, Name: acct.Name, Role: acct.Role, Expires: c.Expiry()}, nil
}

// bearer finds the request's token.
func bearer(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		tok = strings.TrimSpace(tok)
		return tok, tok != ""
	}
	if tok := r.URL.Query().Get("token"); tok != "" && strings.HasSuffix(r.URL.Path, "/events") {
		return tok, true
	}
	return "", false
}

// supervisorOnly refuses agents with 403.
func (s *Server) supervisorOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !principalOf(r.Context()).supervisor() {
			s.fail(w, r, problem(http.StatusForbidden, "forbidden", "supervisors only"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the address logins are throttled by.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
