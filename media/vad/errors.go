package vad

import "errors"

// Sentinel errors returned by [New].
var (
	// ErrSampleRate reports a sample rate other than 8000, 16000 or 48000 Hz.
	ErrSampleRate = errors.New("vad: unsupported sample rate")
	// ErrFrameMs reports a frame duration other than 10, 20 or 30 ms.
	ErrFrameMs = errors.New("vad: unsupported frame duration")
	// ErrConfig reports a timing or threshold out of its valid range.
	ErrConfig = errors.New("vad: invalid config")
)
