package mrcp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
)

// Session set-up (RFC 6787 section 4): the client's SIP INVITE offers one
// m=application line per resource it wants, each naming the resource and
// the audio stream it controls; the server answers each with the channel
// it allocated and the TCP port of its control connection.
//
//	m=application 9 TCP/MRCPv2 1        m=application 1544 TCP/MRCPv2 1
//	a=setup:active                      a=setup:passive
//	a=connection:new                    a=connection:new
//	a=resource:speechsynth              a=channel:32AECB23433801@speechsynth
//	a=cmid:1                            a=cmid:1
//	m=audio 49170 RTP/AVP 0 96          m=audio 48260 RTP/AVP 0
//	a=rtpmap:0 PCMU/8000                a=rtpmap:0 PCMU/8000
//	a=recvonly                          a=sendonly
//	a=mid:1                             a=mid:1

// ErrSDP is wrapped by every error about a session description.
var ErrSDP = errors.New("mrcp: bad session description")

// Protocols of an MRCPv2 control stream's m= line.
const (
	ProtoTCP = "TCP/MRCPv2"
	ProtoTLS = "TCP/TLS/MRCPv2"
)

// Stream is one m= line of an MRCPv2 session description: a control
// stream (m=application) or an audio stream (m=audio).
type Stream struct {
	// Control is true for an m=application MRCPv2 line.
	Control bool
	// Port is the m= line's port: 9 in an offer's control line (the client
	// connects, RFC 4145), the server's TCP port in the answer, 0 for a
	// removed or rejected stream.
	Port int
	// Proto is the transport: ProtoTCP or ProtoTLS for control streams,
	// "RTP/AVP" (or another RTP profile) for audio.
	Proto string

	// Setup is "active" (who connects) or "passive" (RFC 4145).
	Setup string
	// Connection is "new" or "existing" (RFC 4145).
	Connection string
	// Resource is the resource asked for (a=resource, offer only).
	Resource Resource
	// Channel is the channel allocated (a=channel, answer only).
	Channel ChannelID
	// CMID is the mid of the audio stream the resource works on (a=cmid).
	CMID string

	// Mid is the audio stream's a=mid.
	Mid string
	// Addr is the stream's own c= address, when it differs from the
	// session's.
	Addr netip.Addr
	// Direction is sendrecv, sendonly, recvonly or inactive ("" when not
	// given, which means sendrecv).
	Direction string
	// Formats are the audio payload formats, in the m= line's order.
	Formats []Format
	// Ptime is the a=ptime, 0 when not given.
	Ptime time.Duration
}

// Format is one audio payload format of an m=audio line.
type Format struct {
	PayloadType uint8
	Name        string // "PCMU", "opus", "telephone-event", ...
	ClockRate   int
	Channels    int    // 0 when not given
	Fmtp        string // a=fmtp parameters, "" when none
}

// Description is the MRCPv2 view of an SDP body: the session's address and
// its m= lines in order (offer and answer keep the same order, RFC 3264).
type Description struct {
	// Addr is the session-level c= address.
	Addr netip.Addr
	// SessionID and Version are the o= line's numbers.
	SessionID, Version uint64
	// Username is the o= line's user name; default "-".
	Username string
	// Streams are the m= lines.
	Streams []Stream
}

// Audio returns the audio stream with the given mid, or the first audio
// stream when mid is "".
func (d *Description) Audio(mid string) *Stream {
	for i := range d.Streams {
		s := &d.Streams[i]
		if !s.Control && (mid == "" || s.Mid == mid) {
			return s
		}
	}
	return nil
}

// maxSDP caps a description we parse.
const maxSDP = 32 << 10

// ParseDescription reads an SDP body (RFC 4566) with MRCPv2 control
// streams. Lines it does not know are ignored; what it needs and cannot
// read is an error wrapping ErrSDP.
func ParseDescription(body []byte) (*Description, error) {
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrSDP)
	}
	if len(body) > maxSDP {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrSDP, len(body), maxSDP)
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(body)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSDP, err)
	}
	d := &Description{
		SessionID: sd.Origin.SessionID,
		Version:   sd.Origin.SessionVersion,
		Username:  sd.Origin.Username,
	}
	if sd.ConnectionInformation != nil {
		a, err := connAddr(sd.ConnectionInformation)
		if err != nil {
			return nil, err
		}
		d.Addr = a
	}
	for i, md := range sd.MediaDescriptions {
		s, err := parseStream(md)
		if err != nil {
			return nil, fmt.Errorf("m= line %d: %w", i+1, err)
		}
		if !s.Addr.IsValid() && !d.Addr.IsValid() && s.Port != 0 {
			return nil, fmt.Errorf("%w: m= line %d has no c= address", ErrSDP, i+1)
		}
		d.Streams = append(d.Streams, s)
	}
	return d, nil
}

func connAddr(c *sdp.ConnectionInformation) (netip.Addr, error) {
	if c.NetworkType != "IN" || c.Address == nil {
		return netip.Addr{}, fmt.Errorf("%w: c= line is not IN IP4/IP6", ErrSDP)
	}
	host, _, _ := strings.Cut(c.Address.Address, "/")
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: c= address %q is not an IP address", ErrSDP, host)
	}
	return a.Unmap(), nil
}

func parseStream(md *sdp.MediaDescription) (Stream, error) {
	s := Stream{Port: md.MediaName.Port.Value, Proto: strings.Join(md.MediaName.Protos, "/")}
	if s.Port < 0 || s.Port > 65535 {
		return s, fmt.Errorf("%w: port %d", ErrSDP, s.Port)
	}
	if md.ConnectionInformation != nil {
		a, err := connAddr(md.ConnectionInformation)
		if err != nil {
			return s, err
		}
		s.Addr = a
	}
	switch md.MediaName.Media {
	case "application":
		if !strings.EqualFold(s.Proto, ProtoTCP) && !strings.EqualFold(s.Proto, ProtoTLS) {
			return s, nil // another application stream: kept, not ours
		}
		s.Control = true
		for _, a := range md.Attributes {
			switch a.Key {
			case "setup":
				s.Setup = a.Value
			case "connection":
				s.Connection = a.Value
			case "resource":
				s.Resource = Resource(strings.ToLower(a.Value))
			case "channel":
				ch, err := ParseChannelID(a.Value)
				if err != nil {
					return s, fmt.Errorf("%w: a=channel: %v", ErrSDP, err)
				}
				s.Channel = ch
			case "cmid":
				s.CMID = a.Value
			}
		}
	case "audio":
		for _, a := range md.Attributes {
			switch a.Key {
			case "mid":
				s.Mid = a.Value
			case "sendrecv", "sendonly", "recvonly", "inactive":
				s.Direction = a.Key
			case "ptime":
				ms, err := strconv.ParseFloat(a.Value, 64)
				if err == nil && ms > 0 && ms <= 1000 {
					s.Ptime = time.Duration(ms * float64(time.Millisecond))
				}
			}
		}
		s.Formats = parseFormats(md)
	}
	return s, nil
}

// parseFormats lists an m=audio line's payload formats; static payload
// types without rtpmap take their RFC 3551 meaning.
func parseFormats(md *sdp.MediaDescription) []Format {
	var out []Format
	for _, f := range md.MediaName.Formats {
		n, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		fm := Format{PayloadType: uint8(n)}
		if v, ok := ptAttr(md, "rtpmap", f); ok {
			name, rest, _ := strings.Cut(v, "/")
			clock, chans, _ := strings.Cut(rest, "/")
			fm.Name = name
			fm.ClockRate, _ = strconv.Atoi(clock)
			fm.Channels, _ = strconv.Atoi(chans)
		} else if name, clock, ok := staticFormat(fm.PayloadType); ok {
			fm.Name, fm.ClockRate = name, clock
		} else {
			continue
		}
		fm.Fmtp, _ = ptAttr(md, "fmtp", f)
		out = append(out, fm)
	}
	return out
}

func staticFormat(pt uint8) (string, int, bool) {
	switch pt {
	case 0:
		return "PCMU", 8000, true
	case 8:
		return "PCMA", 8000, true
	case 9:
		return "G722", 8000, true
	}
	return "", 0, false
}

func ptAttr(md *sdp.MediaDescription, key, pt string) (string, bool) {
	for _, a := range md.Attributes {
		if a.Key != key {
			continue
		}
		if p, v, ok := strings.Cut(a.Value, " "); ok && p == pt {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// Marshal writes the description as SDP.
func (d *Description) Marshal() ([]byte, error) {
	if !d.Addr.IsValid() {
		return nil, fmt.Errorf("%w: no session address", ErrSDP)
	}
	user := d.Username
	if user == "" {
		user = "-"
	}
	sd := &sdp.SessionDescription{
		Version: 0,
		Origin: sdp.Origin{
			Username: user, SessionID: d.SessionID, SessionVersion: d.Version,
			NetworkType: "IN", AddressType: addrType(d.Addr), UnicastAddress: d.Addr.String(),
		},
		SessionName:           "-",
		ConnectionInformation: connInfo(d.Addr),
		TimeDescriptions:      []sdp.TimeDescription{{}},
	}
	for i, s := range d.Streams {
		md, err := s.mediaDescription()
		if err != nil {
			return nil, fmt.Errorf("m= line %d: %w", i+1, err)
		}
		sd.MediaDescriptions = append(sd.MediaDescriptions, md)
	}
	return sd.Marshal()
}

func addrType(a netip.Addr) string {
	if a.Is4() {
		return "IP4"
	}
	return "IP6"
}

func connInfo(a netip.Addr) *sdp.ConnectionInformation {
	return &sdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType(a), Address: &sdp.Address{Address: a.String()}}
}

func (s Stream) mediaDescription() (*sdp.MediaDescription, error) {
	if s.Port < 0 || s.Port > 65535 {
		return nil, fmt.Errorf("%w: port %d", ErrSDP, s.Port)
	}
	md := &sdp.MediaDescription{MediaName: sdp.MediaName{Port: sdp.RangedPort{Value: s.Port}}}
	if s.Addr.IsValid() {
		md.ConnectionInformation = connInfo(s.Addr)
	}
	if s.Control {
		proto := s.Proto
		if proto == "" {
			proto = ProtoTCP
		}
		md.MediaName.Media = "application"
		md.MediaName.Protos = strings.Split(proto, "/")
		md.MediaName.Formats = []string{"1"}
		add := func(k, v string) {
			if v != "" {
				md.Attributes = append(md.Attributes, sdp.Attribute{Key: k, Value: v})
			}
		}
		add("setup", s.Setup)
		add("connection", s.Connection)
		add("resource", string(s.Resource))
		add("channel", string(s.Channel))
		add("cmid", s.CMID)
		return md, nil
	}
	proto := s.Proto
	if proto == "" {
		proto = "RTP/AVP"
	}
	md.MediaName.Media = "audio"
	md.MediaName.Protos = strings.Split(proto, "/")
	for _, f := range s.Formats {
		pt := strconv.Itoa(int(f.PayloadType))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		rtpmap := pt + " " + f.Name + "/" + strconv.Itoa(f.ClockRate)
		if f.Channels > 1 {
			rtpmap += "/" + strconv.Itoa(f.Channels)
		}
		md.Attributes = append(md.Attributes, sdp.Attribute{Key: "rtpmap", Value: rtpmap})
		if f.Fmtp != "" {
			md.Attributes = append(md.Attributes, sdp.Attribute{Key: "fmtp", Value: pt + " " + f.Fmtp})
		}
	}
	if len(md.MediaName.Formats) == 0 {
		md.MediaName.Formats = []string{"0"} // a rejected line still needs a format
	}
	if s.Ptime > 0 {
		md.Attributes = append(md.Attributes, sdp.Attribute{Key: "ptime", Value: strconv.Itoa(int(s.Ptime / time.Millisecond))})
	}
	if s.Direction != "" {
		md.Attributes = append(md.Attributes, sdp.Attribute{Key: s.Direction})
	}
	if s.Mid != "" {
		md.Attributes = append(md.Attributes, sdp.Attribute{Key: "mid", Value: s.Mid})
	}
	return md, nil
}

// ReverseDirection returns the direction an answer gives to an offered
// one (RFC 3264 section 6.1).
func ReverseDirection(dir string) string {
	switch dir {
	case "sendonly":
		return "recvonly"
	case "recvonly":
		return "sendonly"
	case "inactive":
		return "inactive"
	}
	return "sendrecv"
}
