package opus

import (
	"errors"
	"fmt"

	hraban "gopkg.in/hraban/opus.v2"
)

// Sentinel errors. Callers branch on them with errors.Is; the errors
// returned by this package wrap one of them with detail.
var (
	// ErrCorruptFrame reports an Opus payload that libopus or the RFC 6716
	// section 3.4 framing rules reject: empty, truncated, or malformed. A
	// receive pipeline counts these and conceals the frame.
	ErrCorruptFrame = errors.New("opus: corrupt frame")

	// ErrFrameSize reports a PCM frame whose length is not a duration the
	// call supports (10, 20, 40 or 60 ms for Encode; a multiple of 2.5 ms
	// for Conceal and DecodeFEC).
	ErrFrameSize = errors.New("opus: invalid frame size")

	// ErrShortBuffer reports an output slice (payload or pcm) too small
	// for the result.
	ErrShortBuffer = errors.New("opus: buffer too small")

	// ErrInvalidConfig reports an encoder or decoder configuration that
	// libopus does not accept.
	ErrInvalidConfig = errors.New("opus: invalid config")

	// ErrCodec reports an unexpected failure inside libopus (internal
	// error, allocation failure, invalid state).
	ErrCodec = errors.New("opus: codec failure")
)

// The per-frame paths return these prebuilt values so that even a flood of
// garbage payloads allocates nothing.
var (
	errEmptyPayload  = fmt.Errorf("%w: empty payload", ErrCorruptFrame)
	errLibInvalid    = fmt.Errorf("%w: libopus rejected the packet", ErrCorruptFrame)
	errEmptyPayloadB = fmt.Errorf("%w: empty payload buffer", ErrShortBuffer)
	errLibShort      = fmt.Errorf("%w: libopus needs a larger output buffer", ErrShortBuffer)
	errPCMShort      = fmt.Errorf("%w: pcm shorter than the decoded span", ErrShortBuffer)
	errLibBadArg     = fmt.Errorf("%w: libopus rejected an argument", ErrFrameSize)
	errEncodeFrame   = fmt.Errorf("%w: encode takes 10, 20, 40 or 60 ms of pcm", ErrFrameSize)
	errConcealFrame  = fmt.Errorf("%w: conceal and fec take a positive multiple of 2.5 ms", ErrFrameSize)
	errLibInternal   = fmt.Errorf("%w: libopus internal error", ErrCodec)
)

// libError maps an error returned by hraban/opus to this package's
// sentinels without allocating. hraban returns libopus codes as a bare
// hraban.Error; anything else is one of its own argument checks, which this
// package's validation makes unreachable.
func libError(err error) error {
	code, ok := err.(hraban.Error)
	if !ok {
		return fmt.Errorf("%w: %w", ErrCodec, err)
	}
	switch code {
	case hraban.ErrInvalidPacket:
		return errLibInvalid
	case hraban.ErrBufferTooSmall:
		return errLibShort
	case hraban.ErrBadArg:
		return errLibBadArg
	default:
		return errLibInternal
	}
}
