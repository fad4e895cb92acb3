package dtmf

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on them with errors.Is.
var (
	// ErrShortPayload reports a telephone-event payload shorter than the
	// 4 bytes of RFC 4733 section 2.3.
	ErrShortPayload = errors.New("dtmf: short payload")

	// ErrShortBuffer reports an output buffer with room for less than one
	// 4-byte payload.
	ErrShortBuffer = errors.New("dtmf: buffer too small")

	// ErrInvalidEvent reports an Event that cannot be encoded: a volume
	// above 63 (RFC 4733 section 2.3.4).
	ErrInvalidEvent = errors.New("dtmf: invalid event")

	// ErrInvalidConfig reports a Sender or Receiver configuration out of
	// range.
	ErrInvalidConfig = errors.New("dtmf: invalid config")

	// ErrBusy reports Sender.Start while a tone is still being sent.
	ErrBusy = errors.New("dtmf: sender busy")

	// ErrIdle reports Sender.Next with no tone to send.
	ErrIdle = errors.New("dtmf: sender idle")
)

// Prebuilt so that the per-packet paths allocate nothing, even on error.
var (
	errShortPayload = fmt.Errorf("%w: telephone-event needs 4 bytes", ErrShortPayload)
	errShortBuffer  = fmt.Errorf("%w: telephone-event needs 4 bytes", ErrShortBuffer)
	errVolume       = fmt.Errorf("%w: volume above 63", ErrInvalidEvent)
)
