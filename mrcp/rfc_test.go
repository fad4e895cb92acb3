package mrcp

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rfcExample is one file of testdata/rfc6787: see its README.md.
type rfcExample struct {
	name    string
	comment string // the leading # lines
	printed []byte // the message as the RFC prints it
	wire    []byte // normalized: CRLF, lengths computed
	// printedLength and printedContentLength are the lengths as printed,
	// "..." where the RFC leaves them out.
	printedLength, printedContentLength string
}

func loadRFCExamples(tb testing.TB) []rfcExample {
	tb.Helper()
	files, err := filepath.Glob("testdata/rfc6787/*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no RFC examples in testdata/rfc6787: %v", err)
	}
	var out []rfcExample
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		ex := rfcExample{name: strings.TrimSuffix(filepath.Base(f), ".txt")}
		text := string(data)
		for strings.HasPrefix(text, "#") {
			line, rest, _ := strings.Cut(text, "\n")
			ex.comment += line + "\n"
			text = rest
		}
		ex.printed = []byte(text)
		ex.wire, ex.printedLength, ex.printedContentLength = normalizeRFCExample(tb, ex.name, text)
		out = append(out, ex)
	}
	return out
}

// normalizeRFCExample turns a printed example into wire form: CRLF line
// ends, Content-Length from the body, message-length from the whole.
func normalizeRFCExample(tb testing.TB, name, text string) (msg []byte, printedLength, printedContentLength string) {
	text = strings.TrimRight(text, "\n")
	head, body, hasBody := strings.Cut(text, "\n\n")
	if hasBody {
		body = strings.ReplaceAll(body+"\n", "\n", "\r\n")
	}
	lines := strings.Split(head, "\n")
	fields := strings.Fields(lines[0])
	if len(fields) < 4 {
		tb.Fatalf("%s: start line %q", name, lines[0])
	}
	printedLength = fields[1]
	for i, l := range lines[1:] {
		if n, v, ok := strings.Cut(l, ":"); ok && equalFold(n, HeaderContentLength) {
			printedContentLength = v
			lines[i+1] = n + ":" + strconv.Itoa(len(body))
		}
	}
	fields[1] = "%d"
	lines[0] = strings.Join(fields, " ")
	return wire(body, lines...), printedLength, printedContentLength
}

// rfcWant is what each example must parse to.
type rfcWant struct {
	kind    Kind
	name    string // method or event name
	id      RequestID
	status  StatusCode
	state   RequestState
	channel ChannelID
	fields  int // header fields, Content-Length included
	ctype   string
}

const (
	synthChannel ChannelID = "32AECB23433802@speechsynth"
	recogChannel ChannelID = "32AECB23433801@speechrecog"
)

var rfcWants = map[string]rfcWant{
	"set-params-request":            {KindRequest, "SET-PARAMS", 543256, 0, 0, synthChannel, 3, ""},
	"set-params-response":           {KindResponse, "", 543256, 200, StateComplete, synthChannel, 1, ""},
	"get-params-request":            {KindRequest, "GET-PARAMS", 543256, 0, 0, synthChannel, 4, ""},
	"get-params-response":           {KindResponse, "", 543256, 200, StateComplete, synthChannel, 4, ""},
	"speak-request":                 {KindRequest, "SPEAK", 543257, 0, 0, synthChannel, 6, "application/ssml+xml"},
	"speak-response":                {KindResponse, "", 543257, 200, StateInProgress, synthChannel, 2, ""},
	"speak-complete":                {KindEvent, "SPEAK-COMPLETE", 543257, 0, StateComplete, synthChannel, 3, ""},
	"stop-request":                  {KindRequest, "STOP", 543259, 0, 0, synthChannel, 1, ""},
	"stop-response":                 {KindResponse, "", 543259, 200, StateComplete, synthChannel, 3, ""},
	"barge-in-occurred-request":     {KindRequest, "BARGE-IN-OCCURRED", 543259, 0, 0, synthChannel, 2, ""},
	"barge-in-occurred-response":    {KindResponse, "", 543259, 200, StateComplete, synthChannel, 3, ""},
	"pause-request":                 {KindRequest, "PAUSE", 543259, 0, 0, synthChannel, 1, ""},
	"pause-response":                {KindResponse, "", 543259, 200, StateComplete, synthChannel, 2, ""},
	"resume-request":                {KindRequest, "RESUME", 543260, 0, 0, synthChannel, 1, ""},
	"resume-response":               {KindResponse, "", 543260, 200, StateComplete, synthChannel, 2, ""},
	"control-request":               {KindRequest, "CONTROL", 543259, 0, 0, synthChannel, 2, ""},
	"control-response":              {KindResponse, "", 543259, 200, StateComplete, synthChannel, 3, ""},
	"control-jump-request":          {KindRequest, "CONTROL", 543260, 0, 0, synthChannel, 2, ""},
	"speech-marker":                 {KindEvent, "SPEECH-MARKER", 543258, 0, StateInProgress, synthChannel, 2, ""},
	"define-grammar-request":        {KindRequest, "DEFINE-GRAMMAR", 543257, 0, 0, recogChannel, 4, "application/srgs+xml"},
	"define-grammar-response":       {KindResponse, "", 543257, 200, StateComplete, recogChannel, 2, ""},
	"recognize-request":             {KindRequest, "RECOGNIZE", 543257, 0, 0, recogChannel, 5, "application/srgs+xml"},
	"recognize-uri-list-request":    {KindRequest, "RECOGNIZE", 543258, 0, 0, recogChannel, 6, "text/uri-list"},
	"recognize-response":            {KindResponse, "", 543257, 200, StateInProgress, recogChannel, 1, ""},
	"start-of-input":                {KindEvent, "START-OF-INPUT", 543257, 0, StateInProgress, recogChannel, 1, ""},
	"recognition-complete":          {KindEvent, "RECOGNITION-COMPLETE", 543257, 0, StateComplete, recogChannel, 5, "application/nlsml+xml"},
	"recognition-complete-no-input": {KindEvent, "RECOGNITION-COMPLETE", 543258, 0, StateComplete, recogChannel, 2, ""},
	"get-result-request":            {KindRequest, "GET-RESULT", 543257, 0, 0, recogChannel, 2, ""},
	"get-result-response":           {KindResponse, "", 543257, 200, StateComplete, recogChannel, 3, "application/nlsml+xml"},
	"start-input-timers-request":    {KindRequest, "START-INPUT-TIMERS", 543258, 0, 0, recogChannel, 1, ""},
	"start-input-timers-response":   {KindResponse, "", 543258, 200, StateComplete, recogChannel, 1, ""},
	"interpret-request":             {KindRequest, "INTERPRET", 543266, 0, 0, recogChannel, 5, "application/srgs+xml"},
	"interpret-response":            {KindResponse, "", 543266, 200, StateInProgress, recogChannel, 1, ""},
	"interpretation-complete":       {KindEvent, "INTERPRETATION-COMPLETE", 543266, 0, StateComplete, recogChannel, 4, "application/nlsml+xml"},
}

// TestRFCExamples parses every RFC example after normalization, checks
// its start line and key fields, and checks that it marshals and parses
// back to the same message.
func TestRFCExamples(t *testing.T) {
	examples := loadRFCExamples(t)
	if len(examples) != len(rfcWants) {
		t.Errorf("%d example files, %d expectations", len(examples), len(rfcWants))
	}
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			want, ok := rfcWants[ex.name]
			if !ok {
				t.Fatalf("no expectation for %s", ex.name)
			}
			if !strings.Contains(ex.comment, "RFC 6787 section") {
				t.Errorf("comment does not name the RFC section: %q", ex.comment)
			}
			if n, err := strconv.Atoi(ex.printedLength); err == nil && n != len(ex.wire) {
				t.Logf("printed message-length %d, normalized message is %d octets", n, len(ex.wire))
			}
			m, err := Parse(ex.wire)
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, ex.wire)
			}
			name := string(m.Method) + string(m.Event)
			if m.Kind != want.kind || name != want.name || m.RequestID != want.id || m.Status != want.status || m.State != want.state {
				t.Errorf("start line %s %q (%s), want %s %q %d %d %s", m.Kind, m, name, want.kind, want.name, want.id, want.status, want.state)
			}
			if ch, err := m.Channel(); err != nil || ch != want.channel {
				t.Errorf("Channel() = %q, %v; want %q", ch, err, want.channel)
			}
			if len(m.Header) != want.fields {
				t.Errorf("%d header fields, want %d: %q", len(m.Header), want.fields, m.Header)
			}
			if m.ContentType() != want.ctype {
				t.Errorf("ContentType() = %q, want %q", m.ContentType(), want.ctype)
			}
			if want.ctype != "" && (len(m.Body) == 0 || !bytes.HasSuffix(m.Body, crlf)) {
				t.Errorf("body of %d octets, want a CRLF-terminated body", len(m.Body))
			}
			out, err := m.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			back, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal): %v\n%s", err, out)
			}
			if d := sameMessage(m, back); d != "" {
				t.Errorf("round trip: %s", d)
			}
		})
	}
}

// TestRFCExamplesAsPrinted shows why the examples need normalizing: the
// RFC prints "..." for the message-length, which cannot frame a message.
func TestRFCExamplesAsPrinted(t *testing.T) {
	for _, ex := range loadRFCExamples(t) {
		_, err := Parse(ex.printed)
		if ex.printedLength == "..." && !errors.Is(err, ErrFraming) {
			t.Errorf("%s as printed: err = %v, want ErrFraming", ex.name, err)
		}
		if err == nil {
			t.Errorf("%s parses as printed, with LF line ends", ex.name)
		}
	}
}

// TestRFCExampleDetails checks values the examples exercise: folded
// fields, empty values, lists, causes and timers.
func TestRFCExampleDetails(t *testing.T) {
	ex := map[string]*Message{}
	for _, e := range loadRFCExamples(t) {
		m, err := Parse(e.wire)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		ex[e.name] = m
	}
	checks := []struct {
		name, field, want string
	}{
		{"get-params-request", "voice-gender", ""},
		{"get-params-request", HeaderVendorSpecificParameters, "com.example.param1; com.example.param2"},
		{"get-params-response", HeaderVendorSpecificParameters, `com.example.param1="Company Name"; com.example.param2="124324234@example.com"`},
		{"recognition-complete", HeaderWaveformURI, "<http://web.media.com/session123/audio.wav>; size=424252;duration=2543"},
		{"barge-in-occurred-request", HeaderProxySyncID, "987654321"},
		{"control-jump-request", HeaderJumpSize, "-15 Words"},
		{"interpret-request", HeaderInterpretText, "may I speak to Andre Roy"},
		{"speak-request", HeaderVoiceAge, "25"},
	}
	for _, c := range checks {
		if got, ok := ex[c.name].Header.Lookup(c.field); !ok || got != c.want {
			t.Errorf("%s: %s = %q, %v; want %q", c.name, c.field, got, ok, c.want)
		}
	}
	if ids, err := ex["stop-response"].ActiveRequestIDs(); err != nil || len(ids) != 1 || ids[0] != 543258 {
		t.Errorf("stop-response ActiveRequestIDs() = %v, %v", ids, err)
	}
	if c, err := ex["speak-complete"].SynthCause(); err != nil || c != SynthNormal {
		t.Errorf("speak-complete SynthCause() = %v, %v", c, err)
	}
	if c, err := ex["recognition-complete-no-input"].RecogCause(); err != nil || c != RecogNoInputTimeout {
		t.Errorf("recognition-complete-no-input RecogCause() = %v, %v", c, err)
	}
	m := ex["recognize-uri-list-request"]
	if on, err := m.Header.Bool(HeaderStartInputTimers); err != nil || on {
		t.Errorf("Start-Input-Timers = %v, %v; want false", on, err)
	}
	if d, err := m.Header.Duration(HeaderNoInputTimeout); err != nil || d.Seconds() != 5 {
		t.Errorf("No-Input-Timeout = %v, %v; want 5s", d, err)
	}
}
