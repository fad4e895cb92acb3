package telephony

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"

	"github.com/parley-cc/parley/media"
)

// Direction is an SDP media direction (RFC 3264 section 5.1), from the
// point of view of the side whose description carries it.
type Direction int

// Media directions.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

func (d Direction) String() string {
	switch d {
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return "sendrecv"
}

// Reverse is the direction the other side answers with (RFC 3264
// section 6.1): an offer to send only is answered receive only.
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	}
	return d
}

// Sends reports whether the side with direction d sends media.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether the side with direction d receives media.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

// Capabilities is what Parley offers, or accepts in an offer: audio codecs
// in order of preference and the RFC 4733 telephone-event formats.
type Capabilities struct {
	// Codecs are the audio formats, preferred first. Their payload types
	// are used in offers; in answers the offerer's numbers are kept.
	Codecs []media.Codec
	// Events are the telephone-event formats, one per clock rate.
	Events []media.Codec
	// Ptime is the packet duration offered and preferred; default 20 ms.
	Ptime time.Duration
	// RTCPMux offers, and accepts, RTCP on the RTP port (RFC 5761).
	RTCPMux bool
}

// DefaultCapabilities offers and accepts Opus (decoded at 16 kHz, the
// rate of the speech recognizer), G.722, PCMU and PCMA, with
// telephone-events at 8 and 48 kHz.
func DefaultCapabilities() Capabilities {
	opus := mustCodec(111, media.NameOpus, 48000, 2)
	opus.SampleRate = 16000
	opus.FmtpLine = "useinbandfec=1"
	ev8 := mustCodec(101, media.NameTelephoneEvent, 8000, 0)
	ev8.FmtpLine = "0-16"
	ev48 := mustCodec(110, media.NameTelephoneEvent, 48000, 0)
	ev48.FmtpLine = "0-16"
	return Capabilities{
		Codecs: []media.Codec{opus, media.G722(), media.PCMU(), media.PCMA()},
		Events: []media.Codec{ev8, ev48},
		Ptime:  20 * time.Millisecond,
	}
}

func mustCodec(pt uint8, name string, clock, channels int) media.Codec {
	c, err := media.NewCodec(pt, name, clock, channels)
	if err != nil {
		panic(err) // a constant table above
	}
	return c
}

// Media is what an offer/answer exchange settled for the audio stream.
type Media struct {
	// Remote is where to send RTP. Its address is unspecified (0.0.0.0)
	// when the far end put the call on hold the RFC 2543 way.
	Remote netip.AddrPort
	// RemoteRTCP is where to send RTCP: the a=rtcp attribute (RFC 3605),
	// the RTP port with RTCPMux, else the RTP port + 1.
	RemoteRTCP netip.AddrPort
	// Send is the audio codec Parley sends: the answerer's first common
	// format.
	Send media.Codec
	// Payloads maps every negotiated payload type, Send first.
	Payloads *media.PayloadMap
	// Ptime is the packet duration to send.
	Ptime time.Duration
	// Direction is Parley's own direction for the stream.
	Direction Direction
	// RTCPMux is set when both sides agreed to RTCP on the RTP port.
	RTCPMux bool
}

// OnHold reports whether the far end has put the stream on hold: it
// neither receives nor, by RFC 2543 custom, has an address.
func (m Media) OnHold() bool {
	return !m.Direction.Sends() || !m.Remote.Addr().IsValid() || m.Remote.Addr().IsUnspecified()
}

// SDPError is an offer or answer Parley cannot accept. Status is the SIP
// response it calls for: 400 for an unreadable description, 488 (Not
// Acceptable Here, RFC 3261 21.4.26) for one that shares nothing with
// Parley.
type SDPError struct {
	Status int
	Reason string
}

func (e *SDPError) Error() string { return fmt.Sprintf("sdp: %d %s", e.Status, e.Reason) }

// Is makes errors.Is(err, ErrNotAcceptable) and ErrMalformedSDP work.
func (e *SDPError) Is(target error) bool {
	t, ok := target.(*SDPError)
	return ok && t.Status == e.Status && t.Reason == ""
}

// Sentinels for errors.Is.
var (
	ErrMalformedSDP  = &SDPError{Status: 400}
	ErrNotAcceptable = &SDPError{Status: 488}
)

func malformed(format string, args ...any) error {
	return &SDPError{Status: 400, Reason: "malformed SDP: " + fmt.Sprintf(format, args...)}
}

func notAcceptable(format string, args ...any) error {
	return &SDPError{Status: 488, Reason: fmt.Sprintf(format, args...)}
}

// Origin is the o= line's session identity, kept by a call across
// re-INVITEs: the version goes up by one with every new description
// (RFC 3264 section 8).
type Origin struct {
	SessionID      uint64
	SessionVersion uint64
}

// maxSDPSize caps a description; INVITE bodies are a few hundred bytes.
const maxSDPSize = 16 << 10

// parse reads an SDP body, turning every failure into a 400.
func parse(body []byte) (*sdp.SessionDescription, error) {
	if len(body) == 0 {
		return nil, malformed("empty body")
	}
	if len(body) > maxSDPSize {
		return nil, malformed("%d bytes, more than %d", len(body), maxSDPSize)
	}
	var d sdp.SessionDescription
	if err := d.UnmarshalString(string(body)); err != nil {
		return nil, malformed("%v", err)
	}
	return &d, nil
}

// offeredFormat is one payload format of an m= line.
type offeredFormat struct {
	pt    uint8
	name  string
	clock int
	chans int
	fmtp  string
}

// formats lists an m= line's payload formats with their rtpmap and fmtp
// attributes; static payload types without rtpmap take their RFC 3551
// meaning.
func formats(md *sdp.MediaDescription) []offeredFormat {
	var out []offeredFormat
	for _, f := range md.MediaName.Formats {
		n, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue // not an RTP payload type: ignored, as RFC 3264 6 allows
		}
		of := offeredFormat{pt: uint8(n)}
		if v, ok := attr(md, "rtpmap", f); ok {
			name, rest, _ := strings.Cut(v, "/")
			clock, chans, _ := strings.Cut(rest, "/")
			of.name = name
			of.clock, _ = strconv.Atoi(clock)
			if chans != "" {
				of.chans, _ = strconv.Atoi(chans)
			}
		} else {
			switch of.pt {
			case media.PayloadTypePCMU:
				of.name, of.clock = media.NamePCMU, 8000
			case media.PayloadTypePCMA:
				of.name, of.clock = media.NamePCMA, 8000
			case media.PayloadTypeG722:
				of.name, of.clock = media.NameG722, 8000
			default:
				continue
			}
		}
		of.fmtp, _ = attr(md, "fmtp", f)
		out = append(out, of)
	}
	return out
}

// attr returns the value after "<pt> " of the first a=key:<pt> <value>.
func attr(md *sdp.MediaDescription, key, pt string) (string, bool) {
	for _, a := range md.Attributes {
		if a.Key != key {
			continue
		}
		p, v, ok := strings.Cut(a.Value, " ")
		if ok && p == pt {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

func hasAttr(attrs []sdp.Attribute, key string) bool {
	return slices.ContainsFunc(attrs, func(a sdp.Attribute) bool { return a.Key == key })
}

// direction reads the media-level, else session-level, direction.
func direction(d *sdp.SessionDescription, md *sdp.MediaDescription) Direction {
	for _, attrs := range [][]sdp.Attribute{md.Attributes, d.Attributes} {
		for _, a := range attrs {
			switch a.Key {
			case "sendrecv":
				return SendRecv
			case "sendonly":
				return SendOnly
			case "recvonly":
				return RecvOnly
			case "inactive":
				return Inactive
			}
		}
	}
	return SendRecv
}

// remoteAddrs finds where the m= line wants RTP and RTCP.
func remoteAddrs(d *sdp.SessionDescription, md *sdp.MediaDescription, mux bool) (rtp, rtcp netip.AddrPort, err error) {
	ci := md.ConnectionInformation
	if ci == nil {
		ci = d.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return rtp, rtcp, malformed("no c= line for the audio stream")
	}
	if ci.NetworkType != "IN" || (ci.AddressType != "IP4" && ci.AddressType != "IP6") {
		return rtp, rtcp, notAcceptable("connection %s %s not supported", ci.NetworkType, ci.AddressType)
	}
	addr, perr := netip.ParseAddr(ci.Address.Address)
	if perr != nil {
		return rtp, rtcp, notAcceptable("connection address %q is not an IP address (host names are not resolved)", ci.Address.Address)
	}
	port := md.MediaName.Port.Value
	if port <= 0 || port > 65535 {
		return rtp, rtcp, malformed("audio port %d", port)
	}
	rtp = netip.AddrPortFrom(addr.Unmap(), uint16(port))
	rtcp = netip.AddrPortFrom(rtp.Addr(), uint16(min(port+1, 65535)))
	if mux {
		rtcp = rtp
	}
	// RFC 3605: a=rtcp:<port> [IN IP4 <addr>]
	for _, a := range md.Attributes {
		if a.Key != "rtcp" {
			continue
		}
		f := strings.Fields(a.Value)
		if len(f) == 0 {
			break
		}
		p, perr := strconv.Atoi(f[0])
		if perr != nil || p <= 0 || p > 65535 {
			return rtp, rtcp, malformed("a=rtcp:%s", a.Value)
		}
		raddr := rtp.Addr()
		if len(f) == 4 {
			if x, perr := netip.ParseAddr(f[3]); perr == nil {
				raddr = x.Unmap()
			}
		}
		if !mux {
			rtcp = netip.AddrPortFrom(raddr, uint16(p))
		}
	}
	return rtp, rtcp, nil
}

func ptimeOf(md *sdp.MediaDescription, def time.Duration) time.Duration {
	for _, a := range md.Attributes {
		if a.Key == "ptime" {
			if ms, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil {
				switch ms {
				case 10, 20, 30, 40, 60:
					return time.Duration(ms) * time.Millisecond
				}
			}
		}
	}
	return def
}

// isAudioRTP reports whether md is an audio stream Parley can carry:
// plain RTP/AVP (no SRTP, RFC 3711 profiles are refused) on a live port.
func isAudioRTP(md *sdp.MediaDescription) bool {
	return md.MediaName.Media == "audio" && md.MediaName.Port.Value != 0 &&
		strings.Join(md.MediaName.Protos, "/") == "RTP/AVP"
}

// match finds the local capability for an offered format.
func (c Capabilities) match(f offeredFormat) (media.Codec, bool) {
	for _, l := range append(slices.Clip(c.Codecs), c.Events...) {
		if strings.EqualFold(l.Name, f.name) && l.ClockRate == f.clock {
			got := l
			got.PayloadType = f.pt
			if f.fmtp != "" && !got.IsTelephoneEvent() {
				got.FmtpLine = f.fmtp
			}
			return got, true
		}
	}
	return media.Codec{}, false
}

// negotiate picks, from the formats of md, the audio codecs Parley shares
// with the other side in that side's order of preference, and the
// telephone-event format on the clock of the first of them.
func (c Capabilities) negotiate(md *sdp.MediaDescription) (audio []media.Codec, event *media.Codec) {
	offered := formats(md)
	for _, f := range offered {
		if l, ok := c.match(f); ok && !l.IsTelephoneEvent() {
			audio = append(audio, l)
		}
	}
	if len(audio) == 0 {
		return nil, nil
	}
	for _, f := range offered {
		if l, ok := c.match(f); ok && l.IsTelephoneEvent() && l.ClockRate == audio[0].ClockRate {
			event = &l
			break
		}
	}
	return audio, event
}

// Answer answers an SDP offer (RFC 3264 section 6) with Parley's audio
// stream at local. It keeps the offerer's payload type numbers and order,
// rejects every other m= line with port 0, and answers the offered
// direction with its reverse. The returned Media is what to set the RTP
// session up with. Errors are *SDPError carrying the SIP status to reply
// with.
func Answer(offer []byte, caps Capabilities, local netip.AddrPort, origin Origin) ([]byte, Media, error) {
	d, err := parse(offer)
	if err != nil {
		return nil, Media{}, err
	}
	if caps.Ptime == 0 {
		caps.Ptime = 20 * time.Millisecond
	}
	ans := newDescription(local, origin)
	var m Media
	chosen := -1
	for i, md := range d.MediaDescriptions {
		if chosen < 0 && isAudioRTP(md) {
			audio, event := caps.negotiate(md)
			if len(audio) > 0 {
				mux := caps.RTCPMux && hasAttr(md.Attributes, "rtcp-mux")
				rtp, rtcp, err := remoteAddrs(d, md, mux)
				if err != nil {
					return nil, Media{}, err
				}
				codecs := append(slices.Clip(audio), derefCodecs(event)...)
				pm, err := media.NewPayloadMap(codecs...)
				if err != nil {
					return nil, Media{}, notAcceptable("payload types: %v", err)
				}
				m = Media{
					Remote: rtp, RemoteRTCP: rtcp, Send: audio[0], Payloads: pm,
					Ptime:     ptimeOf(md, caps.Ptime),
					Direction: direction(d, md).Reverse(),
					RTCPMux:   mux,
				}
				ans.MediaDescriptions = append(ans.MediaDescriptions, audioDescription(local, codecs, m.Ptime, m.Direction, mux))
				chosen = i
				continue
			}
		}
		ans.MediaDescriptions = append(ans.MediaDescriptions, rejected(md))
	}
	if chosen < 0 {
		return nil, Media{}, notAcceptable("no common audio codec (offered: %s)", offeredSummary(d))
	}
	b, err := ans.Marshal()
	if err != nil {
		return nil, Media{}, fmt.Errorf("sdp answer: %w", err)
	}
	return b, m, nil
}

// Offer builds Parley's SDP offer for an outbound call or re-INVITE: one
// audio stream at local with every capability, in direction dir (SendOnly
// puts the far end on hold).
func Offer(caps Capabilities, local netip.AddrPort, origin Origin, dir Direction) ([]byte, error) {
	if caps.Ptime == 0 {
		caps.Ptime = 20 * time.Millisecond
	}
	d := newDescription(local, origin)
	codecs := append(slices.Clip(caps.Codecs), caps.Events...)
	d.MediaDescriptions = []*sdp.MediaDescription{audioDescription(local, codecs, caps.Ptime, dir, caps.RTCPMux)}
	b, err := d.Marshal()
	if err != nil {
		return nil, fmt.Errorf("sdp offer: %w", err)
	}
	return b, nil
}

// ParseAnswer reads the answer to an offer Parley made with caps. The
// answerer's first audio format is what Parley sends.
func ParseAnswer(answer []byte, caps Capabilities) (Media, error) {
	d, err := parse(answer)
	if err != nil {
		return Media{}, err
	}
	if caps.Ptime == 0 {
		caps.Ptime = 20 * time.Millisecond
	}
	for _, md := range d.MediaDescriptions {
		if !isAudioRTP(md) {
			continue
		}
		audio, event := caps.negotiate(md)
		if len(audio) == 0 {
			return Media{}, notAcceptable("answer chose no codec Parley offered (%s)", offeredSummary(d))
		}
		mux := caps.RTCPMux && hasAttr(md.Attributes, "rtcp-mux")
		rtp, rtcp, err := remoteAddrs(d, md, mux)
		if err != nil {
			return Media{}, err
		}
		pm, err := media.NewPayloadMap(append(audio, derefCodecs(event)...)...)
		if err != nil {
			return Media{}, notAcceptable("payload types: %v", err)
		}
		return Media{
			Remote: rtp, RemoteRTCP: rtcp, Send: audio[0], Payloads: pm,
			Ptime:     ptimeOf(md, caps.Ptime),
			Direction: direction(d, md).Reverse(),
			RTCPMux:   mux,
		}, nil
	}
	return Media{}, notAcceptable("answer has no audio stream")
}

func derefCodecs(c *media.Codec) []media.Codec {
	if c == nil {
		return nil
	}
	return []media.Codec{*c}
}

func newDescription(local netip.AddrPort, origin Origin) *sdp.SessionDescription {
	addrType := "IP4"
	if local.Addr().Is6() && !local.Addr().Is4In6() {
		addrType = "IP6"
	}
	addr := local.Addr().Unmap().String()
	return &sdp.SessionDescription{
		Version: 0,
		Origin: sdp.Origin{Username: "parley", SessionID: origin.SessionID, SessionVersion: origin.SessionVersion,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: addr},
		SessionName:           "Parley",
		ConnectionInformation: &sdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: addr}},
		TimeDescriptions:      []sdp.TimeDescription{{Timing: sdp.Timing{}}},
	}
}

func audioDescription(local netip.AddrPort, codecs []media.Codec, ptime time.Duration, dir Direction, mux bool) *sdp.MediaDescription {
	md := &sdp.MediaDescription{MediaName: sdp.MediaName{
		Media: "audio", Port: sdp.RangedPort{Value: int(local.Port())}, Protos: []string{"RTP", "AVP"},
	}}
	for _, c := range codecs {
		pt := strconv.Itoa(int(c.PayloadType))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		md.Attributes = append(md.Attributes, sdp.Attribute{Key: "rtpmap", Value: c.String()})
		if c.FmtpLine != "" {
			md.Attributes = append(md.Attributes, sdp.Attribute{Key: "fmtp", Value: pt + " " + c.FmtpLine})
		}
	}
	md.Attributes = append(md.Attributes, sdp.Attribute{Key: "ptime", Value: strconv.Itoa(int(ptime / time.Millisecond))})
	if mux {
		md.Attributes = append(md.Attributes, sdp.Attribute{Key: "rtcp-mux"})
	}
	md.Attributes = append(md.Attributes, sdp.Attribute{Key: dir.String()})
	return md
}

// rejected answers an m= line Parley does not take: the same media and
// formats, port 0 (RFC 3264 section 6).
func rejected(md *sdp.MediaDescription) *sdp.MediaDescription {
	formats := md.MediaName.Formats
	if len(formats) == 0 {
		formats = []string{"0"}
	}
	return &sdp.MediaDescription{MediaName: sdp.MediaName{
		Media: md.MediaName.Media, Port: sdp.RangedPort{Value: 0}, Protos: md.MediaName.Protos, Formats: formats,
	}}
}

// offeredSummary lists the offer's m= lines for an error message.
func offeredSummary(d *sdp.SessionDescription) string {
	var parts []string
	for _, md := range d.MediaDescriptions {
		var names []string
		for _, f := range formats(md) {
			names = append(names, fmt.Sprintf("%s/%d", f.name, f.clock))
		}
		parts = append(parts, fmt.Sprintf("%s %s [%s]", md.MediaName.Media, strings.Join(md.MediaName.Protos, "/"), strings.Join(names, " ")))
	}
	if len(parts) == 0 {
		return "no media"
	}
	return strings.Join(parts, "; ")
}
