package voice

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/mrcp"
)

func TestDialledNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sip:0800123000@10.0.0.1:5060", "0800123000"},
		{"<sip:+442071230000@parley;user=phone>", "+442071230000"},
		{"sips:+44-20-7123-0000@h", "+442071230000"},
		{"tel:+44 (20) 7123 0000;phone-context=x", "+442071230000"},
		{"SIP:bank@host", "bank"},
		{"0800123000", "0800123000"},
		{"", ""},
	} {
		if got := DialledNumber(tc.in); got != tc.want {
			t.Errorf("DialledNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzDialledNumber(f *testing.F) {
	for _, s := range []string{"sip:0800123000@10.0.0.1:5060", "<tel:+1>", "sip:@", "<<>>", "sips:;@?", "\xc8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := DialledNumber(s)
		if len(n) > len(s) {
			t.Fatalf("DialledNumber(%q) = %q, longer", s, n)
		}
		if !strings.ContainsAny(n, "@;?<>:") && DialledNumber(n) != n {
			t.Fatalf("DialledNumber(%q) = %q, but DialledNumber(%q) = %q", s, n, n, DialledNumber(n))
		}
	})
}

func completion(cause, body string) *mrcp.Message {
	m := &mrcp.Message{Kind: mrcp.KindEvent, Event: mrcp.EventRecognitionComplete, RequestID: 1, State: mrcp.StateComplete}
	m.Header.Set(mrcp.HeaderCompletionCause, cause)
	if body != "" {
		m.SetBody("application/nlsml+xml", []byte(body))
	}
	return m
}

const nlsmlLostCard = `<?xml version="1.0"?>
<result xmlns="urn:ietf:params:xml:ns:mrcpv2" grammar="session:step1">
  <interpretation confidence="0.83"><instance>i lost my card</instance>
    <input mode="speech" confidence="0.83">i lost my card</input></interpretation>
</result>`

func TestRecognitionEvent(t *testing.T) {
	for _, tc := range []struct {
		name, cause, body string
		want              runtime.EventKind
		text              string
	}{
		{"success", "000 success", nlsmlLostCard, runtime.Speech, "i lost my card"},
		{"maxtime", "008 success-maxtime", nlsmlLostCard, runtime.Speech, "i lost my card"},
		{"no match", "001 no-match", `<result xmlns="urn:ietf:params:xml:ns:mrcpv2"><interpretation><input><nomatch>mumble</nomatch></input></interpretation></result>`, runtime.NoMatch, ""},
		{"no input", "002 no-input-timeout", "", runtime.NoInput, ""},
		{"error", "006 recognizer-error", "", runtime.ASRFailure, ""},
		{"grammar", "005 grammar-compilation-failure", "", runtime.ASRFailure, ""},
		{"garbage body", "000 success", "<result", runtime.ASRFailure, ""},
		{"no cause", "", "", runtime.ASRFailure, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := recognitionEvent(completion(tc.cause, tc.body), time.Time{}, time.Time{})
			if ev.Kind != tc.want || tc.text != "" && ev.Text != tc.text {
				t.Fatalf("got %v %q (%v), want %v %q", ev.Kind, ev.Text, ev.Err, tc.want, tc.text)
			}
			if ev.Kind == runtime.Speech && (ev.Confidence < 0.8 || ev.Confidence > 0.9) {
				t.Fatalf("confidence %v", ev.Confidence)
			}
		})
	}
}

// FuzzRecognitionEvent feeds arbitrary causes and NLSML bodies: never a
// panic, a Speech event always has text and a confidence in [0, 1], and a
// failure always says why.
func FuzzRecognitionEvent(f *testing.F) {
	f.Add("000 success", nlsmlLostCard)
	f.Add("001 no-match", "")
	f.Add("002 no-input-timeout", "<result/>")
	f.Add("006 recognizer-error", "x")
	f.Add("999", "<result xmlns='urn:ietf:params:xml:ns:mrcpv2'><interpretation confidence='2'><input>a</input></interpretation></result>")
	f.Fuzz(func(t *testing.T, cause, body string) {
		ev := recognitionEvent(completion(cause, body), time.Time{}, time.Time{})
		switch ev.Kind {
		case runtime.Speech:
			if ev.Text == "" || ev.Confidence < 0 || ev.Confidence > 1 {
				t.Fatalf("speech event %+v", ev)
			}
		case runtime.ASRFailure:
			if ev.Err == nil {
				t.Fatal("failure without a cause")
			}
		case runtime.NoMatch, runtime.NoInput:
		default:
			t.Fatalf("event kind %v", ev.Kind)
		}
	})
}
