package nlsml

import "errors"

// Sentinel errors that callers branch on with errors.Is. Returned errors
// wrap one of them with detail.
var (
	// ErrSyntax means a body is not NLSML: malformed XML, a root element
	// other than <result>, or a confidence that is not a number in range.
	ErrSyntax = errors.New("nlsml: syntax error")

	// ErrTooLarge means a body exceeds MaxSize octets or nests elements
	// deeper than MaxDepth.
	ErrTooLarge = errors.New("nlsml: result too large")

	// ErrInvalid means Marshal was given a Result it cannot write: a
	// confidence outside 0..1, an instance value of another type, or a map
	// key that is not an XML name.
	ErrInvalid = errors.New("nlsml: invalid result")
)
