package acd

import "errors"

// Sentinel errors; callers branch with errors.Is. The comment names the HTTP status a
// console maps each one to (see StatusCode).
var (
	ErrUnknownAgent = errors.New("acd: unknown agent")            // 404
	ErrUnknownQueue = errors.New("acd: unknown queue")            // 404
	ErrUnknownCall  = errors.New("acd: unknown call")             // 404
	ErrUnknownSkill = errors.New("acd: unknown skill")            // 422: a skill no agent or queue defines
	ErrIllegalState = errors.New("acd: illegal state change")     // 409
	ErrStaleOffer   = errors.New("acd: offer no longer current")  // 409
	ErrBlacklisted  = errors.New("acd: caller is blacklisted")    // 403
	ErrQueueFull    = errors.New("acd: queue full")               // 503 (the caller gets the queue's Fallback)
	ErrBackend      = errors.New("acd: backend unavailable")      // 503: wraps backend (Redis) failures
	ErrInvalid      = errors.New("acd: invalid request")          // 400 (added to the agreed API)
	errConflict     = errors.New("acd: concurrent change, retry") // internal: a claim lost a race
)

// StatusCode maps an error from this package to an HTTP status (500 for anything else).
func StatusCode(err error) int {
	switch {
	case err == nil:
		return 200
	case errors.Is(err, ErrUnknownAgent), errors.Is(err, ErrUnknownQueue), errors.Is(err, ErrUnknownCall):
		return 404
	case errors.Is(err, ErrUnknownSkill):
		return 422
	case errors.Is(err, ErrIllegalState), errors.Is(err, ErrStaleOffer):
		return 409
	case errors.Is(err, ErrBlacklisted):
		return 403
	case errors.Is(err, ErrQueueFull), errors.Is(err, ErrBackend):
		return 503
	case errors.Is(err, ErrInvalid):
		return 400
	}
	return 500
}
