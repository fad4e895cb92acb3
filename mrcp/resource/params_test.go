package resource

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-cc/parley/mrcp"
)

// rfcMessage reads one of the RFC 6787 examples in mrcp/testdata (as the
// RFC prints it, with "..." lengths) into a request with the given id.
func rfcMessage(t *testing.T, file string, id mrcp.RequestID) *mrcp.Message {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "rfc6787", file))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, strings.TrimRight(l, "\r"))
		}
	}
	start := strings.Fields(lines[0])
	m := &mrcp.Message{Kind: mrcp.KindRequest, Version: mrcp.Version2, Method: mrcp.Method(start[2]), RequestID: id}
	i := 1
	for ; i < len(lines) && lines[i] != ""; i++ {
		if strings.HasPrefix(lines[i], " ") && len(m.Header) > 0 { // folded
			m.Header[len(m.Header)-1].Value += " " + strings.TrimSpace(lines[i])
			continue
		}
		name, value, _ := strings.Cut(lines[i], ":")
		if strings.EqualFold(name, mrcp.HeaderContentLength) {
			continue
		}
		m.Header.Add(name, strings.TrimSpace(value))
	}
	if i < len(lines) {
		m.Body = []byte(strings.Join(lines[i+1:], "\r\n"))
		m.Header.Add(mrcp.HeaderContentLength, strconv.Itoa(len(m.Body)))
	}
	return m
}

func TestSynthRFCExamples(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.synth.wordDur = 300 * time.Millisecond
		for i, step := range []struct {
			file string
			want string
		}{
			{"set-params-request.txt", "1 200 COMPLETE"},
			{"get-params-request.txt", "2 200 COMPLETE"},
			{"speak-request.txt", "3 200 IN-PROGRESS"},
			{"pause-request.txt", "4 200 COMPLETE [3]"},
			{"resume-request.txt", "5 200 COMPLETE [3]"},
			{"control-request.txt", "6 200 COMPLETE [3]"},
			{"barge-in-occurred-request.txt", "7 200 COMPLETE [3]"},
			{"stop-request.txt", "8 200 COMPLETE"},
		} {
			r.s.Handle(rfcMessage(t, step.file, mrcp.RequestID(i+1)))
			got := r.send.take()
			wantSummary(t, got, step.want)
			if step.file == "get-params-request.txt" {
				if got[0].Header.Get("Voice-Gender") != "female" || got[0].Header.Get("Voice-Variant") != "3" {
					t.Errorf("GET-PARAMS %v", got[0].Header)
				}
			}
			wait(100 * time.Millisecond)
		}
		if sel := r.eng.lastVoice(); sel.Gender != "neutral" || sel.Age != 25 || sel.Language != "en-US" {
			t.Errorf("voice selection %+v", sel)
		}
	})
}

func TestRecogRFCExamples(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		for i, step := range []struct {
			file string
			want []string
		}{
			{"define-grammar-request.txt", []string{"1 200 COMPLETE 000 success"}},
			{"recognize-request.txt", []string{"2 200 IN-PROGRESS"}},
			{"start-input-timers-request.txt", []string{"3 200 COMPLETE"}},
			{"stop-request.txt", []string{"4 200 COMPLETE [2]"}},
			{"get-result-request.txt", []string{"5 402 COMPLETE"}},
			// This grammar has no root attribute: its first rule, "yes", is
			// the root (SRGS section 4.7), and the text does not match it.
			{"interpret-request.txt", []string{"6 200 IN-PROGRESS", "INTERPRETATION-COMPLETE 6 COMPLETE 001 no-match"}},
		} {
			m := rfcMessage(t, step.file, mrcp.RequestID(i+1))
			m.SetChannel(recogChannel)
			g.r.Handle(m)
			wantSummary(t, g.send.take(), step.want...)
		}
	})
}

func TestSetGetParams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		for _, step := range []struct {
			method mrcp.Method
			fields []string
			want   string
			echo   []string // fields the response must carry, "Name: value"
			absent []string
		}{
			{mrcp.MethodGetParams, nil, "200 COMPLETE", []string{"Kill-On-Barge-In: true", "Prosody-Rate: medium", "Speech-Language: en-US", "Fetch-Timeout: 10000"}, []string{"Voice-Name", "Vendor-Specific-Parameters"}},
			{mrcp.MethodSetParams, []string{"Voice-Name: kal", "Logging-Tag: call-7", "Vendor-Specific-Parameters: com.example.a=1;com.example.b=\"x;y\""}, "200 COMPLETE", nil, nil},
			{mrcp.MethodGetParams, []string{"voice-name:", "Logging-Tag:", "Vendor-Specific-Parameters: com.example.b"}, "200 COMPLETE", []string{"Voice-Name: kal", "Logging-Tag: call-7", "Vendor-Specific-Parameters: com.example.b=\"x;y\""}, nil},
			{mrcp.MethodGetParams, []string{"Vendor-Specific-Parameters:"}, "200 COMPLETE", []string{"Vendor-Specific-Parameters: com.example.a=1;com.example.b=\"x;y\""}, nil},
			// Nothing is set unless everything can be.
			{mrcp.MethodSetParams, []string{"Voice-Name: slt", "X-Unknown: 1"}, "403 COMPLETE", []string{"X-Unknown: 1"}, []string{"Voice-Name"}},
			{mrcp.MethodSetParams, []string{"Voice-Name: slt", "Voice-Age: old", "X-Unknown: 1"}, "404 COMPLETE", []string{"Voice-Age: old"}, []string{"X-Unknown", "Voice-Name"}},
			{mrcp.MethodSetParams, []string{"Speak-Length: 3 words", "X-Unknown: 1"}, "403 COMPLETE", []string{"X-Unknown: 1"}, nil},
			{mrcp.MethodSetParams, []string{"Speak-Length: 3 words"}, "409 COMPLETE", []string{"Speak-Length: 3 words"}, nil},
			{mrcp.MethodSetParams, []string{"Active-Request-Id-List: 1"}, "403 COMPLETE [1]", []string{"Active-Request-Id-List: 1"}, nil},
			{mrcp.MethodSetParams, []string{"Vendor-Specific-Parameters: com.example.c"}, "404 COMPLETE", nil, nil},
			{mrcp.MethodSetParams, []string{"Speaker-Profile: http://example.com/me"}, "201 COMPLETE", nil, nil},
			{mrcp.MethodGetParams, []string{"Voice-Name:", "Speaker-Profile:"}, "200 COMPLETE", []string{"Voice-Name: kal", "Speaker-Profile: "}, nil},
			{mrcp.MethodGetParams, []string{"Voice-Name:", "Input-Type:"}, "403 COMPLETE", []string{"Input-Type: "}, []string{"Voice-Name"}},
		} {
			id := r.do(step.method, step.fields...)
			got := r.send.take()
			wantSummary(t, got, fmt.Sprintf("%d %s", id, step.want))
			for _, e := range step.echo {
				name, value, _ := strings.Cut(e, ":")
				if v, ok := got[0].Header.Lookup(name); !ok || v != strings.TrimSpace(value) {
					t.Errorf("%s %v: %s = %q, want %q", step.method, step.fields, name, v, strings.TrimSpace(value))
				}
			}
			for _, a := range step.absent {
				if v, ok := got[0].Header.Lookup(a); ok {
					t.Errorf("%s %v: %s: %q present", step.method, step.fields, a, v)
				}
			}
		}
		// Too many vendor parameters.
		var pairs []string
		for i := range maxVendorParams {
			pairs = append(pairs, fmt.Sprintf("com.example.p%d=%d", i, i))
		}
		r.do(mrcp.MethodSetParams, "Vendor-Specific-Parameters: "+strings.Join(pairs, ";"))
		wantSummary(t, r.send.take(), fmt.Sprintf("%d 409 COMPLETE", r.id))
	})
}

func TestRecogParams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.do(mrcp.MethodGetParams)
		got := g.send.take()
		for _, want := range []string{"Confidence-Threshold: 0.5", "N-Best-List-Length: 1", "No-Input-Timeout: 5000",
			"Speech-Complete-Timeout: 500", "DTMF-Term-Timeout: 0", "Recognition-Mode: normal"} {
			name, value, _ := strings.Cut(want, ": ")
			if v := got[0].Header.Get(name); v != value {
				t.Errorf("GET-PARAMS %s = %q, want %q", name, v, value)
			}
		}
		g.do(mrcp.MethodSetParams, "No-Input-Timeout: 700", "Confidence-Threshold: 0.25", "DTMF-Term-Char: #")
		g.do(mrcp.MethodSetParams, "Cancel-If-Queue: true")
		g.do(mrcp.MethodSetParams, "N-Best-List-Length: 0")
		wantSummary(t, g.send.take(), "2 200 COMPLETE", "3 403 COMPLETE", "4 404 COMPLETE")
		start := time.Now()
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.quiet(1)
		got = g.send.take()
		wantSummary(t, got, "5 200 IN-PROGRESS", "RECOGNITION-COMPLETE 5 COMPLETE 002 no-input-timeout")
		if d := g.send.sentAt(got[1]).Sub(start); d != 700*time.Millisecond {
			t.Errorf("No-Input-Timeout from SET-PARAMS: fired after %v", d)
		}
	})
}

func TestRequestChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.s.Handle(request(synthChannel, mrcp.MethodGetParams, 10))
		r.s.Handle(request(synthChannel, mrcp.MethodGetParams, 10))
		r.s.Handle(request(synthChannel, mrcp.MethodGetParams, 9))
		r.s.Handle(request("32AECB23433801@speechsynth", mrcp.MethodGetParams, 11))
		noChannel := request(synthChannel, mrcp.MethodGetParams, 12)
		noChannel.Header.Del(mrcp.HeaderChannelIdentifier)
		r.s.Handle(noChannel)
		badChannel := request(synthChannel, mrcp.MethodGetParams, 13)
		badChannel.Header.Set(mrcp.HeaderChannelIdentifier, "no channel")
		r.s.Handle(badChannel)
		r.s.Handle(&mrcp.Message{Kind: mrcp.KindResponse, RequestID: 14})
		r.s.Handle(nil)
		r.s.Handle(request(synthChannel, mrcp.MethodRecognize, 15))
		r.s.Handle(request(synthChannel, mrcp.MethodDefineLexicon, 16))
		got := r.send.take()
		wantSummary(t, got, "10 200 COMPLETE", "10 410 COMPLETE", "9 410 COMPLETE", "11 405 COMPLETE",
			"12 406 COMPLETE", "13 404 COMPLETE", "15 401 COMPLETE", "16 401 COMPLETE")
		for _, m := range got {
			if ch, _ := m.Channel(); ch != synthChannel {
				t.Errorf("%s on channel %q", m, ch)
			}
		}
	})
}
