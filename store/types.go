package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// CallID identifies a call; LegID a leg within a call. Both are chosen by
// the caller (telephony) and must be non-empty, at most MaxIDLen bytes.
type (
	CallID string
	LegID  string
)

// MaxIDLen is the longest id accepted.
const MaxIDLen = 255

// RestartCause is the hangup cause RepairOpen gives calls a crash left open.
const RestartCause = "parley-restart"

// Direction of a call.
type Direction int

// Directions.
const (
	DirectionUnknown Direction = iota
	Inbound
	Outbound
)

var directionNames = []string{"", "inbound", "outbound"}

func (d Direction) String() string { return enumString(directionNames, int(d), "Direction") }

// ParseDirection parses "inbound" or "outbound".
func ParseDirection(s string) (Direction, error) {
	v, err := enumParse(directionNames, s, "direction")
	return Direction(v), err
}

// Disposition says how a call ended.
type Disposition int

// Dispositions. DispositionUnknown is the zero value: no end yet, or (in a
// Filter) any.
const (
	DispositionUnknown Disposition = iota
	Answered
	Busy
	NoAnswer
	Rejected
	Failed
	Cancelled
	Abandoned
)

var dispositionNames = []string{"", "answered", "busy", "no-answer", "rejected", "failed", "cancelled", "abandoned"}

func (d Disposition) String() string { return enumString(dispositionNames, int(d), "Disposition") }

// ParseDisposition parses a disposition's name, e.g. "no-answer".
func ParseDisposition(s string) (Disposition, error) {
	v, err := enumParse(dispositionNames, s, "disposition")
	return Disposition(v), err
}

// Role of a leg in a call.
type Role int

// Roles.
const (
	RoleUnknown Role = iota
	RoleCaller
	RoleAgent
	RoleBot
	RoleTrunk
)

var roleNames = []string{"", "caller", "agent", "bot", "trunk"}

func (r Role) String() string { return enumString(roleNames, int(r), "Role") }

// ParseRole parses "caller", "agent", "bot" or "trunk".
func ParseRole(s string) (Role, error) {
	v, err := enumParse(roleNames, s, "role")
	return Role(v), err
}

// Format of a recording file.
type Format int

// Formats.
const (
	FormatUnknown Format = iota
	FormatWAV
	FormatOpus
)

var formatNames = []string{"", "wav", "opus"}

func (f Format) String() string { return enumString(formatNames, int(f), "Format") }

// ParseFormat parses "wav" or "opus".
func ParseFormat(s string) (Format, error) {
	v, err := enumParse(formatNames, s, "format")
	return Format(v), err
}

func enumString(names []string, v int, typ string) string {
	if v <= 0 || v >= len(names) {
		return fmt.Sprintf("%s(%d)", typ, v)
	}
	return names[v]
}

func enumParse(names []string, s, what string) (int, error) {
	for i := 1; i < len(names); i++ {
		if names[i] == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown %s %q", ErrInvalid, what, s)
}

// Call is one call's record. Times are stored with nanosecond precision and
// read back in UTC; a zero time means "not yet".
type Call struct {
	ID         CallID
	Direction  Direction
	FromURI    string // SIP From URI
	ToURI      string // SIP To (or Request-URI) URI
	FromNumber string // caller's number as Parley normalised it
	ToNumber   string // dialled number
	Trunk      string // trunk name, empty for direct SIP

	Started  time.Time
	Answered time.Time
	Ended    time.Time

	Disposition Disposition // DispositionUnknown while the call is up
	Cause       string      // hangup cause, e.g. "caller-hangup", RestartCause
	SIPCode     int         // SIP status of the end, 0 if none
}

// End is how a call ended, for EndCall.
type End struct {
	At          time.Time // zero: now
	Disposition Disposition
	Cause       string
	SIPCode     int
}

// Leg is one SIP dialog of a call.
type Leg struct {
	CallID    CallID
	ID        LegID
	Role      Role
	SIPCallID string // SIP Call-ID header
	Remote    string // remote signalling address, host:port
	Codec     string // negotiated codec, e.g. "PCMU/8000"

	Started   time.Time
	Answered  time.Time
	Ended     time.Time
	EndReason string
}

// Event is one timestamped thing that happened on a call.
type Event struct {
	Seq    int64 // assigned by the store, increasing in commit order
	CallID CallID
	LegID  LegID // optional
	At     time.Time
	Type   string          // e.g. "invite", "answer", "dtmf", "transfer"
	Code   int             // reason code (SIP status, MRCP cause...), 0 if none
	Detail json.RawMessage // optional JSON value
}

// Recording indexes the recording file of a call.
type Recording struct {
	CallID   CallID
	Path     string // relative to the data directory, slash-separated
	Format   Format
	Duration time.Duration
	Bytes    int64
	Channels string // channel layout, e.g. ChannelsCallerLeft
}

// ChannelsCallerLeft is the layout of Parley's stereo recordings.
const ChannelsCallerLeft = "caller-left/parley-right"
