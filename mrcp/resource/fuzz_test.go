package resource

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
)

// A fuzz script is requests separated by lines of "%%": each a method
// line, header lines "Name: value", an empty line and a body. A request
// "DIGITS 12#" presses keys instead, and "AUDIO n" feeds n frames of
// speech-like audio. Request-ids are 1, 2, 3...

// fuzzMessages turns a script into requests on ch, parsed from their wire
// form as the session layer would; requests that do not parse are left
// out, as the session layer answers those itself.
func fuzzMessages(script string, ch mrcp.ChannelID) (msgs []*mrcp.Message, actions []string) {
	for i, part := range strings.Split(script, "\n%%\n") {
		if i >= 20 {
			break
		}
		head, body, _ := strings.Cut(part, "\n\n")
		lines := strings.Split(head, "\n")
		method := strings.TrimSpace(lines[0])
		if strings.HasPrefix(method, "DIGITS ") || strings.HasPrefix(method, "AUDIO ") {
			msgs = append(msgs, nil)
			actions = append(actions, method)
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %d\r\nChannel-Identifier: %s\r\n", method, len(msgs)+1, ch)
		for _, l := range lines[1:] {
			b.WriteString(l + "\r\n")
		}
		if body != "" {
			fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
		}
		b.WriteString("\r\n" + body)
		rest := b.String()
		// The message-length counts itself: find the fixed point.
		n := len(rest) + len("MRCP/2.0  ")
		for n != len(rest)+len("MRCP/2.0  ")+len(fmt.Sprint(n)) {
			n = len(rest) + len("MRCP/2.0  ") + len(fmt.Sprint(n))
		}
		m, err := mrcp.Parse([]byte(fmt.Sprintf("MRCP/2.0 %d %s", n, rest)))
		if err != nil {
			msgs = append(msgs, nil)
			actions = append(actions, "")
			continue
		}
		msgs = append(msgs, m)
		actions = append(actions, "")
	}
	return msgs, actions
}

// checkOneResponse checks that exactly one response answered request id
// and that no response answered anything else.
func checkOneResponse(t *testing.T, sent []*mrcp.Message, id mrcp.RequestID) {
	t.Helper()
	n := 0
	for _, m := range sent {
		if m.Kind != mrcp.KindResponse {
			continue
		}
		if m.RequestID != id {
			t.Fatalf("response %s to no request", m)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("request %d got %d responses: %q", id, n, summary(sent))
	}
}

// nullOutput takes sources and reads them only when told.
type nullOutput struct {
	cur  media.Source
	done func(error)
}

func (o *nullOutput) Play(src media.Source, done func(error)) {
	if o.done != nil {
		o.done(media.ErrStopped)
	}
	o.cur, o.done = src, done
}

func (o *nullOutput) Stop() bool {
	d := o.done
	o.cur, o.done = nil, nil
	if d != nil {
		d(media.ErrStopped)
	}
	return d != nil
}

func rfcSeeds(f *testing.F, files ...string) {
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "rfc6787", file))
		if err != nil {
			f.Fatal(err)
		}
		var lines []string
		for l := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(l, "#") || strings.HasPrefix(strings.ToLower(l), "content-length") ||
				strings.HasPrefix(strings.ToLower(l), "channel-identifier") {
				continue
			}
			lines = append(lines, l)
		}
		start := strings.Fields(lines[0])
		lines[0] = start[2]
		f.Add(strings.Join(lines, "\n"))
	}
}

func FuzzSynthHandle(f *testing.F) {
	rfcSeeds(f, "speak-request.txt", "set-params-request.txt", "get-params-request.txt", "control-request.txt",
		"barge-in-occurred-request.txt", "stop-request.txt")
	f.Add("SPEAK\nContent-Type: text/plain\n\nhello\n%%\nSPEAK\nKill-On-Barge-In: false\nContent-Type: text/plain\n\nagain\n%%\nPAUSE\n%%\nSTOP\nActive-Request-Id-List: 2\n%%\nRESUME\n%%\nBARGE-IN-OCCURRED")
	f.Add("SPEAK\nContent-Type: application/ssml+xml\n\n<speak><mark name=\"a\"/>x</speak>\n%%\nCONTROL\nSpeak-Restart: true\nProsody-Volume: -6dB\n%%\nCONTROL\nJump-Size: 2 Words")
	f.Add("SET-PARAMS\nVendor-Specific-Parameters: a=\"b;c\";d=e\nSpeak-Length: 2 seconds\n%%\nGET-PARAMS\nVendor-Specific-Parameters: a\n%%\nGET-PARAMS")
	f.Add("SPEAK\nSpeech-Language: xx\nContent-Type: text/plain\n\nx\n%%\nDEFINE-LEXICON\n%%\nRECOGNIZE")
	f.Fuzz(func(t *testing.T, script string) {
		msgs, _ := fuzzMessages(script, synthChannel)
		send := &fakeSender{}
		out := &nullOutput{}
		synth := &fakeSynth{wordDur: 20 * time.Millisecond}
		s, err := NewSynth(SynthConfig{Channel: synthChannel, Send: send, Out: out, Rate: 8000,
			Engines: &fakeEngines{synth: synth}, Log: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		pcm := make([]int16, 160)
		for _, m := range msgs {
			if m == nil {
				continue
			}
			s.Handle(m)
			checkOneResponse(t, send.take(), m.RequestID)
			s.mu.Lock()
			src := out.cur
			s.mu.Unlock()
			if src != nil {
				src.Next(pcm) // the output reads a frame between requests
			}
		}
	})
}

func FuzzRecogHandle(f *testing.F) {
	rfcSeeds(f, "define-grammar-request.txt", "recognize-request.txt", "recognize-uri-list-request.txt",
		"interpret-request.txt", "get-result-request.txt", "start-input-timers-request.txt", "stop-request.txt")
	f.Add("RECOGNIZE\nContent-Type: text/uri-list\n\nbuiltin:dtmf/digits?length=2\n%%\nDIGITS 1\n%%\nSTART-INPUT-TIMERS\n%%\nDIGITS 2\n%%\nGET-RESULT")
	f.Add("DEFINE-GRAMMAR\nContent-ID: <p>\nContent-Type: application/x-parley-phrases\n\nhello there\n%%\nRECOGNIZE\nRecognition-Mode: hotword\nContent-Type: text/uri-list\n\nsession:p\n%%\nAUDIO 60\n%%\nRECOGNIZE\nCancel-If-Queue: true\n%%\nSTOP")
	f.Add("RECOGNIZE\nDTMF-Term-Char: #\nContent-Type: application/srgs\n\n#ABNF 1.0; mode dtmf; root $r; $r = 1 2;\n%%\nDIGITS 12#\n%%\nGET-RESULT\nConfidence-Threshold: 0.9\n%%\nINTERPRET\nInterpret-Text: 1 2")
	f.Add("SET-PARAMS\nSensitivity-Level: 1\nNo-Input-Timeout: 0\n%%\nRECOGNIZE\nContent-Type: text/uri-list\n\nbuiltin:speech/transcribe\n%%\nAUDIO 100\n%%\nSTOP\nActive-Request-Id-List: 2")
	f.Fuzz(func(t *testing.T, script string) {
		msgs, actions := fuzzMessages(script, recogChannel)
		send := &fakeSender{}
		rec := &fakeRecognizer{final: []speech.Hypothesis{{Text: "hello there", Confidence: 0.9}}}
		r, err := NewRecog(RecogConfig{Channel: recogChannel, Send: send, Rate: 8000, Engines: &fakeEngines{rec: rec}, Log: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		speechPCM := voice(8000, 0.02, 1)
		for i, m := range msgs {
			switch a := actions[i]; {
			case strings.HasPrefix(a, "DIGITS "):
				for _, d := range a[len("DIGITS "):] {
					r.Digit(d)
				}
			case strings.HasPrefix(a, "AUDIO "):
				var n int
				fmt.Sscan(a[len("AUDIO "):], &n)
				for range min(n, 200) {
					r.Audio(0, speechPCM)
				}
			}
			if m == nil {
				continue
			}
			before := len(send.all())
			r.Handle(m)
			var answered []*mrcp.Message
			for _, s := range send.all()[before:] {
				if s.Kind == mrcp.KindResponse {
					answered = append(answered, s)
				}
			}
			checkOneResponse(t, answered, m.RequestID)
		}
	})
}
