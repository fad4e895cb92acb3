package srgs

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers branch on with errors.Is. Every error this
// package returns wraps one of them.
var (
	// ErrSyntax means a grammar breaks the SRGS 1.0 syntax (XML form,
	// section 4, or ABNF form, section 5) or refers to a rule it does not
	// define. The error is a *SyntaxError that says where.
	ErrSyntax = errors.New("srgs: syntax error")

	// ErrUnsupported means a grammar is valid SRGS but uses a feature this
	// package does not implement (an external rule reference, a content
	// type other than SRGS, left recursion, an unknown builtin), or that a
	// rendering (JSGF) cannot express the grammar.
	ErrUnsupported = errors.New("srgs: unsupported")

	// ErrTooComplex means a grammar exceeds one of the hard limits (body
	// size, nesting depth, number of rules or nodes, repeat bound,
	// expansion size) that keep hostile grammars from using unbounded
	// memory or time.
	ErrTooComplex = errors.New("srgs: grammar too complex")

	// ErrEmpty means a grammar can match nothing at all, typically because
	// its root rule depends on $VOID (SRGS section 2.2.3). Recognizers
	// cannot use such a grammar.
	ErrEmpty = errors.New("srgs: grammar matches nothing")
)

// SyntaxError is a syntax error at a position in a grammar body. It wraps
// ErrSyntax. Line and Col count from 1; Col counts bytes of the line (the
// XML form counts as encoding/xml does). Either is 0 when unknown.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

// Error returns "srgs: syntax error at line:col: msg".
func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%v: %s", ErrSyntax, e.Msg)
	}
	return fmt.Sprintf("%v at %d:%d: %s", ErrSyntax, e.Line, e.Col, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

func syntaxErr(line, col int, format string, args ...any) error {
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}
