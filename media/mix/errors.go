package mix

import "errors"

// Sentinel errors returned by the constructors and Mix.
var (
	// ErrConfig reports a Config field out of its valid range.
	ErrConfig = errors.New("mix: invalid config")
	// ErrNoSources reports a Mix call without any source.
	ErrNoSources = errors.New("mix: no sources")
	// ErrLength reports a source or destination frame whose length differs
	// from the others.
	ErrLength = errors.New("mix: frame length mismatch")
	// ErrParticipants reports a matrix size or participant index out of
	// range.
	ErrParticipants = errors.New("mix: participant out of range")
)
