package charset

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Reader is an encoding/xml CharsetReader: UTF-8 passes through,
// US-ASCII and ISO-8859-1 (Latin-1) are converted to UTF-8, anything else
// is an error.
func Reader(name string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(name) {
	case "utf-8", "utf8":
		return in, nil
	case "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		return bytes.NewReader(Latin1ToUTF8(b)), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", name)
}

// Latin1ToUTF8 converts ISO-8859-1, whose bytes are the first 256 code
// points, to UTF-8.
func Latin1ToUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
