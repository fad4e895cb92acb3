package mrcp

import "strconv"

// Kind tells requests, responses and events apart; each has its own start
// line (RFC 6787 sections 5.2, 5.3 and 5.5).
type Kind uint8

// Message kinds. The zero Kind is none of them and does not marshal.
const (
	KindRequest Kind = iota + 1
	KindResponse
	KindEvent
)

// String returns "request", "response" or "event".
func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindResponse:
		return "response"
	case KindEvent:
		return "event"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Version is an mrcp-version, "MRCP/" major "." minor (RFC 6787 section
// 5.1), stored as major<<8 | minor.
type Version uint16

// Version2 is MRCP/2.0, the only version this package speaks.
const Version2 Version = 2 << 8

// Major returns the major version number.
func (v Version) Major() int { return int(v >> 8) }

// Minor returns the minor version number.
func (v Version) Minor() int { return int(v & 0xff) }

// String returns the version as written on the wire, e.g. "MRCP/2.0".
func (v Version) String() string {
	return "MRCP/" + strconv.Itoa(v.Major()) + "." + strconv.Itoa(v.Minor())
}

// RequestID identifies a request within an MRCP session; responses and
// events repeat it (RFC 6787 section 5.2: 1*10DIGIT, an unsigned 32-bit
// integer that the client increases with each request).
type RequestID uint32

// RequestState is the request-state of a response or event (RFC 6787
// section 5.3).
type RequestState uint8

// Request states. The zero RequestState is none of them; requests carry
// none.
const (
	// StatePending: the request is queued and will be processed in
	// first-in-first-out order.
	StatePending RequestState = iota + 1
	// StateInProgress: the request is being processed; events follow.
	StateInProgress
	// StateComplete: the request is done; nothing more will come for it.
	StateComplete
)

// String returns the request-state as written on the wire.
func (s RequestState) String() string {
	switch s {
	case StatePending:
		return "PENDING"
	case StateInProgress:
		return "IN-PROGRESS"
	case StateComplete:
		return "COMPLETE"
	}
	return "RequestState(" + strconv.Itoa(int(s)) + ")"
}

func (s RequestState) valid() bool { return s >= StatePending && s <= StateComplete }

func parseRequestState(s string) (RequestState, bool) {
	switch s {
	case "PENDING":
		return StatePending, true
	case "IN-PROGRESS":
		return StateInProgress, true
	case "COMPLETE":
		return StateComplete, true
	}
	return 0, false
}

// Message is one MRCPv2 request, response or event (RFC 6787 section 5).
// Which start-line fields count depends on Kind: Method and RequestID for
// a request; RequestID, Status and State for a response; Event, RequestID
// and State for an event. The message-length is not stored: AppendTo
// computes it. Neither is Content-Length trusted when marshalling: it is
// written from len(Body).
type Message struct {
	Kind Kind
	// Version is the protocol version; the zero Version marshals as
	// MRCP/2.0, and Parse accepts nothing else.
	Version   Version
	Method    Method
	Event     Event
	RequestID RequestID
	Status    StatusCode
	State     RequestState
	Header    Header
	Body      []byte
}

// NewRequest returns a request for the channel.
func NewRequest(method Method, id RequestID, ch ChannelID) *Message {
	m := &Message{Kind: KindRequest, Version: Version2, Method: method, RequestID: id}
	m.SetChannel(ch)
	return m
}

// NewResponse returns a response to req with the status and state, on
// req's channel.
func NewResponse(req *Message, code StatusCode, state RequestState) *Message {
	m := &Message{Kind: KindResponse, Version: Version2, RequestID: req.RequestID, Status: code, State: state}
	if ch, ok := req.Header.Lookup(HeaderChannelIdentifier); ok {
		m.Header.Add(HeaderChannelIdentifier, ch)
	}
	return m
}

// NewEvent returns an event for the request id on the channel.
func NewEvent(event Event, id RequestID, state RequestState, ch ChannelID) *Message {
	m := &Message{Kind: KindEvent, Version: Version2, Event: event, RequestID: id, State: state}
	m.SetChannel(ch)
	return m
}

// String summarizes the start line for logs, e.g. "SPEAK 543257",
// "543257 200 IN-PROGRESS" or "SPEAK-COMPLETE 543257 COMPLETE".
func (m *Message) String() string {
	id := strconv.FormatUint(uint64(m.RequestID), 10)
	switch m.Kind {
	case KindRequest:
		return string(m.Method) + " " + id
	case KindResponse:
		return id + " " + strconv.Itoa(int(m.Status)) + " " + m.State.String()
	case KindEvent:
		return string(m.Event) + " " + id + " " + m.State.String()
	}
	return m.Kind.String() + " " + id
}
