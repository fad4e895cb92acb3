package mrcp

import (
	"fmt"
	"slices"
	"strconv"
)

// Validate reports whether m can be marshalled into a message that Parse
// accepts. It does not require a Channel-Identifier, so that the response
// to a request that had none can be sent (StatusError.Response); RFC 6787
// section 6.2.1 requires one in every other message, and Parse does.
// Errors wrap ErrInvalidMessage or ErrVersion.
func (m *Message) Validate() error {
	if m.Version != 0 && m.Version != Version2 {
		return fmt.Errorf("%w: %s", ErrVersion, m.Version)
	}
	switch m.Kind {
	case KindRequest:
		if !validName(string(m.Method)) {
			return fmt.Errorf("%w: method-name %q", ErrInvalidMessage, clip(string(m.Method)))
		}
	case KindResponse:
		if m.Status > 999 {
			return fmt.Errorf("%w: status-code %d has more than 3 digits", ErrInvalidMessage, m.Status)
		}
		if !m.State.valid() {
			return fmt.Errorf("%w: %s", ErrInvalidMessage, m.State)
		}
	case KindEvent:
		if !validName(string(m.Event)) {
			return fmt.Errorf("%w: event-name %q", ErrInvalidMessage, clip(string(m.Event)))
		}
		if !m.State.valid() {
			return fmt.Errorf("%w: %s", ErrInvalidMessage, m.State)
		}
	default:
		return fmt.Errorf("%w: %s", ErrInvalidMessage, m.Kind)
	}
	for _, f := range m.Header {
		if !validToken(f.Name) {
			return fmt.Errorf("%w: field-name %q", ErrInvalidMessage, clip(f.Name))
		}
		if !validText(f.Value) || trimLWS(f.Value) != f.Value {
			return fmt.Errorf("%w: value of %s has a control character or surrounding whitespace", ErrInvalidMessage, clip(f.Name))
		}
	}
	switch m.Header.count(HeaderChannelIdentifier) {
	case 0:
	case 1:
		if _, err := m.Channel(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidMessage, err)
		}
	default:
		return fmt.Errorf("%w: %s appears more than once", ErrInvalidMessage, HeaderChannelIdentifier)
	}
	if m.Header.count(HeaderContentLength) > 1 {
		return fmt.Errorf("%w: %s appears more than once", ErrInvalidMessage, HeaderContentLength)
	}
	return nil
}

// Marshal validates m and returns it in wire form.
func (m *Message) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m.AppendTo(nil), nil
}

// AppendTo appends m in wire form to b and returns the extended slice; it
// does not allocate when b has room, and grows b at most once. m must pass
// Validate, which AppendTo does not call.
//
// Header fields are written as "Name: Value" (or "Name:" for an empty
// value) in order. Content-Length is written from len(m.Body): a field
// that already holds that number keeps its text, any other value is
// replaced, and a body without the field gets one at the end. The
// message-length counts the whole message including its own digits (RFC
// 6787 section 5.1), found as the fixed point n = rest + digits(n).
func (m *Message) AppendTo(b []byte) []byte {
	v := m.Version
	if v == 0 {
		v = Version2
	}
	rest := len("MRCP/") + decimalLen(uint64(v.Major())) + 1 + decimalLen(uint64(v.Minor())) + 2 + m.tailLen() + 2
	hasLength := false
	for _, f := range m.Header {
		rest += m.fieldLen(f)
		hasLength = hasLength || equalFold(f.Name, HeaderContentLength)
	}
	if !hasLength && len(m.Body) > 0 {
		rest += len(HeaderContentLength) + 2 + decimalLen(uint64(len(m.Body))) + 2
	}
	rest += 2 + len(m.Body)
	n := messageLength(rest)

	b = slices.Grow(b, n)
	b = append(b, "MRCP/"...)
	b = strconv.AppendUint(b, uint64(v.Major()), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(v.Minor()), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(n), 10)
	b = append(b, ' ')
	b = m.appendTail(b)
	b = append(b, '\r', '\n')
	for _, f := range m.Header {
		b = m.appendField(b, f)
	}
	if !hasLength && len(m.Body) > 0 {
		b = append(b, HeaderContentLength...)
		b = append(b, ':', ' ')
		b = strconv.AppendUint(b, uint64(len(m.Body)), 10)
		b = append(b, '\r', '\n')
	}
	b = append(b, '\r', '\n')
	return append(b, m.Body...)
}

// messageLength solves n = rest + decimalLen(n). Raising n by one digit
// moves it by at most one, so the loop ends after two or three rounds.
func messageLength(rest int) int {
	n := rest + decimalLen(uint64(rest))
	for {
		next := rest + decimalLen(uint64(n))
		if next == n {
			return n
		}
		n = next
	}
}

// tailLen is the length of the start line after "message-length SP".
func (m *Message) tailLen() int {
	id := decimalLen(uint64(m.RequestID))
	switch m.Kind {
	case KindRequest:
		return len(m.Method) + 1 + id
	case KindResponse:
		return id + 1 + 3 + 1 + len(m.State.String())
	default:
		return len(m.Event) + 1 + id + 1 + len(m.State.String())
	}
}

func (m *Message) appendTail(b []byte) []byte {
	switch m.Kind {
	case KindRequest:
		b = append(b, m.Method...)
		b = append(b, ' ')
		return strconv.AppendUint(b, uint64(m.RequestID), 10)
	case KindResponse:
		b = strconv.AppendUint(b, uint64(m.RequestID), 10)
		b = append(b, ' ', byte('0'+m.Status/100%10), byte('0'+m.Status/10%10), byte('0'+m.Status%10), ' ')
		return append(b, m.State.String()...)
	default:
		b = append(b, m.Event...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(m.RequestID), 10)
		b = append(b, ' ')
		return append(b, m.State.String()...)
	}
}

// fieldLen is the wire length of one header line.
func (m *Message) fieldLen(f HeaderField) int {
	n := len(f.Name) + 1 + 2
	switch {
	case equalFold(f.Name, HeaderContentLength):
		if keepLength(f.Value, len(m.Body)) {
			n += 1 + len(f.Value)
		} else {
			n += 1 + decimalLen(uint64(len(m.Body)))
		}
	case f.Value != "":
		n += 1 + len(f.Value)
	}
	return n
}

func (m *Message) appendField(b []byte, f HeaderField) []byte {
	b = append(b, f.Name...)
	b = append(b, ':')
	switch {
	case equalFold(f.Name, HeaderContentLength):
		b = append(b, ' ')
		if keepLength(f.Value, len(m.Body)) {
			b = append(b, f.Value...)
		} else {
			b = strconv.AppendUint(b, uint64(len(m.Body)), 10)
		}
	case f.Value != "":
		b = append(b, ' ')
		b = append(b, f.Value...)
	}
	return append(b, '\r', '\n')
}

// keepLength reports whether a Content-Length value already says n, in
// which case it is written as it is (for instance zero-padded).
func keepLength(v string, n int) bool {
	got, ok := parseDecimal(v, 19)
	return ok && got == uint64(n)
}

func decimalLen(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}
