package mrcp

import (
	"fmt"
	"strconv"
	"strings"
)

// Channel returns the message's Channel-Identifier (RFC 6787 section
// 6.2.1). Errors wrap ErrMissingHeader or ErrMalformed.
func (m *Message) Channel() (ChannelID, error) {
	v, ok := m.Header.Lookup(HeaderChannelIdentifier)
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrMissingHeader, HeaderChannelIdentifier)
	}
	return ParseChannelID(v)
}

// SetChannel sets the Channel-Identifier.
func (m *Message) SetChannel(c ChannelID) {
	m.Header.Set(HeaderChannelIdentifier, string(c))
}

// ContentType returns the Content-Type of the body, or "" (RFC 6787
// section 6.2.6).
func (m *Message) ContentType() string {
	return m.Header.Get(HeaderContentType)
}

// ContentLength returns the value of the Content-Length field (RFC 6787
// section 6.2.11). After a successful Parse it equals len(m.Body).
// Errors wrap ErrMissingHeader or ErrMalformed.
func (m *Message) ContentLength() (int, error) {
	v, ok := m.Header.Lookup(HeaderContentLength)
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrMissingHeader, HeaderContentLength)
	}
	n, ok := parseDecimal(v, 19)
	if !ok || n > uint64(maxInt) {
		return 0, fmt.Errorf("%w: Content-Length %q", ErrMalformed, clip(v))
	}
	return int(n), nil
}

// SetBody sets the body and its Content-Type, or removes both when body is
// empty. Content-Length is set to len(body); AppendTo writes it from the
// body in any case.
func (m *Message) SetBody(contentType string, body []byte) {
	m.Body = body
	if len(body) == 0 {
		m.Header.Del(HeaderContentType)
		m.Header.Del(HeaderContentLength)
		return
	}
	m.Header.Set(HeaderContentType, contentType)
	m.Header.Set(HeaderContentLength, strconv.Itoa(len(body)))
}

// SynthCause returns the Completion-Cause of a speechsynth message. The
// cause may be one RFC 6787 section 8.4 does not define; its Name is
// then "". Errors wrap ErrMissingHeader or ErrMalformed.
func (m *Message) SynthCause() (SynthCause, error) {
	code, err := m.cause()
	return SynthCause(code), err
}

// RecogCause returns the Completion-Cause of a speechrecog message. The
// cause may be one RFC 6787 section 9.4 does not define; its Name is
// then "". Errors wrap ErrMissingHeader or ErrMalformed.
func (m *Message) RecogCause() (RecogCause, error) {
	code, err := m.cause()
	return RecogCause(code), err
}

func (m *Message) cause() (uint16, error) {
	v, ok := m.Header.Lookup(HeaderCompletionCause)
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrMissingHeader, HeaderCompletionCause)
	}
	return parseCause(v)
}

// ActiveRequestIDs returns the request-ids of Active-Request-Id-List, the
// requests a STOP, BARGE-IN-OCCURRED or similar request acted on (RFC 6787
// section 6.2.3: request-id *("," request-id)). Whitespace around the
// commas is allowed. Errors wrap ErrMissingHeader or ErrMalformed.
func (m *Message) ActiveRequestIDs() ([]RequestID, error) {
	v, ok := m.Header.Lookup(HeaderActiveRequestIDList)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrMissingHeader, HeaderActiveRequestIDList)
	}
	ids := make([]RequestID, 0, strings.Count(v, ",")+1)
	for part := range strings.SplitSeq(v, ",") {
		id, ok := parseRequestID(trimLWS(part))
		if !ok {
			return nil, fmt.Errorf("%w: Active-Request-Id-List %q", ErrMalformed, clip(v))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// SetActiveRequestIDs sets Active-Request-Id-List, or removes it when ids
// is empty.
func (m *Message) SetActiveRequestIDs(ids ...RequestID) {
	if len(ids) == 0 {
		m.Header.Del(HeaderActiveRequestIDList)
		return
	}
	b := make([]byte, 0, 11*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(id), 10)
	}
	m.Header.Set(HeaderActiveRequestIDList, string(b))
}
