package telephony

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pion/sdp/v3"

	"github.com/parley-cc/parley/media"
)

var local = netip.MustParseAddrPort("198.51.100.7:20000")

// crlf turns a readable description into wire form.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n"))
}

const baresipOffer = `
v=0
o=- 1234 5678 IN IP4 192.0.2.10
s=-
c=IN IP4 192.0.2.10
t=0 0
m=audio 40000 RTP/AVP 96 9 0 8 101
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/48000
a=fmtp:101 0-15
a=rtcp-mux
a=sendrecv
`

const polycomOffer = `
v=0
o=Polycom 1 1 IN IP4 192.0.2.20
s=-
c=IN IP4 192.0.2.20
t=0 0
m=audio 2222 RTP/AVP 9 0 8 18 101
a=rtpmap:9 G722/8000
a=rtpmap:18 G729/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:30
a=rtcp:2300
a=sendrecv
`

func TestAnswer(t *testing.T) {
	tests := []struct {
		name      string
		offer     string
		caps      func(*Capabilities)
		send      string
		sendPT    uint8
		event     string // "" for none
		remote    string
		rtcp      string
		ptime     time.Duration
		dir       Direction
		mux       bool
		hold      bool
		mLines    int
		wantInAns []string
	}{
		{
			name: "softphone offering opus first", offer: baresipOffer,
			send: "opus", sendPT: 96, event: "101 telephone-event/48000",
			remote: "192.0.2.10:40000", rtcp: "192.0.2.10:40001", ptime: 20 * time.Millisecond, dir: SendRecv, mLines: 1,
			wantInAns: []string{"m=audio 20000 RTP/AVP 96 9 0 8 101", "a=rtpmap:96 opus/48000/2", "a=sendrecv", "c=IN IP4 198.51.100.7"},
		},
		{
			name: "rtcp-mux accepted when Parley offers it", offer: baresipOffer, caps: func(c *Capabilities) { c.RTCPMux = true },
			send: "opus", sendPT: 96, event: "101 telephone-event/48000",
			remote: "192.0.2.10:40000", rtcp: "192.0.2.10:40000", ptime: 20 * time.Millisecond, dir: SendRecv, mux: true, mLines: 1,
			wantInAns: []string{"a=rtcp-mux"},
		},
		{
			name: "desk phone with G.722, G.729, a=rtcp and 30 ms", offer: polycomOffer,
			send: "G722", sendPT: 9, event: "101 telephone-event/8000",
			remote: "192.0.2.20:2222", rtcp: "192.0.2.20:2300", ptime: 30 * time.Millisecond, dir: SendRecv, mLines: 1,
			wantInAns: []string{"m=audio 20000 RTP/AVP 9 0 8 101", "a=ptime:30", "a=fmtp:101 0-16"},
		},
		{
			name: "static payload types without rtpmap",
			offer: `
v=0
o=- 1 1 IN IP4 192.0.2.30
s=-
t=0 0
m=audio 5004 RTP/AVP 8 0
c=IN IP4 192.0.2.30
`,
			send: "PCMA", sendPT: 8, remote: "192.0.2.30:5004", rtcp: "192.0.2.30:5005", ptime: 20 * time.Millisecond, dir: SendRecv, mLines: 1,
		},
		{
			name: "hold with sendonly",
			offer: `
v=0
o=- 1 2 IN IP4 192.0.2.30
s=-
c=IN IP4 192.0.2.30
t=0 0
m=audio 5004 RTP/AVP 0
a=sendonly
`,
			send: "PCMU", sendPT: 0, remote: "192.0.2.30:5004", rtcp: "192.0.2.30:5005", ptime: 20 * time.Millisecond, dir: RecvOnly, hold: true, mLines: 1,
			wantInAns: []string{"a=recvonly"},
		},
		{
			name: "RFC 2543 hold with 0.0.0.0",
			offer: `
v=0
o=- 1 3 IN IP4 192.0.2.30
s=-
c=IN IP4 0.0.0.0
t=0 0
m=audio 5004 RTP/AVP 0
`,
			send: "PCMU", sendPT: 0, remote: "0.0.0.0:5004", rtcp: "0.0.0.0:5005", ptime: 20 * time.Millisecond, dir: SendRecv, hold: true, mLines: 1,
		},
		{
			name: "video refused, audio taken, IPv6",
			offer: `
v=0
o=- 1 1 IN IP6 2001:db8::1
s=-
c=IN IP6 2001:db8::1
t=0 0
m=video 6000 RTP/AVP 97
a=rtpmap:97 H264/90000
m=audio 6002 RTP/AVP 0 101
a=rtpmap:101 telephone-event/8000
`,
			send: "PCMU", sendPT: 0, event: "101 telephone-event/8000",
			remote: "[2001:db8::1]:6002", rtcp: "[2001:db8::1]:6003", ptime: 20 * time.Millisecond, dir: SendRecv, mLines: 2,
			wantInAns: []string{"m=video 0 RTP/AVP 97", "m=audio 20000 RTP/AVP 0 101"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			caps := DefaultCapabilities()
			if tc.caps != nil {
				tc.caps(&caps)
			}
			ans, m, err := Answer(crlf(tc.offer), caps, local, Origin{SessionID: 42, SessionVersion: 1})
			if err != nil {
				t.Fatal(err)
			}
			if m.Send.Name != tc.send || m.Send.PayloadType != tc.sendPT {
				t.Errorf("send %s, want %d %s", m.Send, tc.sendPT, tc.send)
			}
			var ev string
			for _, c := range m.Payloads.Codecs() {
				if c.IsTelephoneEvent() {
					ev = c.String()
				}
			}
			if ev != tc.event {
				t.Errorf("telephone-event %q, want %q", ev, tc.event)
			}
			if m.Remote.String() != tc.remote || m.RemoteRTCP.String() != tc.rtcp {
				t.Errorf("remote %s rtcp %s, want %s %s", m.Remote, m.RemoteRTCP, tc.remote, tc.rtcp)
			}
			if m.Ptime != tc.ptime || m.Direction != tc.dir || m.RTCPMux != tc.mux || m.OnHold() != tc.hold {
				t.Errorf("ptime %v dir %v mux %v hold %v", m.Ptime, m.Direction, m.RTCPMux, m.OnHold())
			}
			var d sdp.SessionDescription
			if err := d.Unmarshal(ans); err != nil {
				t.Fatalf("answer does not parse: %v\n%s", err, ans)
			}
			if len(d.MediaDescriptions) != tc.mLines {
				t.Errorf("answer has %d m= lines, want %d (one per offered line, RFC 3264 6)", len(d.MediaDescriptions), tc.mLines)
			}
			for _, w := range tc.wantInAns {
				if !strings.Contains(string(ans), w+"\r\n") {
					t.Errorf("answer lacks %q:\n%s", w, ans)
				}
			}
		})
	}
}

func TestAnswerRefuses(t *testing.T) {
	tests := []struct {
		name   string
		offer  string
		status int
		reason string
	}{
		{"empty", "", 400, "empty"},
		{"not SDP", "hello world", 400, "malformed"},
		{"no connection line", "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\n", 400, "c= line"},
		{"no common codec", "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 18 3\na=rtpmap:18 G729/8000\n", 488, "G729/8000"},
		{"SRTP only", "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/SAVP 0\n", 488, "RTP/SAVP"},
		{"no audio", "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=video 4000 RTP/AVP 97\n", 488, "no common audio codec"},
		{"host name", "v=0\no=- 1 1 IN IP4 pbx.example.com\ns=-\nc=IN IP4 pbx.example.com\nt=0 0\nm=audio 4000 RTP/AVP 0\n", 488, "not an IP address"},
		{"only telephone-event", "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 101\na=rtpmap:101 telephone-event/8000\n", 488, "no common audio codec"},
		{"huge", "v=0\n" + strings.Repeat("a=x\n", 10000), 400, "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Answer(crlf(tc.offer), DefaultCapabilities(), local, Origin{})
			var se *SDPError
			if !errors.As(err, &se) || se.Status != tc.status || !strings.Contains(se.Reason, tc.reason) {
				t.Fatalf("err = %v, want %d mentioning %q", err, tc.status, tc.reason)
			}
			want := ErrMalformedSDP
			if tc.status == 488 {
				want = ErrNotAcceptable
			}
			if !errors.Is(err, want) {
				t.Fatalf("errors.Is(%v, %v) is false", err, want)
			}
		})
	}
}

// TestOfferAnswerRoundTrip plays both sides: Parley offers, a far end that
// only has PCMA answers, and Parley reads its answer.
func TestOfferAnswerRoundTrip(t *testing.T) {
	caps := DefaultCapabilities()
	caps.RTCPMux = true
	offer, err := Offer(caps, local, Origin{SessionID: 9, SessionVersion: 1}, SendRecv)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"m=audio 20000 RTP/AVP 111 9 0 8 101 110", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 useinbandfec=1", "a=rtcp-mux", "a=sendrecv"} {
		if !strings.Contains(string(offer), want+"\r\n") {
			t.Errorf("offer lacks %q:\n%s", want, offer)
		}
	}
	far := Capabilities{Codecs: []media.Codec{media.PCMA()}, Events: DefaultCapabilities().Events}
	farAddr := netip.MustParseAddrPort("203.0.113.5:30000")
	answer, farMedia, err := Answer(offer, far, farAddr, Origin{SessionID: 1, SessionVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	if farMedia.Send.Name != media.NamePCMA || farMedia.Remote != local || farMedia.RTCPMux {
		t.Fatalf("far end negotiated %+v", farMedia)
	}
	m, err := ParseAnswer(answer, caps)
	if err != nil {
		t.Fatal(err)
	}
	if m.Send.Name != media.NamePCMA || m.Remote != farAddr || m.Direction != SendRecv || m.RTCPMux {
		t.Fatalf("Parley negotiated %+v", m)
	}
	if ev := m.Payloads.Find(media.NameTelephoneEvent, 8000); ev == nil || ev.PayloadType != 101 {
		t.Fatalf("telephone-event not negotiated: %s", m.Payloads)
	}

	// Hold: Parley offers sendonly; the answer is recvonly, so Parley's
	// own direction stays sendonly.
	hold, err := Offer(caps, local, Origin{SessionID: 9, SessionVersion: 2}, SendOnly)
	if err != nil {
		t.Fatal(err)
	}
	answer, farMedia, err = Answer(hold, far, farAddr, Origin{SessionID: 1, SessionVersion: 2})
	if err != nil || farMedia.Direction != RecvOnly {
		t.Fatalf("far end on hold: %+v %v", farMedia, err)
	}
	if m, err = ParseAnswer(answer, caps); err != nil || m.Direction != SendOnly {
		t.Fatalf("Parley holding: %+v %v", m, err)
	}
}

func TestNegotiatedCodecsBuildMedia(t *testing.T) {
	_, m, err := Answer(crlf(baresipOffer), DefaultCapabilities(), local, Origin{})
	if err != nil {
		t.Fatal(err)
	}
	// The negotiated payloads set up the media plane directly.
	if _, err := media.NewReceiver(media.ReceiverConfig{Payloads: m.Payloads}); err != nil {
		t.Fatalf("receiver for %s: %v", m.Payloads, err)
	}
	if m.Send.SampleRate != 16000 {
		t.Fatalf("opus decodes at %d Hz, want 16000 for the recognizer", m.Send.SampleRate)
	}
}

func FuzzAnswer(f *testing.F) {
	f.Add(crlf(baresipOffer))
	f.Add(crlf(polycomOffer))
	f.Add([]byte("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 1 RTP/AVP 0\r\n"))
	caps := DefaultCapabilities()
	f.Fuzz(func(t *testing.T, offer []byte) {
		ans, m, err := Answer(offer, caps, local, Origin{SessionID: 1, SessionVersion: 1})
		if err != nil {
			var se *SDPError
			if !errors.As(err, &se) && !strings.HasPrefix(err.Error(), "sdp answer:") {
				t.Fatalf("error %v is not an *SDPError", err)
			}
			return
		}
		back, err := ParseAnswer(ans, caps)
		if err != nil {
			t.Fatalf("Parley cannot read its own answer: %v\n%s", err, ans)
		}
		if back.Send.Name != m.Send.Name || back.Send.PayloadType != m.Send.PayloadType {
			t.Fatalf("own answer reads back as %s, negotiated %s", back.Send, m.Send)
		}
	})
}
