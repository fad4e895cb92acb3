package telephony

import (
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
