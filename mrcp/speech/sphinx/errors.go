package sphinx

import "errors"

// Errors of this package. Errors that the speech server maps to a
// completion cause wrap the sentinels of package speech instead
// (speech.ErrGrammar, speech.ErrLanguage, speech.ErrEngine).
var (
	// ErrClosed means the Engine was closed.
	ErrClosed = errors.New("sphinx: engine closed")
	// ErrModel means the acoustic model, dictionary or language model
	// files are missing or unreadable.
	ErrModel = errors.New("sphinx: model not usable")
	// ErrStreamDone means Write or End was called after End or Close.
	ErrStreamDone = errors.New("sphinx: stream already ended")
	// ErrTooLong means an utterance exceeded Config.MaxUtterance.
	ErrTooLong = errors.New("sphinx: utterance too long")
)
