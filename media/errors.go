package media

import "errors"

// Sentinel errors that callers branch on. Errors returned by this package
// wrap one of them with detail: fmt.Errorf("%w: ...", ErrX).
var (
	// ErrClosed is returned by operations on a Session after Close.
	ErrClosed = errors.New("media: session closed")

	// ErrStarted is returned when Start is called on a Session that was
	// already started.
	ErrStarted = errors.New("media: session already started")

	// ErrInvalidConfig is returned by NewSession and NewPortAllocator for a
	// configuration they cannot run with.
	ErrInvalidConfig = errors.New("media: invalid config")

	// ErrNoRemote is returned when sending before any remote address is
	// known (none configured, none latched yet).
	ErrNoRemote = errors.New("media: no remote address")

	// ErrUnknownPayloadType is returned when sending with a payload type
	// that is not in the session's PayloadMap.
	ErrUnknownPayloadType = errors.New("media: unknown payload type")

	// ErrInvalidPayloadType is returned for a payload type outside 0..127,
	// a payload type mapped twice, or one that RTP/RTCP multiplexing
	// forbids (RFC 5761 section 4: 64..95).
	ErrInvalidPayloadType = errors.New("media: invalid payload type")

	// ErrUnknownCodec is returned by NewCodec for an encoding name, clock
	// rate or channel count that Parley does not support.
	ErrUnknownCodec = errors.New("media: unknown codec")

	// ErrPayloadTooLarge is returned when an RTP payload does not fit in
	// one packet of MaxPacketSize bytes.
	ErrPayloadTooLarge = errors.New("media: payload too large")

	// ErrMalformedRTCP reports an RTCP compound packet that fails the
	// validity checks of RFC 3550 Appendix A.2 or cannot be parsed.
	ErrMalformedRTCP = errors.New("media: malformed rtcp")

	// ErrPortsExhausted is returned by PortAllocator.Allocate when no
	// even/odd port pair in its range can be bound.
	ErrPortsExhausted = errors.New("media: rtp ports exhausted")
)
