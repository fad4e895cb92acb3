package l16

import "errors"

var (
	// ErrShortBuffer is returned when the destination cannot hold the
	// output: two bytes per sample.
	ErrShortBuffer = errors.New("l16: destination too short")

	// ErrOddLength is returned by Decode for a payload with an odd number
	// of bytes, which cannot hold whole 16-bit samples.
	ErrOddLength = errors.New("l16: odd payload length")
)
