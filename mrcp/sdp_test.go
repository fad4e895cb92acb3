package mrcp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// The offer and answer of RFC 6787 section 4.2's synthesizer example
// (from memory of the RFC; addresses as printed there).
const (
	rfcOffer = "v=0\r\n" +
		"o=sarvi 2890844526 2890844526 IN IP4 192.0.2.12\r\n" +
		"s=-\r\n" +
		"c=IN IP4 192.0.2.12\r\n" +
		"t=0 0\r\n" +
		"m=application 9 TCP/MRCPv2 1\r\n" +
		"a=setup:active\r\n" +
		"a=connection:new\r\n" +
		"a=resource:speechsynth\r\n" +
		"a=cmid:1\r\n" +
		"m=audio 49170 RTP/AVP 0 96\r\n" +
		"a=rtpmap:0 pcmu/8000\r\n" +
		"a=rtpmap:96 telephone-event/8000\r\n" +
		"a=fmtp:96 0-15\r\n" +
		"a=recvonly\r\n" +
		"a=mid:1\r\n"
	rfcAnswer = "v=0\r\n" +
		"o=- 2890842808 2890842808 IN IP4 192.0.2.11\r\n" +
		"s=-\r\n" +
		"c=IN IP4 192.0.2.11\r\n" +
		"t=0 0\r\n" +
		"m=application 32416 TCP/MRCPv2 1\r\n" +
		"a=setup:passive\r\n" +
		"a=connection:new\r\n" +
		"a=channel:32AECB234338@speechsynth\r\n" +
		"a=cmid:1\r\n" +
		"m=audio 48260 RTP/AVP 0\r\n" +
		"a=rtpmap:0 pcmu/8000\r\n" +
		"a=sendonly\r\n" +
		"a=mid:1\r\n"
)

func TestParseDescriptionRFCOffer(t *testing.T) {
	d, err := ParseDescription([]byte(rfcOffer))
	if err != nil {
		t.Fatal(err)
	}
	if d.Addr != netip.MustParseAddr("192.0.2.12") || len(d.Streams) != 2 {
		t.Fatalf("got %+v", d)
	}
	c := d.Streams[0]
	if !c.Control || c.Port != 9 || c.Proto != ProtoTCP || c.Setup != "active" || c.Connection != "new" ||
		c.Resource != ResourceSpeechSynth || c.CMID != "1" {
		t.Errorf("control stream %+v", c)
	}
	a := d.Audio(c.CMID)
	if a == nil || a.Port != 49170 || a.Direction != "recvonly" || len(a.Formats) != 2 {
		t.Fatalf("audio stream %+v", a)
	}
	if f := a.Formats[1]; f.PayloadType != 96 || f.Name != "telephone-event" || f.ClockRate != 8000 || f.Fmtp != "0-15" {
		t.Errorf("format %+v", f)
	}
}

func TestParseDescriptionRFCAnswer(t *testing.T) {
	d, err := ParseDescription([]byte(rfcAnswer))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Streams[0]
	if c.Port != 32416 || c.Setup != "passive" || c.Channel != "32AECB234338@speechsynth" || c.Channel.Resource() != ResourceSpeechSynth {
		t.Errorf("control stream %+v", c)
	}
	if a := d.Audio("1"); a == nil || a.Direction != "sendonly" || a.Formats[0].Name != "pcmu" {
		t.Errorf("audio %+v", a)
	}
}

// Marshal and ParseDescription agree, and what Marshal writes has every
// attribute of RFC 6787 section 4.
func TestDescriptionRoundTrip(t *testing.T) {
	d, err := ParseDescription([]byte(rfcOffer))
	if err != nil {
		t.Fatal(err)
	}
	d.Streams = append(d.Streams, Stream{Control: true, Port: 9, Setup: "active", Connection: "existing", Resource: ResourceSpeechRecog, CMID: "1"})
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"m=application 9 TCP/MRCPv2 1\r\n", "a=setup:active\r\n", "a=connection:existing\r\n",
		"a=resource:speechrecog\r\n", "a=cmid:1\r\n", "m=audio 49170 RTP/AVP 0 96\r\n", "a=recvonly\r\n", "a=mid:1\r\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("marshalled SDP lacks %q:\n%s", want, b)
		}
	}
	d2, err := ParseDescription(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(d2.Streams) != 3 || d2.Streams[2].Resource != ResourceSpeechRecog || d2.Streams[2].Connection != "existing" {
		t.Errorf("round trip: %+v", d2.Streams)
	}
}

func TestParseDescriptionErrors(t *testing.T) {
	for name, body := range map[string]string{
		"empty":       "",
		"garbage":     "hello",
		"no address":  "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
		"host name":   "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 media.example.com\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
		"bad channel": "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=application 9 TCP/MRCPv2 1\r\na=channel:nope\r\n",
		"huge":        strings.Repeat("a", maxSDP+1),
	} {
		if _, err := ParseDescription([]byte(body)); !errors.Is(err, ErrSDP) {
			t.Errorf("%s: err %v, want ErrSDP", name, err)
		}
	}
}

func FuzzParseDescription(f *testing.F) {
	f.Add([]byte(rfcOffer))
	f.Add([]byte(rfcAnswer))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDescription(b)
		if err != nil {
			if !errors.Is(err, ErrSDP) {
				t.Fatalf("error %v does not wrap ErrSDP", err)
			}
			return
		}
		if !d.Addr.IsValid() {
			return
		}
		out, err := d.Marshal()
		if err != nil {
			return
		}
		if _, err := ParseDescription(out); err != nil {
			t.Fatalf("re-parse of marshalled %q: %v", out, err)
		}
	})
}
