package telephony

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// FuzzReason checks that any text makes a Reason header value that SIP
// parsers accept: one quoted string, no control characters, bounded.
func FuzzReason(f *testing.F) {
	for _, s := range []string{"", "no common audio codec", `a "quoted" \ text`, "line\r\nInjected: x", strings.Repeat("é", 300)} {
		f.Add(488, s)
	}
	f.Fuzz(func(t *testing.T, code int, text string) {
		v := formatReason(code, text)
		if !strings.HasPrefix(v, "SIP;cause=") || !strings.HasSuffix(v, `"`) || len(v) > 230 {
			t.Fatalf("bad Reason %q", v)
		}
		inner := v[strings.Index(v, `text="`)+6 : len(v)-1]
		if strings.ContainsAny(inner, "\"\\\r\n") {
			t.Fatalf("unescaped text in %q", v)
		}
		msg := "SIP/2.0 488 Not Acceptable Here\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nReason: " + v + "\r\nContent-Length: 0\r\n\r\n"
		m, err := sip.NewParser().ParseSIP([]byte(msg))
		if err != nil {
			t.Fatalf("%q does not parse: %v", v, err)
		}
		res, ok := m.(*sip.Response)
		if !ok {
			t.Fatalf("parsed as %T", m)
		}
		if h := res.GetHeader("Reason"); h == nil || h.Value() != v {
			t.Fatalf("Reason %q read back as %v", v, h)
		}
	})
}

// FuzzReInviteSDP feeds any body to the decision a re-INVITE or UPDATE in
// an answered call is answered with: never a panic, always 200 or a
// 4xx, and a 200 keeps the codec in use with an SDP answer that parses.
func FuzzReInviteSDP(f *testing.F) {
	caps := DefaultCapabilities()
	local := netip.MustParseAddrPort("127.0.0.1:20000")
	initial := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	origin := Origin{SessionID: 7, SessionVersion: 1}
	answer, m, err := Answer([]byte(initial), caps, local, origin)
	if err != nil {
		f.Fatal(err)
	}
	cur := session{media: m, answer: answer, origin: origin, local: local}
	for _, s := range []string{
		"", initial,
		strings.Replace(initial, "101\r\n", "101\r\na=sendonly\r\n", 1),
		strings.Replace(initial, "101\r\n", "101\r\na=inactive\r\n", 1),
		strings.Replace(initial, "c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0", 1),
		strings.Replace(initial, "RTP/AVP 0 8 101", "RTP/AVP 8", 1),
		strings.Replace(initial, "RTP/AVP 0 8 101", "RTP/AVP 96", 1),
		"v=0\r\nm=audio 1 RTP/AVP 0\r\n", "garbage",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, offer []byte, held bool) {
		in := cur
		in.held = held
		d := decideReoffer(in, offer, caps)
		switch {
		case d.status == 200:
			if d.next.media.Send.PayloadType != 0 || d.next.media.Send.Name != m.Send.Name {
				t.Fatalf("200 switched the codec to %v", d.next.media.Send)
			}
			if _, err := ParseAnswer(d.next.answer, caps); err != nil {
				t.Fatalf("200 with an answer that does not parse: %v\n%s", err, d.next.answer)
			}
			switch d.event {
			case "refresh", "hold", "unhold", "update":
			default:
				t.Fatalf("200 with event %q", d.event)
			}
		case d.status >= 400 && d.status < 500:
			if d.reason == "" || string(d.next.answer) != string(answer) {
				t.Fatalf("%d without reason or with a changed session", d.status)
			}
		default:
			t.Fatalf("status %d", d.status)
		}
	})
}
