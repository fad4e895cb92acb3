package mrcp

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers branch on. Errors returned by this package
// wrap one of them with detail; match them with errors.Is.
var (
	// ErrNeedMore means a buffer holds only the start of a start line:
	// read more octets and call again. Frame returns it unwrapped.
	ErrNeedMore = errors.New("mrcp: incomplete start line")

	// ErrMalformed means a message breaks the syntax of RFC 6787 sections
	// 5 and 6: its start line, a header field, or a header value this
	// package checks (Content-Length, Channel-Identifier).
	ErrMalformed = errors.New("mrcp: malformed message")

	// ErrFraming means the octets cannot begin a message: they do not
	// start with "MRCP/x.y message-length " (RFC 6787 section 5.1), so the
	// end of the message cannot be known. Errors that wrap ErrFraming wrap
	// ErrMalformed as well. A stream that returns it has lost its place
	// and must be closed.
	ErrFraming = errors.New("mrcp: stream out of sync")

	// ErrVersion means a message carries a protocol version other than
	// MRCP/2.0.
	ErrVersion = errors.New("mrcp: unsupported protocol version")

	// ErrMessageTooLarge means a message-length exceeds the Reader's
	// MaxMessageSize.
	ErrMessageTooLarge = errors.New("mrcp: message too large")

	// ErrLengthMismatch means a length disagrees with the octets: the
	// message-length with the buffer given to Parse, or Content-Length
	// with the body that the message-length leaves.
	ErrLengthMismatch = errors.New("mrcp: length mismatch")

	// ErrMissingHeader means a header field is absent: returned by the
	// typed accessors, and by Parse for a message without the
	// Channel-Identifier that RFC 6787 section 6.2.1 requires.
	ErrMissingHeader = errors.New("mrcp: missing header field")

	// ErrInvalidMessage means a Message cannot be marshalled as it is:
	// Validate found a bad name, value, kind or state.
	ErrInvalidMessage = errors.New("mrcp: invalid message")
)

// StatusError is a request that was framed correctly but cannot be
// accepted. Code is the status the server answers with (RFC 6787 section
// 5.4): 404 for a syntax violation in a header field, 406 when
// Channel-Identifier is missing, 502 for another protocol version, 504 for
// a message over the size limit. Response builds that answer.
type StatusError struct {
	// Code is the status code to answer with.
	Code StatusCode
	// RequestID is the request-id from the request's start line.
	RequestID RequestID
	// Channel is the request's Channel-Identifier, or "" when it was
	// missing, malformed or not read.
	Channel ChannelID
	// Err is the underlying error; it wraps one of the sentinels.
	Err error
}

// Error describes the refused request.
func (e *StatusError) Error() string {
	return fmt.Sprintf("request %d refused with %s: %v", e.RequestID, e.Code, e.Err)
}

// Unwrap returns the underlying error.
func (e *StatusError) Unwrap() error { return e.Err }

// Response returns the response a server sends for the refused request:
// the status code with request-state COMPLETE, and the Channel-Identifier
// when it is known.
func (e *StatusError) Response() *Message {
	m := &Message{Kind: KindResponse, Version: Version2, RequestID: e.RequestID, Status: e.Code, State: StateComplete}
	if e.Channel != "" {
		m.SetChannel(e.Channel)
	}
	return m
}

// framingError is an ErrFraming that also matches ErrMalformed.
type framingError struct{ detail string }

func (e *framingError) Error() string { return ErrFraming.Error() + ": " + e.detail }

func (e *framingError) Is(target error) bool { return target == ErrFraming || target == ErrMalformed }

func errFraming(format string, args ...any) error {
	return &framingError{detail: fmt.Sprintf(format, args...)}
}

// clip shortens peer-supplied text quoted in error messages.
func clip(s string) string {
	const limit = 40
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
