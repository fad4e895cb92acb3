package wav

import "errors"

// Sentinel errors. Functions wrap them with detail; match with errors.Is.
var (
	// ErrNotWAV means the input does not start with a RIFF/WAVE header.
	ErrNotWAV = errors.New("wav: not a RIFF/WAVE file")
	// ErrUnsupportedFormat means a well-formed file uses an encoding,
	// sample size, channel count or rate this package does not convert.
	ErrUnsupportedFormat = errors.New("wav: unsupported format")
	// ErrMalformed means the header contradicts itself (a fmt chunk that
	// is too short, data before fmt, a zero block size).
	ErrMalformed = errors.New("wav: malformed file")
	// ErrTruncated means the input ended inside the header, inside a
	// chunk or inside a sample frame.
	ErrTruncated = errors.New("wav: truncated")
	// ErrChunkTooLarge means a non-audio chunk exceeds its size cap.
	ErrChunkTooLarge = errors.New("wav: chunk too large")
	// ErrShortBuffer means a Read buffer cannot hold one sample frame.
	ErrShortBuffer = errors.New("wav: buffer shorter than one sample frame")
	// ErrPartialFrame means a Write was given a sample count that is not
	// a multiple of the channel count.
	ErrPartialFrame = errors.New("wav: sample count not a multiple of the channel count")
	// ErrChannelCount means a call that needs a particular channel count
	// (WriteStereo: two) on a Writer with another.
	ErrChannelCount = errors.New("wav: wrong channel count for this call")
	// ErrTooLarge means the audio would exceed the 32-bit RIFF size field.
	ErrTooLarge = errors.New("wav: data exceeds the 4 GiB RIFF limit")
	// ErrInvalidConfig means a WriterConfig field is out of range.
	ErrInvalidConfig = errors.New("wav: invalid writer config")
	// ErrClosed means the Writer was used after Close.
	ErrClosed = errors.New("wav: writer closed")
)
