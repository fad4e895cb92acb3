package g722

import "errors"

var (
	// ErrShortBuffer is returned when the destination cannot hold the
	// output: G.722 produces one octet per two samples and two samples per
	// octet.
	ErrShortBuffer = errors.New("g722: destination too short")

	// ErrOddLength is returned by Encode for an odd number of samples:
	// each octet codes a pair.
	ErrOddLength = errors.New("g722: odd number of samples")

	// ErrMode is returned for a decoder mode other than 1, 2 or 3.
	ErrMode = errors.New("g722: unknown mode")
)
