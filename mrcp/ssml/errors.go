package ssml

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers branch on with errors.Is. Returned errors
// wrap one of them with detail.
var (
	// ErrSyntax means a body is not well-formed SSML: malformed XML, a
	// root other than <speak>, or a DOCTYPE declaring entities. Errors
	// wrapping it are *SyntaxError.
	ErrSyntax = errors.New("ssml: syntax error")

	// ErrUnsupported means a content type other than SSML or plain text.
	ErrUnsupported = errors.New("ssml: unsupported content type")

	// ErrTooLarge means a body exceeds MaxSize octets, nests elements
	// deeper than MaxDepth, or flattens into more than MaxItems items.
	ErrTooLarge = errors.New("ssml: document too large")
)

// SyntaxError is a malformed SSML document, with the position where the
// parser noticed the problem. It wraps ErrSyntax.
type SyntaxError struct {
	// Line and Col are 1-based; Col counts characters.
	Line, Col int
	// Msg says what is wrong.
	Msg string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("ssml: syntax error at line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }
