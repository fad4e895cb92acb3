package mrcp

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestAppendToGolden(t *testing.T) {
	speak := NewRequest(MethodSpeak, 543257, synthChannel)
	speak.Header.Add(HeaderVoiceGender, "neutral")
	speak.Header.Add(HeaderKillOnBargeIn, "")
	speak.SetBody("text/plain", []byte("Hello"))

	stop := NewResponse(&Message{RequestID: 543259, Header: Header{{"channel-identifier", string(synthChannel)}}}, StatusSuccess, StateComplete)
	stop.SetActiveRequestIDs(543258, 543260)

	done := NewEvent(EventRecognitionComplete, 7, StateComplete, recogChannel)
	done.Header.Set(HeaderCompletionCause, RecogNoMatch.String())

	odd := &Message{Kind: KindResponse, RequestID: 0, Status: 7, State: StatePending}

	cases := []struct {
		name string
		m    *Message
		want string
	}{
		{"request with body", speak, "MRCP/2.0 169 SPEAK 543257\r\n" +
			"Channel-Identifier: 32AECB23433802@speechsynth\r\n" +
			"Voice-Gender: neutral\r\n" +
			"Kill-On-Barge-In:\r\n" +
			"Content-Type: text/plain\r\n" +
			"Content-Length: 5\r\n" +
			"\r\nHello"},
		{"response", stop, "MRCP/2.0 123 543259 200 COMPLETE\r\n" +
			"Channel-Identifier: 32AECB23433802@speechsynth\r\n" +
			"Active-Request-Id-List: 543258,543260\r\n\r\n"},
		{"event", done, "MRCP/2.0 128 RECOGNITION-COMPLETE 7 COMPLETE\r\n" +
			"Channel-Identifier: 32AECB23433801@speechrecog\r\n" +
			"Completion-Cause: 001 no-match\r\n\r\n"},
		{"zero version, padded status", odd, "MRCP/2.0 29 0 007 PENDING\r\n\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if n, _ := Frame(got); n != len(got) {
				t.Errorf("message-length %d, message is %d octets", n, len(got))
			}
			// AppendTo appends.
			if got := tc.m.AppendTo([]byte("xy")); string(got) != "xy"+tc.want {
				t.Errorf("AppendTo did not append to its argument: %q", got[:10])
			}
		})
	}
}

// TestMessageLengthFixedPoint checks the message-length for every body
// size from 0 to 12,000 octets, across the lengths where the
// message-length gains a digit (99/100, 999/1000, 9999/10000).
func TestMessageLengthFixedPoint(t *testing.T) {
	m := NewRequest(MethodSpeak, 1, "a@speechsynth")
	body := bytes.Repeat([]byte("x"), 12000)
	var buf []byte
	for n := 0; n <= len(body); n++ {
		m.Body = body[:n]
		buf = m.AppendTo(buf[:0])
		got, err := Frame(buf)
		if err != nil || got != len(buf) {
			t.Fatalf("body %d: message-length %d (%v), message is %d octets", n, got, err, len(buf))
		}
		if n < 200 || n%997 == 0 {
			if _, err := Parse(buf); err != nil {
				t.Fatalf("body %d: %v", n, err)
			}
		}
	}
	for rest := 0; rest < 200000; rest++ {
		n := messageLength(rest)
		if n != rest+len(strconv.Itoa(n)) {
			t.Fatalf("messageLength(%d) = %d", rest, n)
		}
	}
}

// TestContentLengthFromBody checks that Content-Length always follows the
// body, keeping the field's place and any text that already says the
// right number.
func TestContentLengthFromBody(t *testing.T) {
	cases := []struct {
		name   string
		header Header
		body   string
		want   string // the header section as written
	}{
		{"added at the end", Header{{"A", "1"}}, "abc", "A: 1\r\nContent-Length: 3\r\n"},
		{"corrected in place", Header{{"content-length", "99"}, {"A", "1"}}, "abc", "content-length: 3\r\nA: 1\r\n"},
		{"padded value kept", Header{{"Content-Length", "003"}}, "abc", "Content-Length: 003\r\n"},
		{"not added without body", Header{{"A", "1"}}, "", "A: 1\r\n"},
		{"set to zero without body", Header{{"Content-Length", "12"}}, "", "Content-Length: 0\r\n"},
		{"garbage replaced", Header{{"Content-Length", "x"}}, "ab", "Content-Length: 2\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := &Message{Kind: KindRequest, Method: MethodSpeak, RequestID: 1, Header: tc.header, Body: []byte(tc.body)}
			out := m.AppendTo(nil)
			start := bytes.Index(out, crlf) + 2
			end := bytes.Index(out, []byte("\r\n\r\n")) + 2
			if got := string(out[start:end]); got != tc.want {
				t.Errorf("header %q, want %q", got, tc.want)
			}
			if n, _ := Frame(out); n != len(out) {
				t.Errorf("message-length %d, message is %d octets", n, len(out))
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := func() *Message { return NewRequest(MethodStop, 1, "a@speechsynth") }
	cases := []struct {
		name   string
		change func(m *Message)
		err    error
	}{
		{"valid", func(m *Message) {}, nil},
		{"zero kind", func(m *Message) { m.Kind = 0 }, ErrInvalidMessage},
		{"unknown kind", func(m *Message) { m.Kind = 9 }, ErrInvalidMessage},
		{"version 1.0", func(m *Message) { m.Version = 1 << 8 }, ErrVersion},
		{"empty method", func(m *Message) { m.Method = "" }, ErrInvalidMessage},
		{"method with space", func(m *Message) { m.Method = "A B" }, ErrInvalidMessage},
		{"event without name", func(m *Message) { m.Kind, m.State = KindEvent, StateComplete }, ErrInvalidMessage},
		{"event without state", func(m *Message) { m.Kind, m.Event = KindEvent, EventStartOfInput }, ErrInvalidMessage},
		{"response without state", func(m *Message) { m.Kind, m.Status = KindResponse, 200 }, ErrInvalidMessage},
		{"4-digit status", func(m *Message) { m.Kind, m.Status, m.State = KindResponse, 1000, StateComplete }, ErrInvalidMessage},
		{"bad state", func(m *Message) { m.Kind, m.Status, m.State = KindResponse, 200, 4 }, ErrInvalidMessage},
		{"name with colon", func(m *Message) { m.Header.Add("A:B", "x") }, ErrInvalidMessage},
		{"empty name", func(m *Message) { m.Header.Add("", "x") }, ErrInvalidMessage},
		{"CRLF in value", func(m *Message) { m.Header.Add("A", "x\r\nB: y") }, ErrInvalidMessage},
		{"leading space in value", func(m *Message) { m.Header.Add("A", " x") }, ErrInvalidMessage},
		{"trailing tab in value", func(m *Message) { m.Header.Add("A", "x\t") }, ErrInvalidMessage},
		{"bad channel", func(m *Message) { m.SetChannel("a@") }, ErrInvalidMessage},
		{"two channels", func(m *Message) { m.Header.Add(HeaderChannelIdentifier, "b@speechsynth") }, ErrInvalidMessage},
		{"no channel", func(m *Message) { m.Header.Del(HeaderChannelIdentifier) }, nil},
		{"two Content-Lengths", func(m *Message) { m.Header.Add("Content-Length", "0"); m.Header.Add("content-length", "0") }, ErrInvalidMessage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := ok()
			tc.change(m)
			err := m.Validate()
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("Validate() = %v, want %v", err, tc.err)
			}
			if _, merr := m.Marshal(); (merr == nil) != (err == nil) {
				t.Errorf("Marshal() = %v, Validate() = %v", merr, err)
			}
		})
	}
}

func TestMessageString(t *testing.T) {
	cases := map[string]*Message{
		"SPEAK 543257":                   {Kind: KindRequest, Method: MethodSpeak, RequestID: 543257},
		"543257 200 IN-PROGRESS":         {Kind: KindResponse, RequestID: 543257, Status: 200, State: StateInProgress},
		"SPEAK-COMPLETE 543257 COMPLETE": {Kind: KindEvent, Event: EventSpeakComplete, RequestID: 543257, State: StateComplete},
		"Kind(0) 3":                      {RequestID: 3},
	}
	for want, m := range cases {
		if got := m.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if got := StatusCode(404).String(); got != "404 Illegal value for header field" {
		t.Errorf("%q", got)
	}
	for code, want := range map[StatusCode]string{299: "Success", 421: "Client failure", 503: "Server failure", 42: "Unknown status"} {
		if got := code.Text(); got != want {
			t.Errorf("StatusCode(%d).Text() = %q, want %q", code, got, want)
		}
	}
	if !StatusSuccessWithIgnored.Success() || !StatusOutOfOrder.ClientFailure() || !StatusMessageTooLarge.ServerFailure() || StatusSuccess.ClientFailure() {
		t.Errorf("status classes")
	}
	if got := (Version(3<<8 | 14)).String(); got != "MRCP/3.14" {
		t.Errorf("Version.String() = %q", got)
	}
	if !strings.Contains(RequestState(9).String(), "9") || StateInProgress.String() != "IN-PROGRESS" {
		t.Errorf("RequestState.String()")
	}
}
