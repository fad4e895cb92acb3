package record

import "errors"

// Sentinel errors. Functions wrap them with detail; match with errors.Is.
var (
	// ErrInvalidConfig means a Config or sink config field is out of range.
	ErrInvalidConfig = errors.New("record: invalid config")
	// ErrClosed means the Recorder or sink was used after Close.
	ErrClosed = errors.New("record: closed")
	// ErrTooLong means a frame's media time is beyond Config.MaxDuration.
	ErrTooLong = errors.New("record: media time beyond the maximum duration")
	// ErrChannel means a Channel value other than Caller or Agent.
	ErrChannel = errors.New("record: unknown channel")
	// ErrFormat means a file name whose extension names no sink.
	ErrFormat = errors.New("record: unknown recording format")
)
