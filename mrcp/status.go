package mrcp

import "strconv"

// StatusCode is the status-code of a response (RFC 6787 section 5.4):
// three digits, 2xx for success, 4xx for client failures, 5xx for server
// failures.
type StatusCode uint16

// Status codes of RFC 6787 section 5.4. Codes 411-420 and 503 are
// reserved there.
const (
	// StatusSuccess: success.
	StatusSuccess StatusCode = 200
	// StatusSuccessWithIgnored: success with some optional header fields
	// ignored.
	StatusSuccessWithIgnored StatusCode = 201

	// StatusMethodNotAllowed: method not allowed.
	StatusMethodNotAllowed StatusCode = 401
	// StatusMethodNotValidInState: method not valid in this state.
	StatusMethodNotValidInState StatusCode = 402
	// StatusUnsupportedHeader: unsupported header field.
	StatusUnsupportedHeader StatusCode = 403
	// StatusIllegalHeaderValue: illegal value for header field; the RFC
	// names it the error for a syntax violation.
	StatusIllegalHeaderValue StatusCode = 404
	// StatusResourceNotAllocated: resource not allocated for this session
	// or does not exist.
	StatusResourceNotAllocated StatusCode = 405
	// StatusMandatoryHeaderMissing: mandatory header field missing.
	StatusMandatoryHeaderMissing StatusCode = 406
	// StatusMethodFailed: method or operation failed, e.g. grammar
	// compilation; a resource-specific header may carry the cause.
	StatusMethodFailed StatusCode = 407
	// StatusUnrecognizedEntity: unrecognized or unsupported message
	// entity.
	StatusUnrecognizedEntity StatusCode = 408
	// StatusUnsupportedHeaderValue: a header value that is syntactically
	// legal but exceeds the implementation's capabilities.
	StatusUnsupportedHeaderValue StatusCode = 409
	// StatusOutOfOrder: non-monotonic or out-of-order request-id (RFC
	// 6787 section 5.2).
	StatusOutOfOrder StatusCode = 410

	// StatusServerInternalError: server internal error.
	StatusServerInternalError StatusCode = 501
	// StatusVersionNotSupported: protocol version not supported.
	StatusVersionNotSupported StatusCode = 502
	// StatusMessageTooLarge: message too large.
	StatusMessageTooLarge StatusCode = 504
)

// Text returns the meaning RFC 6787 section 5.4 gives the code, or the
// name of its class for a code the RFC does not define.
func (c StatusCode) Text() string {
	switch c {
	case StatusSuccess:
		return "Success"
	case StatusSuccessWithIgnored:
		return "Success with some optional header fields ignored"
	case StatusMethodNotAllowed:
		return "Method not allowed"
	case StatusMethodNotValidInState:
		return "Method not valid in this state"
	case StatusUnsupportedHeader:
		return "Unsupported header field"
	case StatusIllegalHeaderValue:
		return "Illegal value for header field"
	case StatusResourceNotAllocated:
		return "Resource not allocated for this session or does not exist"
	case StatusMandatoryHeaderMissing:
		return "Mandatory header field missing"
	case StatusMethodFailed:
		return "Method or operation failed"
	case StatusUnrecognizedEntity:
		return "Unrecognized or unsupported message entity"
	case StatusUnsupportedHeaderValue:
		return "Unsupported header field value"
	case StatusOutOfOrder:
		return "Non-monotonic or out-of-order sequence number in request"
	case StatusServerInternalError:
		return "Server internal error"
	case StatusVersionNotSupported:
		return "Protocol version not supported"
	case StatusMessageTooLarge:
		return "Message too large"
	}
	switch {
	case c.Success():
		return "Success"
	case c.ClientFailure():
		return "Client failure"
	case c.ServerFailure():
		return "Server failure"
	}
	return "Unknown status"
}

// String returns the code and its meaning, e.g. "404 Illegal value for
// header field".
func (c StatusCode) String() string {
	return strconv.Itoa(int(c)) + " " + c.Text()
}

// Success reports whether c is a 2xx code.
func (c StatusCode) Success() bool { return c >= 200 && c <= 299 }

// ClientFailure reports whether c is a 4xx code.
func (c StatusCode) ClientFailure() bool { return c >= 400 && c <= 499 }

// ServerFailure reports whether c is a 5xx code.
func (c StatusCode) ServerFailure() bool { return c >= 500 && c <= 599 }
