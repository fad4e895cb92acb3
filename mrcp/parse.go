package mrcp

import (
	"bytes"
	"fmt"
	"math"
	"strings"
)

const (
	maxInt = math.MaxInt

	// maxFramePrefix is the longest "MRCP/99.99 " plus the longest
	// message-length (1*19DIGIT, RFC 6787 section 5.1) and its SP: within
	// this many octets Frame always decides.
	maxFramePrefix = len("MRCP/99.99 ") + 19 + 1
)

var crlf = []byte("\r\n")

// Frame reads the message-length from the start line at the beginning of
// b (RFC 6787 section 5.1: mrcp-version SP message-length SP ...) and
// returns it: the number of octets of the whole message, start line
// included. It needs at most the first 31 octets. It returns ErrNeedMore,
// unwrapped, while b is a proper prefix of a valid "MRCP/x.y n " and an
// error wrapping ErrFraming once b cannot begin a message.
// Frame checks nothing after the message-length.
func Frame(b []byte) (int, error) {
	const magic = "MRCP/"
	for i := range len(magic) {
		if i == len(b) {
			return 0, ErrNeedMore
		}
		if b[i] != magic[i] {
			return 0, errFraming("start line does not begin with %q", magic)
		}
	}
	_, i, err := scanDecimal(b, len(magic), 2, '.', "major version")
	if err != nil {
		return 0, err
	}
	if _, i, err = scanDecimal(b, i, 2, ' ', "minor version"); err != nil {
		return 0, err
	}
	n, i, err := scanDecimal(b, i, 19, ' ', "message-length")
	if err != nil {
		return 0, err
	}
	if n > uint64(maxInt) || int(n) < i+len("X 0\r\n\r\n") {
		return 0, errFraming("message-length %d cannot hold its own start line", n)
	}
	return int(n), nil
}

// scanDecimal reads 1 to maxDigits digits at b[i:] followed by term and
// returns the value and the index after term.
func scanDecimal(b []byte, i, maxDigits int, term byte, what string) (uint64, int, error) {
	start := i
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c == term && i > start {
			return v, i + 1, nil
		}
		if c < '0' || c > '9' || i-start == maxDigits {
			return 0, 0, errFraming("%s: want 1 to %d digits and %q", what, maxDigits, term)
		}
		v = v*10 + uint64(c-'0')
	}
	return 0, 0, ErrNeedMore
}

// Parse parses b, which must hold exactly one message, into a new
// Message; see Message.Unmarshal.
func Parse(b []byte) (*Message, error) {
	m := new(Message)
	if err := m.Unmarshal(b); err != nil {
		return nil, err
	}
	return m, nil
}

// Unmarshal parses b, which must hold exactly one whole message, into m,
// reusing m's Header and Body storage. m keeps no reference to b.
//
// Checking is strict: lines end in CRLF; the start line is one of the
// three of RFC 6787 section 5 with single spaces, version MRCP/2.0, a
// request-id that fits 32 bits and, for a response, a 3-digit status;
// field names are tokens and values hold no control characters but HT
// (section 6.2; folded values are joined); Channel-Identifier is present
// once and valid (section 6.2.1); Content-Length, if present, appears once
// and equals the body's length, and a body needs one (section 6.2.11).
//
// When b is a request whose request-id could be read, a failure later on
// is a *StatusError with the status to answer. On error m's contents are
// unspecified.
func (m *Message) Unmarshal(b []byte) error {
	n, err := Frame(b)
	switch {
	case err == ErrNeedMore:
		return fmt.Errorf("%w: %d octets end inside the start line", ErrMalformed, len(b))
	case err != nil:
		return err
	case n != len(b):
		return fmt.Errorf("%w: message-length is %d, the buffer holds %d octets", ErrLengthMismatch, n, len(b))
	}
	lineEnd := bytes.Index(b, crlf)
	if lineEnd < 0 {
		return fmt.Errorf("%w: start line does not end in CRLF", ErrMalformed)
	}
	k := bytes.Index(b[lineEnd:], []byte("\r\n\r\n"))
	if k < 0 {
		return fmt.Errorf("%w: header section does not end in an empty line", ErrMalformed)
	}
	headEnd := lineEnd + k + 2 // past the CRLF of the last header line
	// One string for the start line and the header lines: names and values
	// are substrings of it, so parsing allocates once.
	head := string(b[:headEnd])
	body := b[headEnd+2:]

	fields := head[lineEnd+2:]
	if lines := strings.Count(fields, "\r\n"); cap(m.Header) < lines {
		m.Header = make(Header, 0, lines)
	}
	m.Header = m.Header[:0]
	if err := m.parseStartLine(head[:lineEnd]); err != nil {
		return err
	}
	if m.Version != Version2 {
		return m.refuse(StatusVersionNotSupported, fmt.Errorf("%w: %s", ErrVersion, m.Version), fields)
	}
	if err := m.parseHeader(fields); err != nil {
		return m.refuse(StatusIllegalHeaderValue, err, fields)
	}
	if code, err := m.checkHeader(len(body)); err != nil {
		return m.refuse(code, err, fields)
	}
	m.Body = append(m.Body[:0], body...)
	return nil
}

// refuse turns err into a *StatusError when m is a request.
func (m *Message) refuse(code StatusCode, err error, fields string) error {
	if m.Kind != KindRequest {
		return err
	}
	return &StatusError{Code: code, RequestID: m.RequestID, Channel: findChannel(fields), Err: err}
}

// parseStartLine parses request-line, response-line or event-line (RFC
// 6787 sections 5.2, 5.3, 5.5). Frame has checked the first two tokens.
func (m *Message) parseStartLine(line string) error {
	var tok [5]string
	n := 0
	for {
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			break
		}
		if n == len(tok)-1 {
			return fmt.Errorf("%w: start line has more than %d fields", ErrMalformed, len(tok))
		}
		tok[n], line = line[:i], line[i+1:]
		n++
	}
	tok[n] = line
	n++
	for i := range n {
		if tok[i] == "" {
			return fmt.Errorf("%w: start line fields must be separated by one SP", ErrMalformed)
		}
	}
	major, minor, _ := strings.Cut(strings.TrimPrefix(tok[0], "MRCP/"), ".")
	maj, _ := parseDecimal(major, 2)
	mnr, _ := parseDecimal(minor, 2)
	m.Version = Version(maj<<8 | mnr)

	var ok bool
	switch {
	case n == 4:
		m.Kind = KindRequest
		m.Method = Method(tok[2])
		if !validName(tok[2]) {
			return fmt.Errorf("%w: method-name %q", ErrMalformed, clip(tok[2]))
		}
		if m.RequestID, ok = parseRequestID(tok[3]); !ok {
			return fmt.Errorf("%w: request-id %q", ErrMalformed, clip(tok[3]))
		}
	case n == 5 && isDigits(tok[2]):
		m.Kind = KindResponse
		if m.RequestID, ok = parseRequestID(tok[2]); !ok {
			return fmt.Errorf("%w: request-id %q", ErrMalformed, clip(tok[2]))
		}
		code, ok := parseDecimal(tok[3], 3)
		if !ok || len(tok[3]) != 3 {
			return fmt.Errorf("%w: status-code %q: want 3 digits", ErrMalformed, clip(tok[3]))
		}
		m.Status = StatusCode(code)
		if m.State, ok = parseRequestState(tok[4]); !ok {
			return fmt.Errorf("%w: request-state %q", ErrMalformed, clip(tok[4]))
		}
	case n == 5:
		m.Kind = KindEvent
		m.Event = Event(tok[2])
		if !validName(tok[2]) {
			return fmt.Errorf("%w: event-name %q", ErrMalformed, clip(tok[2]))
		}
		if m.RequestID, ok = parseRequestID(tok[3]); !ok {
			return fmt.Errorf("%w: request-id %q", ErrMalformed, clip(tok[3]))
		}
		if m.State, ok = parseRequestState(tok[4]); !ok {
			return fmt.Errorf("%w: request-state %q", ErrMalformed, clip(tok[4]))
		}
	default:
		return fmt.Errorf("%w: start line has %d fields, want 4 or 5", ErrMalformed, n)
	}
	return nil
}

// parseHeader parses header lines, each ending in CRLF, into m.Header
// (RFC 6787 section 6.2: field-name ":" [ field-value ], values folded
// with CRLF 1*LWS).
func (m *Message) parseHeader(s string) error {
	for len(s) > 0 {
		i := strings.Index(s, "\r\n")
		line := s[:i]
		s = s[i+2:]
		if line[0] == ' ' || line[0] == '\t' {
			if len(m.Header) == 0 {
				return fmt.Errorf("%w: continuation line before the first header field", ErrMalformed)
			}
			part := trimLWS(line)
			if !validText(part) {
				return fmt.Errorf("%w: control character in a value of %s", ErrMalformed, clip(m.Header[len(m.Header)-1].Name))
			}
			if f := &m.Header[len(m.Header)-1]; part != "" {
				if f.Value == "" {
					f.Value = part
				} else {
					f.Value = f.Value + " " + part
				}
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("%w: header line %q has no colon", ErrMalformed, clip(line))
		}
		if !validToken(name) {
			return fmt.Errorf("%w: field-name %q", ErrMalformed, clip(name))
		}
		value = trimLWS(value)
		if !validText(value) {
			return fmt.Errorf("%w: control character in the value of %s", ErrMalformed, clip(name))
		}
		m.Header = append(m.Header, HeaderField{Name: name, Value: value})
	}
	return nil
}

// checkHeader checks the fields that framing and routing rely on and
// returns the status code a refused request gets.
func (m *Message) checkHeader(bodyLen int) (StatusCode, error) {
	switch m.Header.count(HeaderChannelIdentifier) {
	case 0:
		return StatusMandatoryHeaderMissing, fmt.Errorf("%w: %s", ErrMissingHeader, HeaderChannelIdentifier)
	case 1:
		if _, err := m.Channel(); err != nil {
			return StatusIllegalHeaderValue, err
		}
	default:
		return StatusIllegalHeaderValue, fmt.Errorf("%w: %s appears more than once", ErrMalformed, HeaderChannelIdentifier)
	}
	length := 0 // RFC 6787 section 6.2.11: missing means zero
	switch m.Header.count(HeaderContentLength) {
	case 0:
	case 1:
		n, err := m.ContentLength()
		if err != nil {
			return StatusIllegalHeaderValue, err
		}
		length = n
	default:
		return StatusIllegalHeaderValue, fmt.Errorf("%w: %s appears more than once", ErrMalformed, HeaderContentLength)
	}
	if length != bodyLen {
		return StatusIllegalHeaderValue, fmt.Errorf("%w: Content-Length is %d, the message-length leaves %d octets of body", ErrLengthMismatch, length, bodyLen)
	}
	return 0, nil
}

// findChannel returns the first valid Channel-Identifier among the
// complete header lines of s, or "". It serves error paths, where the
// header may not have parsed.
func findChannel(s string) ChannelID {
	for {
		i := strings.Index(s, "\r\n")
		if i <= 0 {
			return ""
		}
		line := s[:i]
		s = s[i+2:]
		if name, value, ok := strings.Cut(line, ":"); ok && equalFold(name, HeaderChannelIdentifier) {
			if c, err := ParseChannelID(trimLWS(value)); err == nil {
				return c
			}
		}
	}
}

// parseDecimal parses 1 to maxDigits ASCII digits; leading zeros are
// allowed, as RFC 6787 section 5.1 says of all lengths.
func parseDecimal(s string, maxDigits int) (uint64, bool) {
	if s == "" || len(s) > maxDigits {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// parseRequestID parses request-id = 1*10DIGIT within 32 bits (RFC 6787
// section 5.2).
func parseRequestID(s string) (RequestID, bool) {
	v, ok := parseDecimal(s, 10)
	if !ok || v > math.MaxUint32 {
		return 0, false
	}
	return RequestID(v), true
}

func isDigits(s string) bool {
	_, ok := parseDecimal(s, len(s))
	return ok
}

// validName reports whether s can be a method-name or event-name: a
// letter, then letters, digits, '-' or '_'.
func validName(s string) bool {
	if s == "" || !('A' <= s[0] && s[0] <= 'Z' || 'a' <= s[0] && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// tokenChars marks the octets of a token: CHAR except CTLs and separators
// (RFC 6787 section 15, after RFC 2616 section 2.2).
var tokenChars = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`()<>@,;:\"/[]?={}`, rune(c))
	}
	return t
}()

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// validText reports whether s holds no control characters but HT. Octets
// above 0x7f (UTF-8) are allowed.
func validText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// trimLWS removes leading and trailing spaces and tabs.
func trimLWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
