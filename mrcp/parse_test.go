package mrcp

import (
	"errors"
	"strings"
	"testing"
)

const ch = "Channel-Identifier:32AECB23433801@speechrecog"

// parseCases is the valid and invalid corpus; FuzzParse starts from it.
var parseCases = []struct {
	name string
	in   []byte
	// err is the sentinel the error must wrap; nil for a valid message.
	err error
	// code is the StatusError code a refused request gets; 0 when the
	// error is not a StatusError.
	code StatusCode
}{
	{"request", wire("", "MRCP/2.0 %d STOP 1", ch), nil, 0},
	{"response", wire("", "MRCP/2.0 %d 1 407 COMPLETE", ch, "Completion-Cause:005 grammar-compilation-failure"), nil, 0},
	{"event", wire("", "MRCP/2.0 %d START-OF-INPUT 4294967295 IN-PROGRESS", ch, "Input-Type:dtmf"), nil, 0},
	{"pending", wire("", "MRCP/2.0 %d 7 200 PENDING", ch), nil, 0},
	{"status 000", wire("", "MRCP/2.0 %d 7 000 COMPLETE", ch), nil, 0},
	{"request-id 0", wire("", "MRCP/2.0 %d STOP 0", ch), nil, 0},
	{"request-id zero-padded", wire("", "MRCP/2.0 %d STOP 0000000001", ch), nil, 0},
	{"body", wire("hello", "MRCP/2.0 %d SPEAK 2", ch, "Content-Type:text/plain", "Content-Length:5"), nil, 0},
	{"body zero-padded length", wire("hello", "MRCP/2.0 %d SPEAK 2", ch, "Content-Length:0005"), nil, 0},
	{"body with CRLF CRLF inside", wire("a\r\n\r\nb", "MRCP/2.0 %d SPEAK 2", ch, "Content-Length:6"), nil, 0},
	{"zero Content-Length", wire("", "MRCP/2.0 %d STOP 3", ch, "Content-Length:0"), nil, 0},
	{"zero-padded message-length", []byte("MRCP/2.0 0000000000000000086 STOP 1\r\n" + ch + "\r\n\r\n"), nil, 0},
	{"lower-case field names", wire("x", "MRCP/2.0 %d SPEAK 2", "channel-identifier: 32AECB23433801@speechrecog", "content-length:  1"), nil, 0},
	{"whitespace around value", wire("", "MRCP/2.0 %d STOP 1", "Channel-Identifier: \t32AECB23433801@speechrecog \t", "Logging-Tag:\t"), nil, 0},
	{"folded value", wire("", "MRCP/2.0 %d STOP 1", ch, "Vendor-Specific-Parameters:a=1;", " \t b=2;", "\tc=3"), nil, 0},
	{"folded empty value", wire("", "MRCP/2.0 %d STOP 1", ch, "Logging-Tag:", "  tag"), nil, 0},
	{"UTF-8 value", wire("", "MRCP/2.0 %d STOP 1", ch, "Logging-Tag:caf\xc3\xa9"), nil, 0},
	{"repeated list field", wire("", "MRCP/2.0 %d 9 200 COMPLETE", ch, "Active-Request-Id-List:1", "Active-Request-Id-List:2, 3"), nil, 0},
	{"extension method", wire("", "MRCP/2.0 %d X-VENDOR_CMD2 5", ch), nil, 0},
	{"event name without state reads as a method", wire("", "MRCP/2.0 %d SPEAK-COMPLETE 1", ch), nil, 0},

	// Framing lost: the stream cannot go on.
	{"not MRCP", []byte("GET / HTTP/1.1\r\n\r\n"), ErrFraming, 0},
	{"lower-case mrcp", []byte("mrcp/2.0 30 STOP 1\r\n\r\n"), ErrFraming, 0},
	{"version without minor", []byte("MRCP/2 30 STOP 1\r\n\r\n"), ErrFraming, 0},
	{"3-digit major", []byte("MRCP/200.0 30 STOP 1\r\n\r\n"), ErrFraming, 0},
	{"length not digits", []byte("MRCP/2.0 ... STOP 1\r\n\r\n"), ErrFraming, 0},
	{"length 20 digits", []byte("MRCP/2.0 00000000000000000034 STOP 1\r\n\r\n"), ErrFraming, 0},
	{"length beyond int", []byte("MRCP/2.0 9999999999999999999 STOP 1\r\n\r\n"), ErrFraming, 0},
	{"length shorter than start line", []byte("MRCP/2.0 12 STOP 1\r\n\r\n"), ErrFraming, 0},
	{"two spaces after version", []byte("MRCP/2.0  30 STOP 1\r\n\r\n"), ErrFraming, 0},
	{"truncated start line", []byte("MRCP/2.0"), ErrMalformed, 0},
	{"empty", nil, ErrMalformed, 0},

	// Framed, but the length does not match the buffer.
	{"length too long", append(wire("", "MRCP/2.0 %d STOP 1", ch), 'x'), ErrLengthMismatch, 0},
	{"length too short", wire("", "MRCP/2.0 %d STOP 1", ch)[1:], ErrFraming, 0},

	// Start line errors: no request-id to answer.
	{"bare LF after start line", wire("", "MRCP/2.0 %d STOP 1\n"+ch), ErrMalformed, 0},
	{"no CRLF", []byte("MRCP/2.0 24 STOP 1\n\n\n\n\n\n"), ErrMalformed, 0},
	{"no empty line", []byte("MRCP/2.0 24 STOP 12\r\nX:y"), ErrMalformed, 0},
	{"three fields", wire("", "MRCP/2.0 %d", ch), ErrMalformed, 0},
	{"six fields", wire("", "MRCP/2.0 %d EV 1 COMPLETE x", ch), ErrMalformed, 0},
	{"double space", wire("", "MRCP/2.0 %d STOP  1", ch), ErrMalformed, 0},
	{"trailing space", wire("", "MRCP/2.0 %d STOP 1 ", ch), ErrMalformed, 0},
	{"method starts with digit", wire("", "MRCP/2.0 %d 9STOP 1", ch), ErrMalformed, 0},
	{"method with dot", wire("", "MRCP/2.0 %d com.x 1", ch), ErrMalformed, 0},
	{"request-id 11 digits", wire("", "MRCP/2.0 %d STOP 00000000001", ch), ErrMalformed, 0},
	{"request-id above 32 bits", wire("", "MRCP/2.0 %d STOP 4294967296", ch), ErrMalformed, 0},
	{"request-id signed", wire("", "MRCP/2.0 %d STOP -1", ch), ErrMalformed, 0},
	{"status 2 digits", wire("", "MRCP/2.0 %d 1 20 COMPLETE", ch), ErrMalformed, 0},
	{"status 4 digits", wire("", "MRCP/2.0 %d 1 2000 COMPLETE", ch), ErrMalformed, 0},
	{"unknown state", wire("", "MRCP/2.0 %d 1 200 DONE", ch), ErrMalformed, 0},
	{"lower-case state", wire("", "MRCP/2.0 %d 1 200 complete", ch), ErrMalformed, 0},
	{"event bad request-id", wire("", "MRCP/2.0 %d SPEAK-COMPLETE x COMPLETE", ch), ErrMalformed, 0},

	// Requests refused with a status code.
	{"version 1.0", wire("", "MRCP/1.0 %d STOP 8", ch), ErrVersion, StatusVersionNotSupported},
	{"version 2.1", wire("", "MRCP/2.1 %d STOP 8", ch), ErrVersion, StatusVersionNotSupported},
	{"no colon", wire("", "MRCP/2.0 %d STOP 8", ch, "Logging-Tag"), ErrMalformed, StatusIllegalHeaderValue},
	{"empty name", wire("", "MRCP/2.0 %d STOP 8", ch, ":x"), ErrMalformed, StatusIllegalHeaderValue},
	{"space before colon", wire("", "MRCP/2.0 %d STOP 8", ch, "Logging-Tag :x"), ErrMalformed, StatusIllegalHeaderValue},
	{"separator in name", wire("", "MRCP/2.0 %d STOP 8", ch, "Log@Tag:x"), ErrMalformed, StatusIllegalHeaderValue},
	{"control character in value", wire("", "MRCP/2.0 %d STOP 8", ch, "Logging-Tag:a\x00b"), ErrMalformed, StatusIllegalHeaderValue},
	{"bare LF in value", wire("", "MRCP/2.0 %d STOP 8", ch, "Logging-Tag:a\nb"), ErrMalformed, StatusIllegalHeaderValue},
	{"bare CR in value", wire("", "MRCP/2.0 %d STOP 8", ch, "Logging-Tag:a\rb"), ErrMalformed, StatusIllegalHeaderValue},
	{"DEL in folded value", wire("", "MRCP/2.0 %d STOP 8", ch, "Logging-Tag:a", " \x7f"), ErrMalformed, StatusIllegalHeaderValue},
	{"continuation first", wire("", "MRCP/2.0 %d STOP 8", " "+ch), ErrMalformed, StatusIllegalHeaderValue},
	{"no Channel-Identifier", wire("", "MRCP/2.0 %d STOP 8", "Logging-Tag:x"), ErrMissingHeader, StatusMandatoryHeaderMissing},
	{"no header at all", wire("", "MRCP/2.0 %d STOP 8"), ErrMissingHeader, StatusMandatoryHeaderMissing},
	{"two Channel-Identifiers", wire("", "MRCP/2.0 %d STOP 8", ch, ch), ErrMalformed, StatusIllegalHeaderValue},
	{"Channel-Identifier without resource", wire("", "MRCP/2.0 %d STOP 8", "Channel-Identifier:abc@"), ErrMalformed, StatusIllegalHeaderValue},
	{"Channel-Identifier without @", wire("", "MRCP/2.0 %d STOP 8", "Channel-Identifier:abc"), ErrMalformed, StatusIllegalHeaderValue},
	{"Channel-Identifier with dash", wire("", "MRCP/2.0 %d STOP 8", "Channel-Identifier:a-b@speechsynth"), ErrMalformed, StatusIllegalHeaderValue},
	{"two Content-Lengths", wire("hi", "MRCP/2.0 %d SPEAK 8", ch, "Content-Length:2", "Content-Length:2"), ErrMalformed, StatusIllegalHeaderValue},
	{"Content-Length signed", wire("hi", "MRCP/2.0 %d SPEAK 8", ch, "Content-Length:+2"), ErrMalformed, StatusIllegalHeaderValue},
	{"Content-Length empty", wire("", "MRCP/2.0 %d SPEAK 8", ch, "Content-Length:"), ErrMalformed, StatusIllegalHeaderValue},
	{"Content-Length 20 digits", wire("", "MRCP/2.0 %d SPEAK 8", ch, "Content-Length:00000000000000000000"), ErrMalformed, StatusIllegalHeaderValue},
	{"Content-Length too small", wire("hello", "MRCP/2.0 %d SPEAK 8", ch, "Content-Length:4"), ErrLengthMismatch, StatusIllegalHeaderValue},
	{"Content-Length too large", wire("hello", "MRCP/2.0 %d SPEAK 8", ch, "Content-Length:6"), ErrLengthMismatch, StatusIllegalHeaderValue},
	{"body without Content-Length", wire("hello", "MRCP/2.0 %d SPEAK 8", ch), ErrLengthMismatch, StatusIllegalHeaderValue},

	// The same faults in a response or event are plain errors.
	{"response without Channel-Identifier", wire("", "MRCP/2.0 %d 8 200 COMPLETE"), ErrMissingHeader, 0},
	{"event with bad field", wire("", "MRCP/2.0 %d START-OF-INPUT 8 IN-PROGRESS", ch, "bad"), ErrMalformed, 0},
	{"event of version 3.0", wire("", "MRCP/3.0 %d START-OF-INPUT 8 IN-PROGRESS", ch), ErrVersion, 0},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.in)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tc.in, err)
				}
				if err := m.Validate(); err != nil {
					t.Errorf("parsed message does not validate: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("Parse(%q) = %v, want %v", tc.in, err, tc.err)
			}
			if m != nil {
				t.Errorf("Parse returned a message with an error")
			}
			var se *StatusError
			switch {
			case tc.code == 0 && errors.As(err, &se):
				t.Errorf("got StatusError %v, want a plain error", se)
			case tc.code != 0 && !errors.As(err, &se):
				t.Errorf("got %v, want a StatusError %d", err, tc.code)
			case tc.code != 0 && (se.Code != tc.code || se.RequestID != 8):
				t.Errorf("StatusError code %d request %d, want %d request 8", se.Code, se.RequestID, tc.code)
			}
		})
	}
}

// TestParseFields checks what the valid cases parse into.
func TestParseFields(t *testing.T) {
	get := func(name string) *Message {
		for _, tc := range parseCases {
			if tc.name == name {
				m, err := Parse(tc.in)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return m
			}
		}
		t.Fatalf("no case %q", name)
		return nil
	}
	m := get("event")
	if m.Kind != KindEvent || m.Event != EventStartOfInput || m.RequestID != 4294967295 || m.State != StateInProgress || m.Version != Version2 {
		t.Errorf("event: %+v", m)
	}
	m = get("response")
	if m.Kind != KindResponse || m.Status != StatusMethodFailed || m.State != StateComplete {
		t.Errorf("response: %+v", m)
	}
	if c, err := m.RecogCause(); err != nil || c != RecogGrammarCompilationFailure {
		t.Errorf("RecogCause() = %v, %v", c, err)
	}
	if got := get("whitespace around value").Header; got[0].Value != "32AECB23433801@speechrecog" || got[1].Value != "" {
		t.Errorf("trimmed values: %q", got)
	}
	if got := get("folded value").Header.Get(HeaderVendorSpecificParameters); got != "a=1; b=2; c=3" {
		t.Errorf("folded value %q", got)
	}
	if got := get("folded empty value").Header.Get(HeaderLoggingTag); got != "tag" {
		t.Errorf("folded empty value %q", got)
	}
	m = get("lower-case field names")
	if string(m.Body) != "x" || m.Header[0].Name != "channel-identifier" {
		t.Errorf("lower-case names: %q %q", m.Header, m.Body)
	}
	if got := get("body with CRLF CRLF inside").Body; string(got) != "a\r\n\r\nb" {
		t.Errorf("body %q", got)
	}
	if got := get("status 000").Status; got != 0 {
		t.Errorf("status %d", got)
	}
}

// TestStatusErrorResponse checks the answer a server sends for a refused
// request: the code, COMPLETE, and the channel even when the field that
// failed came before it.
func TestStatusErrorResponse(t *testing.T) {
	in := wire("", "MRCP/2.0 %d SPEAK 77", "Logging-Tag:a\x01", ch)
	_, err := Parse(in)
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("Parse: %v, want a StatusError", err)
	}
	resp := se.Response()
	want := "MRCP/2.0 79 77 404 COMPLETE\r\nChannel-Identifier: 32AECB23433801@speechrecog\r\n\r\n"
	if got, err := resp.Marshal(); err != nil || string(got) != want {
		t.Errorf("Response() marshals to %q, %v; want %q", got, err, want)
	}
	if !strings.Contains(se.Error(), "404 Illegal value for header field") || !errors.Is(se, ErrMalformed) {
		t.Errorf("Error() = %q", se.Error())
	}

	_, err = Parse(wire("", "MRCP/2.0 %d STOP 5", "Logging-Tag:x"))
	if !errors.As(err, &se) || se.Channel != "" {
		t.Fatalf("Parse: %v", err)
	}
	got, err := se.Response().Marshal()
	if err != nil || string(got) != "MRCP/2.0 30 5 406 COMPLETE\r\n\r\n" {
		t.Errorf("Response() without channel: %q, %v", got, err)
	}
}

// TestUnmarshalReuse parses different messages into one Message and
// checks that nothing of the previous one remains.
func TestUnmarshalReuse(t *testing.T) {
	var m Message
	big := wire("0123456789", "MRCP/2.0 %d SPEAK 1", ch, "Voice-Name:x", "Content-Length:10")
	small := wire("", "MRCP/2.0 %d 2 200 COMPLETE", ch)
	for i, in := range [][]byte{big, small, big, small} {
		if err := m.Unmarshal(in); err != nil {
			t.Fatal(err)
		}
		fresh, _ := Parse(in)
		if d := sameMessage(&m, fresh); d != "" {
			t.Errorf("round %d: %s", i, d)
		}
	}
	// The message keeps no reference to the input.
	in := wire("body", "MRCP/2.0 %d SPEAK 1", ch, "Content-Length:4")
	if err := m.Unmarshal(in); err != nil {
		t.Fatal(err)
	}
	clear(in)
	if string(m.Body) != "body" || m.Header.Get(HeaderChannelIdentifier) != "32AECB23433801@speechrecog" {
		t.Errorf("message changed with its input: %q %q", m.Header, m.Body)
	}
}

func TestFrame(t *testing.T) {
	full := []byte("MRCP/12.34 0000000000000001234 ")
	if len(full) != maxFramePrefix {
		t.Fatalf("test prefix of %d octets, want %d", len(full), maxFramePrefix)
	}
	for i := range len(full) {
		if _, err := Frame(full[:i]); err != ErrNeedMore {
			t.Errorf("Frame(%q) = %v, want ErrNeedMore", full[:i], err)
		}
	}
	if n, err := Frame(full); n != 1234 || err != nil {
		t.Errorf("Frame(%q) = %d, %v", full, n, err)
	}
	// Garbage is refused at its first wrong octet, not after 31.
	for _, in := range []string{"X", "MRCP/x", "MRCP/1.x", "MRCP/1.0x", "MRCP/1.0  ", "MRCP/1.0 1a", "MRCP/123"} {
		if _, err := Frame([]byte(in)); !errors.Is(err, ErrFraming) || !errors.Is(err, ErrMalformed) {
			t.Errorf("Frame(%q) = %v, want ErrFraming", in, err)
		}
	}
}
