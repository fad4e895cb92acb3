package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/store"
)

// Sentinel errors.
var (
	// ErrToken: a bearer token that is malformed, forged or expired.
	ErrToken = errors.New("console: invalid token")
	// ErrConfig: a Config that cannot work (no ACD, no store, short secret).
	ErrConfig = errors.New("console: invalid configuration")
)

// Problem is an RFC 7807 problem detail, the body of every error response
// (Content-Type application/problem+json). Code is a stable machine-readable
// slug (e.g. "stale-offer"); Detail is for people.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
}

// apiError is an error with the status, code and user-visible detail it
// is answered with. The wrapped error (if any) is logged, never shown.
type apiError struct {
	status int
	code   string
	detail string
	err    error
}

func (e *apiError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%s: %v", e.detail, e.err)
	}
	return e.detail
}

func (e *apiError) Unwrap() error { return e.err }

func problem(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, detail: fmt.Sprintf(format, args...)}
}

// acdCodes names the ACD's sentinels in problem codes.
var acdCodes = []struct {
	err  error
	code string
}{
	{acd.ErrUnknownAgent, "unknown-agent"},
	{acd.ErrUnknownQueue, "unknown-queue"},
	{acd.ErrUnknownCall, "unknown-call"},
	{acd.ErrUnknownSkill, "unknown-skill"},
	{acd.ErrIllegalState, "illegal-state"},
	{acd.ErrStaleOffer, "stale-offer"},
	{acd.ErrBlacklisted, "blacklisted"},
	{acd.ErrQueueFull, "queue-full"},
	{acd.ErrBackend, "acd-unavailable"},
	{acd.ErrInvalid, "invalid"},
}

// classify turns any error into the problem it is answered with. The
// ACD's errors keep their text: it says what was refused and why.
func classify(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	for _, c := range acdCodes {
		if errors.Is(err, c.err) {
			return &apiError{status: acd.StatusCode(err), code: c.code, detail: err.Error(), err: err}
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &apiError{status: http.StatusNotFound, code: "not-found", detail: err.Error(), err: err}
	case errors.Is(err, store.ErrInvalid):
		return &apiError{status: http.StatusUnprocessableEntity, code: "invalid", detail: err.Error(), err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, store.ErrClosed):
		return &apiError{status: http.StatusServiceUnavailable, code: "unavailable", detail: "the service is unavailable; try again", err: err}
	case errors.Is(err, context.Canceled):
		return &apiError{status: 499, code: "cancelled", detail: "request cancelled", err: err}
	}
	var sc interface{ HTTPStatus() int }
	if errors.As(err, &sc) && sc.HTTPStatus() >= 400 && sc.HTTPStatus() < 600 {
		return &apiError{status: sc.HTTPStatus(), code: "call-control", detail: err.Error(), err: err}
	}
	return &apiError{status: http.StatusInternalServerError, code: "internal", detail: "internal error", err: err}
}

// writeProblem answers with a problem+json body.
func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// fail answers r with err as a problem, logging server-side failures.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ae := classify(err)
	if ae.status >= 500 {
		s.log.Warn("console request failed", "method", r.Method, "path", r.URL.Path, "status", ae.status, "err", err)
	}
	writeProblem(w, Problem{Type: "about:blank", Title: statusTitle(ae.status), Status: ae.status, Detail: ae.detail, Code: ae.code})
}

func statusTitle(code int) string {
	if code == 499 {
		return "Client Closed Request"
	}
	return http.StatusText(code)
}

// writeJSON answers 200 (or status) with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
