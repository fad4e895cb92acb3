package telephony

import "errors"

// Sentinel errors of calls and the UA.
var (
	// ErrClosed is returned by Serve on a UA that was closed or is
	// already serving.
	ErrClosed = errors.New("telephony: user agent closed")
	// ErrInvalidConfig reports a Config the UA cannot run with.
	ErrInvalidConfig = errors.New("telephony: invalid config")
	// ErrCallEnded is returned by Call methods once the call has ended
	// (hung up, cancelled, rejected).
	ErrCallEnded = errors.New("telephony: call ended")
	// ErrAnswered is returned by Answer or Reject on a call already
	// answered.
	ErrAnswered = errors.New("telephony: call already answered")
	// ErrNoAck is the cause of a call whose 200 OK was never acknowledged
	// (RFC 3261 13.3.1.4): it is ended with BYE.
	ErrNoAck = errors.New("telephony: no ACK for 200 OK")
	// ErrInvalidDial reports DialOptions that name no reachable target:
	// an unknown trunk, a malformed number or URI.
	ErrInvalidDial = errors.New("telephony: invalid dial request")
)
