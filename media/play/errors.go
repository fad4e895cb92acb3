package play

import "errors"

// Sentinel errors. Functions wrap them with detail; match with errors.Is.
var (
	// ErrInvalidConfig means a Config field is out of range or the rates
	// cannot be converted.
	ErrInvalidConfig = errors.New("play: invalid config")
	// ErrShortBuffer means Next was given less room than one frame.
	ErrShortBuffer = errors.New("play: buffer shorter than one frame")
	// ErrClosed means the Player was used after Close.
	ErrClosed = errors.New("play: player closed")
)
