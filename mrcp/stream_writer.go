package mrcp

import (
	"io"
	"sync"
)

// Writer writes whole messages to a byte stream such as the TCP control
// connection. It is safe for concurrent use: each WriteMessage marshals
// into a buffer the Writer reuses and hands it to the underlying writer in
// one Write call under a mutex, so messages from channels that share a
// connection never interleave.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	err error // sticky: a failed Write may have sent part of a message
}

// NewWriter returns a Writer over w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w}
}

// WriteMessage validates m and writes it. An invalid message is refused
// with an error wrapping ErrInvalidMessage or ErrVersion, and the Writer
// stays usable. After a write error the stream may hold part of a message,
// so the Writer returns that error from then on: close the connection.
func (w *Writer) WriteMessage(m *Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.buf = m.AppendTo(w.buf[:0])
	n, err := w.w.Write(w.buf)
	if err == nil && n < len(w.buf) {
		err = io.ErrShortWrite
	}
	w.err = err
	return err
}
