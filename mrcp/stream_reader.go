package mrcp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxMessageSize is the Reader's message size limit when its
// ReaderConfig leaves MaxMessageSize at zero: 1 MiB, room for large SSML
// and grammar bodies.
const DefaultMaxMessageSize = 1 << 20

const (
	// minBufferSize is the Reader's first buffer.
	minBufferSize = 4 << 10
	// skipLookahead is how much of a message it skips for being too large
	// the Reader reads before deciding, to find the request-id and the
	// Channel-Identifier for the refusal.
	skipLookahead = 1 << 10
	// maxEmptyReads is how many (0, nil) reads in a row the Reader takes
	// before it gives up with io.ErrNoProgress, as bufio does.
	maxEmptyReads = 100
)

// ReaderConfig configures a Reader. The zero value means defaults.
type ReaderConfig struct {
	// MaxMessageSize caps the message-length of a message the Reader
	// buffers; the buffer never grows past it. Larger messages are read
	// past without being kept and reported with ErrMessageTooLarge.
	// Zero means DefaultMaxMessageSize.
	MaxMessageSize int
}

// Reader reads messages from a byte stream such as the TCP control
// connection (RFC 6787 section 4). It learns each message's length from
// the first octets of its start line (see Frame), checks it against
// MaxMessageSize before buffering, then reads exactly that many octets,
// however the stream splits or joins messages across reads. Octets read
// past the end of one message are kept for the next.
//
// A Reader belongs to one goroutine.
type Reader struct {
	rd   io.Reader
	max  int
	buf  []byte
	r, w int   // buf[r:w] holds octets read but not consumed
	err  error // sticky: the stream cannot go on
	next error // error that came with the last octets read, reported once they are used
}

// NewReader returns a Reader over rd.
func NewReader(rd io.Reader, cfg ReaderConfig) *Reader {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	return &Reader{rd: rd, max: cfg.MaxMessageSize}
}

// ReadMessage reads the next message into m, reusing m's Header and Body
// storage (see Message.Unmarshal). The Body's backing array is reused by
// the next ReadMessage into the same m, so copy it to keep it longer;
// header names and values may be kept.
//
// Errors are of two kinds. Those from Unmarshal, such as a *StatusError,
// and ErrMessageTooLarge mean the bad message was consumed whole: answer
// it if it was a request and call ReadMessage again. An error wrapping
// ErrFraming, io.EOF (the stream ended between messages),
// io.ErrUnexpectedEOF (it ended inside one) or any other error from the
// underlying reader is final: the Reader returns it from then on.
func (r *Reader) ReadMessage(m *Message) error {
	if r.err != nil {
		return r.err
	}
	n, err := r.frame()
	if err != nil {
		r.err = err
		return err
	}
	if n > r.max {
		return r.skip(n)
	}
	if err := r.fill(n); err != nil {
		r.err = err
		return err
	}
	msg := r.buf[r.r : r.r+n]
	r.r += n
	return m.Unmarshal(msg)
}

// frame reads until the buffered octets show the next message-length.
func (r *Reader) frame() (int, error) {
	for {
		n, err := Frame(r.buf[r.r:r.w])
		if err != ErrNeedMore {
			return n, err
		}
		if err := r.readMore(maxFramePrefix); err != nil {
			if err == io.EOF && r.r < r.w {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
}

// fill reads until n octets are buffered.
func (r *Reader) fill(n int) error {
	for r.w-r.r < n {
		if err := r.readMore(n); err != nil {
			return eofInside(err)
		}
	}
	return nil
}

// skip consumes a message of n octets that exceeds the size limit without
// keeping it. When the first skipLookahead octets show a request, the
// result is a StatusError with its request-id and, if one of those
// complete lines holds it, its Channel-Identifier.
func (r *Reader) skip(n int) error {
	refusal := fmt.Errorf("%w: message-length %d exceeds %d", ErrMessageTooLarge, n, r.max)
	look := min(n, skipLookahead)
	if err := r.fill(look); err != nil {
		r.err = err
		return err
	}
	seen := r.buf[r.r : r.r+look]
	if i := bytes.Index(seen, crlf); i >= 0 {
		var start Message
		if start.parseStartLine(string(seen[:i])) == nil && start.Kind == KindRequest {
			refusal = &StatusError{Code: StatusMessageTooLarge, RequestID: start.RequestID,
				Channel: findChannel(string(seen[i+2:])), Err: refusal}
		}
	}
	for n > 0 {
		if r.r == r.w {
			r.r, r.w = 0, 0
			if err := r.readMore(1); err != nil {
				r.err = eofInside(err)
				return r.err
			}
		}
		k := min(n, r.w-r.r)
		r.r += k
		n -= k
	}
	return refusal
}

// readMore reads once into the buffer, after making room for need octets
// from r.r. It returns nil when at least one octet arrived.
func (r *Reader) readMore(need int) error {
	if r.next != nil {
		err := r.next
		r.next = nil
		return err
	}
	r.makeRoom(need)
	for range maxEmptyReads {
		k, err := r.rd.Read(r.buf[r.w:])
		if k < 0 || k > len(r.buf)-r.w {
			return fmt.Errorf("mrcp: reader returned %d octets for a %d-octet buffer", k, len(r.buf)-r.w)
		}
		r.w += k
		if k > 0 {
			r.next = err
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// makeRoom ensures the buffer can hold need octets from r.r, with at
// least one octet free to read into, moving or growing it.
func (r *Reader) makeRoom(need int) {
	need = max(need, r.w-r.r+1)
	if len(r.buf)-r.r >= need && r.w < len(r.buf) {
		return
	}
	if len(r.buf) >= need {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
		return
	}
	size := max(need, minBufferSize, min(2*len(r.buf), r.max))
	buf := make([]byte, size)
	r.w = copy(buf, r.buf[r.r:r.w])
	r.r = 0
	r.buf = buf
}

// eofInside reports the stream ending inside a message.
func eofInside(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Buffered returns how many octets have been read from the stream but not
// yet consumed: more than zero between ReadMessage calls means a message
// has begun to arrive.
func (r *Reader) Buffered() int { return r.w - r.r }
