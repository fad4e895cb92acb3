package jitter

import "errors"

// Sentinel errors. Push returns the packet-level ones unwrapped, so that
// the hot path does not allocate.
var (
	// ErrConfig reports an invalid Config.
	ErrConfig = errors.New("jitter: invalid config")
	// ErrEmptyPayload reports a packet without payload: it carries no
	// frame and is not buffered.
	ErrEmptyPayload = errors.New("jitter: empty payload")
	// ErrPayloadTooLarge reports a payload larger than Config.MaxPayload.
	ErrPayloadTooLarge = errors.New("jitter: payload too large")
	// ErrDuplicate reports a packet already buffered or already played.
	ErrDuplicate = errors.New("jitter: duplicate packet")
	// ErrLate reports a packet that arrived after its playout time.
	ErrLate = errors.New("jitter: late packet")
	// ErrSequenceJump reports a packet whose sequence number jumped too far
	// from the stream's; it is dropped unless the next packet confirms the
	// jump (RFC 3550 A.1).
	ErrSequenceJump = errors.New("jitter: sequence number jump")
	// ErrShortBuffer reports an output buffer too small for the packet
	// due; the packet stays buffered.
	ErrShortBuffer = errors.New("jitter: output buffer too small")
)
