package baresiptest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxNetstring caps the length of one ctrl_tcp message.
const MaxNetstring = 1 << 20

// ErrNetstring is wrapped by ReadNetstring for malformed input.
var ErrNetstring = errors.New("baresiptest: bad netstring")

// ReadNetstring reads one netstring ("<len>:<bytes>,", the framing of
// baresip's ctrl_tcp) and returns its bytes. io.EOF means the stream
// ended between messages.
func ReadNetstring(r *bufio.Reader) ([]byte, error) {
	n := 0
	for digits := 0; ; digits++ {
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF && digits > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if c == ':' && digits > 0 {
			break
		}
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("%w: %q in length", ErrNetstring, c)
		}
		if n = n*10 + int(c-'0'); n > MaxNetstring {
			return nil, fmt.Errorf("%w: longer than %d bytes", ErrNetstring, MaxNetstring)
		}
	}
	b := make([]byte, n+1)
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("netstring body: %w", err)
	}
	if b[n] != ',' {
		return nil, fmt.Errorf("%w: %q after %d bytes, want ','", ErrNetstring, b[n], n)
	}
	return b[:n], nil
}

// AppendNetstring appends b framed as a netstring to dst.
func AppendNetstring(dst, b []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, ':')
	dst = append(dst, b...)
	return append(dst, ',')
}
