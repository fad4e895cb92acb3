package store

import "errors"

// Sentinel errors, tested with errors.Is.
var (
	// ErrNotFound: no call (or leg, or recording) with that id.
	ErrNotFound = errors.New("store: not found")
	// ErrInvalid: the input is malformed (empty id, unknown disposition,
	// bad cursor, detail that is not JSON, ...).
	ErrInvalid = errors.New("store: invalid input")
	// ErrConflict: the change contradicts the record's state, e.g. a call
	// created twice, or ended twice.
	ErrConflict = errors.New("store: conflict")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
)
