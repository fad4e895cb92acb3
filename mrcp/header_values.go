package mrcp

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// maxDurationMillis is the largest millisecond count a time.Duration holds.
const maxDurationMillis = math.MaxInt64 / int64(time.Millisecond)

// Duration reads a timer field in milliseconds, such as No-Input-Timeout
// or Speech-Complete-Timeout (RFC 6787 section 9.4; 1*19DIGIT). It returns
// an error wrapping ErrMissingHeader when the field is absent, and one
// wrapping ErrMalformed when the value is not a count of milliseconds that
// a time.Duration can hold.
func (h Header) Duration(name string) (time.Duration, error) {
	v, ok := h.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrMissingHeader, name)
	}
	ms, ok := parseDecimal(v, 19)
	if !ok || ms > uint64(maxDurationMillis) {
		return 0, fmt.Errorf("%w: %s %q: want milliseconds", ErrMalformed, name, clip(v))
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// SetDuration sets a timer field to d in whole milliseconds; a negative d
// is written as 0.
func (h *Header) SetDuration(name string, d time.Duration) {
	h.Set(name, strconv.FormatInt(max(d.Milliseconds(), 0), 10))
}

// Bool reads a field whose value is "true" or "false", such as
// Start-Input-Timers or Kill-On-Barge-In (boolean-value, RFC 6787 section
// 15). Case is ignored. Errors wrap ErrMissingHeader or ErrMalformed.
func (h Header) Bool(name string) (bool, error) {
	v, ok := h.Lookup(name)
	switch {
	case !ok:
		return false, fmt.Errorf("%w: %s", ErrMissingHeader, name)
	case equalFold(v, "true"):
		return true, nil
	case equalFold(v, "false"):
		return false, nil
	}
	return false, fmt.Errorf("%w: %s %q: want true or false", ErrMalformed, name, clip(v))
}

// SetBool sets a field to "true" or "false".
func (h *Header) SetBool(name string, v bool) {
	h.Set(name, strconv.FormatBool(v))
}
