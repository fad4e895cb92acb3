package mrcp

import (
	"bytes"
	"fmt"
	"slices"
)

// sameMessage reports how a and b differ, or "" when they are the same
// message. A nil and an empty body are the same.
func sameMessage(a, b *Message) string {
	switch {
	case a.Kind != b.Kind:
		return fmt.Sprintf("kind %s != %s", a.Kind, b.Kind)
	case a.Version != b.Version:
		return fmt.Sprintf("version %s != %s", a.Version, b.Version)
	case a.String() != b.String():
		return fmt.Sprintf("start line %q != %q", a, b)
	case !slices.Equal(a.Header, b.Header):
		return fmt.Sprintf("header %q != %q", a.Header, b.Header)
	case !bytes.Equal(a.Body, b.Body):
		return fmt.Sprintf("body %q != %q", a.Body, b.Body)
	}
	return ""
}

// wire builds a message from lines joined by CRLF, with body appended
// after the empty line, and sets the message-length: "%d" in the first
// line is replaced by the length of the result.
func wire(body string, lines ...string) []byte {
	rest := 0
	for _, l := range lines {
		rest += len(l) + 2
	}
	rest += 2 + len(body) - len("%d")
	n := messageLength(rest)
	var b bytes.Buffer
	for i, l := range lines {
		if i == 0 {
			l = fmt.Sprintf(l, n)
		}
		b.WriteString(l + "\r\n")
	}
	b.WriteString("\r\n" + body)
	return b.Bytes()
}
