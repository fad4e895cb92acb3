package resource

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/nlsml"
	"github.com/parley-cc/parley/mrcp/speech"
)

const yesNo = `<?xml version="1.0"?>
<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" xml:lang="en-US" root="yn"
         tag-format="semantics/1.0-literals">
  <rule id="yn" scope="public">
    <one-of>
      <item>yes<tag>true</tag></item>
      <item>no<tag>false</tag></item>
    </one-of>
  </rule>
</grammar>`

const speakTo = `<?xml version="1.0"?>
<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" xml:lang="fr-CA" root="request">
  <rule id="request">may I speak to <one-of><item>Michel Tremblay</item><item>Andre Roy</item></one-of></rule>
</grammar>`

type recogRig struct {
	r    *Recog
	send *fakeSender
	eng  *fakeEngines
	rec  *fakeRecognizer
	id   mrcp.RequestID
	at   time.Duration
}

func newRecogRig(t *testing.T) *recogRig {
	t.Helper()
	g := &recogRig{send: &fakeSender{}, rec: &fakeRecognizer{}}
	g.eng = &fakeEngines{rec: g.rec}
	r, err := NewRecog(RecogConfig{Channel: recogChannel, Send: g.send, Rate: 8000, Engines: g.eng, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	g.r = r
	t.Cleanup(r.Close)
	return g
}

func (g *recogRig) do(method mrcp.Method, fields ...string) mrcp.RequestID {
	g.id++
	g.r.Handle(request(recogChannel, method, g.id, fields...))
	return g.id
}

func (g *recogRig) doBody(method mrcp.Method, contentType, body string, fields ...string) mrcp.RequestID {
	g.id++
	g.r.Handle(withBody(request(recogChannel, method, g.id, fields...), contentType, body))
	return g.id
}

// play feeds audio in 20 ms frames at the pace of real time (fake time
// inside a bubble).
func (g *recogRig) play(pcm []int16) {
	const frame = 160
	for len(pcm) >= frame {
		time.Sleep(20 * time.Millisecond) // a frame arrives once it is over
		g.r.Audio(g.at, pcm[:frame])
		pcm = pcm[frame:]
		g.at += 20 * time.Millisecond
	}
	synctest.Wait()
}

func (g *recogRig) quiet(secs float64)  { g.play(hiss(8000, secs)) }
func (g *recogRig) speech(secs float64) { g.play(voice(8000, secs, 1)) }

// result parses the NLSML body of m.
func result(t *testing.T, m *mrcp.Message) *nlsml.Result {
	t.Helper()
	if ct := m.ContentType(); ct != nlsml.ContentType {
		t.Fatalf("%s: Content-Type %q", m, ct)
	}
	res, err := nlsml.Parse(m.Body)
	if err != nil {
		t.Fatalf("%s: %v\n%s", m, err, m.Body)
	}
	return res
}

func TestRecogSpeechSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.rec.set("yes", speech.Hypothesis{Text: "yes", Confidence: 0.9, Grammar: 0})
		start := time.Now()
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "Content-ID: <yn@example.com>")
		wantSummary(t, g.send.take(), "1 200 IN-PROGRESS")
		g.quiet(1)
		g.speech(1.2)
		got := g.send.take()
		wantSummary(t, got, "START-OF-INPUT 1 IN-PROGRESS")
		if v := got[0].Header.Get(mrcp.HeaderInputType); v != "speech" {
			t.Errorf("Input-Type %q", v)
		}
		if d := g.send.sentAt(got[0]).Sub(start); d < time.Second || d > 1200*time.Millisecond {
			t.Errorf("START-OF-INPUT after %v, want soon after 1 s", d)
		}
		g.quiet(1.5)
		got = g.send.take()
		wantSummary(t, got, "RECOGNITION-COMPLETE 1 COMPLETE 000 success")
		// Speech ends at 2.2 s; Speech-Complete-Timeout is 500 ms.
		if d := g.send.sentAt(got[0]).Sub(start); d < 2700*time.Millisecond || d > 2800*time.Millisecond {
			t.Errorf("RECOGNITION-COMPLETE after %v, want 2.7 s", d)
		}
		res := result(t, got[0])
		best, _ := res.Best()
		if res.Grammar != "session:yn@example.com" || best.Instance != "true" || best.Input.Text != "yes" ||
			best.Input.Mode != "speech" || best.Confidence != 0.9 {
			t.Errorf("result %+v", res)
		}
		req := g.rec.lastRequest()
		if req.Language != "en-US" || req.Rate != 8000 || len(req.Grammars) != 1 || req.NBest != 1 || req.Transcribe {
			t.Errorf("engine request %+v", req)
		}
		starts, ends, open, written := g.rec.stats()
		if starts != 1 || ends != 1 || open != 0 {
			t.Errorf("streams: %d started, %d ended, %d open", starts, ends, open)
		}
		// From the onset (1.0 s) to the end: about 1.7 s.
		if secs := float64(written) / 8000; secs < 1.5 || secs > 1.9 {
			t.Errorf("wrote %.2f s of audio to the engine", secs)
		}

		g.do(mrcp.MethodGetResult)
		g.do(mrcp.MethodGetResult, "Confidence-Threshold: 0.95")
		got = g.send.take()
		wantSummary(t, got, "2 200 COMPLETE", "3 200 COMPLETE")
		if b, _ := result(t, got[0]).Best(); b.Instance != "true" {
			t.Errorf("GET-RESULT %+v", b)
		}
		if !result(t, got[1]).NoMatch() {
			t.Errorf("GET-RESULT above the confidence is not a no-match: %s", got[1].Body)
		}
		// The grammar is now defined for the session.
		g.doBody(mrcp.MethodInterpret, "text/uri-list", "session:yn@example.com", "Interpret-Text: no")
		got = g.send.take()
		wantSummary(t, got, "4 200 IN-PROGRESS", "INTERPRETATION-COMPLETE 4 COMPLETE 000 success")
		if b, _ := result(t, got[1]).Best(); b.Instance != "false" {
			t.Errorf("INTERPRET %+v", b)
		}
	})
}

func TestRecogNoMatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hyps  []speech.Hypothesis
		extra []string
		text  string
	}{
		{"out of grammar", []speech.Hypothesis{{Text: "maybe", Confidence: 0.9}}, nil, "maybe"},
		{"low confidence", []speech.Hypothesis{{Text: "yes", Confidence: 0.3}}, nil, "yes"},
		{"below the request's threshold", []speech.Hypothesis{{Text: "yes", Confidence: 0.7}}, []string{"Confidence-Threshold: 0.8"}, "yes"},
		{"nothing recognized", nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newRecogRig(t)
				g.rec.set("", tc.hyps...)
				g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, tc.extra...)
				g.quiet(1)
				g.speech(0.8)
				g.quiet(1.5)
				got := g.send.take()
				wantSummary(t, got, "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 001 no-match")
				res := result(t, got[2])
				if b, _ := res.Best(); !res.NoMatch() || b.Input.Text != tc.text {
					t.Errorf("result %+v", res)
				}
			})
		})
	}
}

func TestRecogNBest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.rec.set("", speech.Hypothesis{Text: "yes", Confidence: 0.8}, speech.Hypothesis{Text: "mess", Confidence: 0.7},
			speech.Hypothesis{Text: "no", Confidence: 0.6}, speech.Hypothesis{Text: "yes", Confidence: 0.55})
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "N-Best-List-Length: 2")
		g.quiet(1)
		g.speech(0.8)
		g.quiet(1.5)
		got := g.send.take()
		res := result(t, got[len(got)-1])
		if len(res.Interpretations) != 2 || res.Interpretations[0].Instance != "true" || res.Interpretations[1].Instance != "false" {
			t.Errorf("n-best %+v", res.Interpretations)
		}
		if g.rec.lastRequest().NBest != 2 {
			t.Errorf("engine asked for %d alternatives", g.rec.lastRequest().NBest)
		}
	})
}

func TestRecogNoInputTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		start := time.Now()
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "No-Input-Timeout: 2000")
		g.quiet(3)
		got := g.send.take()
		wantSummary(t, got, "1 200 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 002 no-input-timeout")
		if d := g.send.sentAt(got[1]).Sub(start); d != 2*time.Second {
			t.Errorf("no-input after %v", d)
		}
		if len(got[1].Body) != 0 {
			t.Errorf("no-input carries a body: %s", got[1].Body)
		}
		if _, _, open, _ := g.rec.stats(); open != 0 {
			t.Errorf("%d engine streams left open", open)
		}
		g.do(mrcp.MethodGetResult)
		got = g.send.take()
		wantSummary(t, got, "2 200 COMPLETE")
		if !result(t, got[0]).NoInput() {
			t.Errorf("GET-RESULT after no-input: %s", got[0].Body)
		}
	})
}

func TestRecogStartInputTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.do(mrcp.MethodStartInputTimers)
		wantSummary(t, g.send.take(), "1 402 COMPLETE")
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "Start-Input-Timers: false", "No-Input-Timeout: 1000")
		g.quiet(3)
		wantSummary(t, g.send.take(), "2 200 IN-PROGRESS")
		start := time.Now()
		g.do(mrcp.MethodStartInputTimers)
		g.quiet(2)
		got := g.send.take()
		wantSummary(t, got, "3 200 COMPLETE", "RECOGNITION-COMPLETE 2 COMPLETE 002 no-input-timeout")
		if d := g.send.sentAt(got[1]).Sub(start); d != time.Second {
			t.Errorf("no-input after %v", d)
		}
	})
}

func TestRecogBargeInBeforeTimers(t *testing.T) {
	// Speech during the prompt, before START-INPUT-TIMERS, still starts
	// the input.
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.rec.set("", speech.Hypothesis{Text: "no", Confidence: 0.9})
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "Start-Input-Timers: false")
		g.quiet(1)
		g.speech(0.5)
		g.quiet(1)
		wantSummary(t, g.send.take(), "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 000 success")
	})
}

func TestRecogRecognitionTimeout(t *testing.T) {
	for _, tc := range []struct {
		final []speech.Hypothesis
		want  string
	}{
		{[]speech.Hypothesis{{Text: "yes", Confidence: 0.9}}, "RECOGNITION-COMPLETE 1 COMPLETE 008 success-maxtime"},
		{nil, "RECOGNITION-COMPLETE 1 COMPLETE 015 no-match-maxtime"},
	} {
		synctest.Test(t, func(t *testing.T) {
			g := newRecogRig(t)
			g.rec.set("", tc.final...)
			g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "Recognition-Timeout: 1500")
			g.quiet(1)
			start := time.Now()
			g.speech(3)
			got := g.send.take()
			wantSummary(t, got, "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", tc.want)
			if d := g.send.sentAt(got[2]).Sub(start); d < 1500*time.Millisecond || d > 1600*time.Millisecond {
				t.Errorf("maxtime after %v of speech", d)
			}
		})
	}
}

func TestRecogSpeechIncompleteTimeout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		partial string
		wait    time.Duration // from the end of speech
	}{
		{"complete", "may i speak to andre roy", 500 * time.Millisecond},
		{"incomplete", "may i speak to", 1000 * time.Millisecond},
		{"hopeless", "what is the weather", 500 * time.Millisecond},
		{"no partials", "", 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newRecogRig(t)
				g.rec.set(tc.partial, speech.Hypothesis{Text: "may I speak to Andre Roy", Confidence: 0.8})
				g.doBody(mrcp.MethodRecognize, "application/srgs+xml", speakTo)
				g.quiet(1)
				g.speech(1.2)
				end := time.Now()
				g.quiet(2)
				got := g.send.take()
				wantSummary(t, got, "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 000 success")
				if d := g.send.sentAt(got[2]).Sub(end); d < tc.wait || d > tc.wait+60*time.Millisecond {
					t.Errorf("complete %v after the end of speech, want %v", d, tc.wait)
				}
				if lang := g.rec.lastRequest().Language; lang != "fr-CA" {
					t.Errorf("language %q, want the grammar's", lang)
				}
				if b, _ := result(t, got[2]).Best(); b.Instance != "may i speak to andre roy" {
					t.Errorf("instance %v", b.Instance)
				}
			})
		})
	}
}

func TestRecogHotword(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.rec.set("", speech.Hypothesis{Text: "hello there", Confidence: 0.9})
		g.doBody(mrcp.MethodDefineGrammar, "application/srgs", "#ABNF 1.0;\nroot $hot;\n$hot = computer;", "Content-ID: hot")
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "session:hot", "Recognition-Mode: hotword",
			"Hotword-Max-Duration: 1500", "Hotword-Min-Duration: 300", "No-Input-Timeout: 0")
		g.quiet(1)
		g.speech(0.8) // not the hotword: ignored
		g.quiet(1)
		wantSummary(t, g.send.take(), "1 200 COMPLETE 000 success", "2 200 IN-PROGRESS")
		g.speech(2) // too long: discarded
		g.quiet(1)
		g.speech(0.1) // too short (StartMs 80 + a frame): discarded
		g.quiet(1)
		wantSummary(t, g.send.take())
		starts, ends, open, _ := g.rec.stats()
		if starts != 4 || ends != 1 || open != 1 {
			t.Fatalf("streams: %d started, %d ended, %d open; want 4, 1 (the one evaluated), 1", starts, ends, open)
		}
		g.rec.set("", speech.Hypothesis{Text: "computer", Confidence: 0.9})
		g.speech(0.8)
		g.quiet(1)
		got := g.send.take()
		wantSummary(t, got, "START-OF-INPUT 2 IN-PROGRESS", "RECOGNITION-COMPLETE 2 COMPLETE 000 success")
		if b, _ := result(t, got[1]).Best(); b.Instance != "computer" {
			t.Errorf("instance %v", b.Instance)
		}
	})
}

func TestRecogHotwordMaxtime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.doBody(mrcp.MethodRecognize, "application/srgs", "#ABNF 1.0;\nroot $hot;\n$hot = computer;",
			"Recognition-Mode: hotword", "Recognition-Timeout: 3000", "No-Input-Timeout: 0")
		g.quiet(4)
		wantSummary(t, g.send.take(), "1 200 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 003 hotword-maxtime")
	})
}

func TestRecogDTMF(t *testing.T) {
	for _, tc := range []struct {
		name    string
		grammar string
		fields  []string
		keys    string // "." waits 1 s
		want    string
		wait    time.Duration // from the last key to RECOGNITION-COMPLETE
		text    string
		inst    any
	}{
		{name: "complete at once", grammar: "builtin:dtmf/digits?length=4", keys: "1234", want: "000 success", text: "1 2 3 4", inst: "1234"},
		{name: "interdigit", grammar: "builtin:dtmf/digits?maxlength=6", keys: "12", want: "000 success", wait: 5 * time.Second, text: "1 2", inst: "12"},
		{name: "short interdigit", grammar: "builtin:dtmf/digits?maxlength=6", fields: []string{"DTMF-Interdigit-Timeout: 1500"}, keys: "12.", want: "000 success", wait: 1500 * time.Millisecond, text: "1 2", inst: "12"},
		{name: "term char", grammar: "builtin:dtmf/digits", fields: []string{"DTMF-Term-Char: #"}, keys: "42#", want: "000 success", text: "4 2", inst: "42"},
		{name: "term char early", grammar: "builtin:dtmf/digits?length=3", fields: []string{"DTMF-Term-Char: #"}, keys: "42#", want: "001 no-match", text: "4 2"},
		{name: "term timeout", grammar: "builtin:dtmf/digits?length=2", fields: []string{"DTMF-Term-Char: #", "DTMF-Term-Timeout: 2000"}, keys: "42", want: "000 success", wait: 2 * time.Second, text: "4 2", inst: "42"},
		{name: "term after complete", grammar: "builtin:dtmf/digits?length=2", fields: []string{"DTMF-Term-Char: #", "DTMF-Term-Timeout: 2000"}, keys: "42#", want: "000 success", text: "4 2", inst: "42"},
		{name: "no match at once", grammar: "builtin:dtmf/boolean", keys: "5", want: "001 no-match", text: "5"},
		{name: "boolean", grammar: "builtin:dtmf/boolean", keys: "1", want: "000 success", text: "1", inst: "true"},
		{name: "incomplete", grammar: "builtin:dtmf/digits?length=4", fields: []string{"DTMF-Interdigit-Timeout: 1000"}, keys: "12", want: "001 no-match", wait: time.Second, text: "1 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newRecogRig(t)
				g.doBody(mrcp.MethodRecognize, "text/uri-list", tc.grammar, tc.fields...)
				g.quiet(0.5)
				for _, k := range tc.keys {
					if k == '.' {
						g.quiet(1)
						continue
					}
					g.r.Digit(k)
					g.quiet(0.2)
				}
				last := time.Now().Add(-200 * time.Millisecond)
				if strings.HasSuffix(tc.keys, ".") {
					last = last.Add(-time.Second)
				}
				g.quiet(6)
				got := g.send.take()
				wantSummary(t, got, "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE "+tc.want)
				if v := got[1].Header.Get(mrcp.HeaderInputType); v != "dtmf" {
					t.Errorf("Input-Type %q", v)
				}
				if d := g.send.sentAt(got[2]).Sub(last); d < tc.wait || d > tc.wait+40*time.Millisecond {
					t.Errorf("completed %v after the last key, want %v", d, tc.wait)
				}
				res := result(t, got[2])
				b, _ := res.Best()
				if b.Input.Text != tc.text || b.Input.Mode != "dtmf" || tc.inst != nil && b.Instance != tc.inst {
					t.Errorf("result %+v", b)
				}
				if starts, _, _, _ := g.rec.stats(); starts != 0 {
					t.Errorf("a DTMF-only RECOGNIZE started %d speech streams", starts)
				}
			})
		})
	}
}

func TestRecogTypeAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.r.Digit('7')
		g.r.Digit('x') // ignored
		g.r.Digit('8')
		g.quiet(0.5)
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "builtin:dtmf/digits?length=2")
		got := g.send.take()
		wantSummary(t, got, "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 000 success")
		if b, _ := result(t, got[2]).Best(); b.Instance != "78" {
			t.Errorf("instance %v", b.Instance)
		}

		g.r.Digit('1')
		g.quiet(0.1)
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "builtin:dtmf/digits?length=2", "Clear-DTMF-Buffer: true", "No-Input-Timeout: 1000")
		g.quiet(1.5)
		wantSummary(t, g.send.take(), "2 200 IN-PROGRESS", "RECOGNITION-COMPLETE 2 COMPLETE 002 no-input-timeout")

		g.do(mrcp.MethodSetParams, "DTMF-Buffer-Time: 1000")
		g.r.Digit('1')
		g.quiet(2) // expires
		g.r.Digit('2')
		g.quiet(0.1)
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "builtin:dtmf/digits?length=2", "DTMF-Interdigit-Timeout: 500")
		g.quiet(1)
		got = g.send.take()
		wantSummary(t, got, "3 200 COMPLETE", "4 200 IN-PROGRESS", "START-OF-INPUT 4 IN-PROGRESS", "RECOGNITION-COMPLETE 4 COMPLETE 001 no-match")
	})
}

func TestRecogDTMFTakesOverSpeech(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.rec.set("", speech.Hypothesis{Text: "yes", Confidence: 0.9})
		g.doBody(mrcp.MethodDefineGrammar, "text/uri-list", "builtin:dtmf/boolean", "Content-ID: <keys>")
		g.doBody(mrcp.MethodDefineGrammar, "application/srgs+xml", yesNo, "Content-ID: <words>")
		g.do(mrcp.MethodRecognize) // every defined grammar
		g.quiet(1)
		g.speech(0.5)
		g.r.Digit('2')
		g.quiet(1)
		got := g.send.take()
		wantSummary(t, got, "1 200 COMPLETE 000 success", "2 200 COMPLETE 000 success", "3 200 IN-PROGRESS",
			"START-OF-INPUT 3 IN-PROGRESS", "RECOGNITION-COMPLETE 3 COMPLETE 000 success")
		res := result(t, got[4])
		if b, _ := res.Best(); b.Instance != "false" || b.Input.Mode != "dtmf" || res.Grammar != "session:keys" {
			t.Errorf("result %+v", res)
		}
		if _, ends, open, _ := g.rec.stats(); ends != 0 || open != 0 {
			t.Errorf("speech stream: %d ended, %d open; want it closed without End", ends, open)
		}
	})
}

func TestRecogSpeechOnlyBuffersDigits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "No-Input-Timeout: 1000")
		g.r.Digit('1')
		g.quiet(1.5)
		wantSummary(t, g.send.take(), "1 200 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 002 no-input-timeout")
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "builtin:dtmf/digits?length=1")
		wantSummary(t, g.send.take(), "2 200 IN-PROGRESS", "START-OF-INPUT 2 IN-PROGRESS", "RECOGNITION-COMPLETE 2 COMPLETE 000 success")
	})
}

func TestRecogStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.do(mrcp.MethodStop)
		wantSummary(t, g.send.take(), "1 200 COMPLETE")

		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "No-Input-Timeout: 1000")
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.quiet(1)
		g.speech(0.5)
		g.quiet(0.2)
		g.do(mrcp.MethodStop, "Active-Request-Id-List: 4")
		g.do(mrcp.MethodStop, "Active-Request-Id-List: 2")
		synctest.Wait()
		wantSummary(t, g.send.take(), "2 200 IN-PROGRESS", "3 200 PENDING", "4 200 PENDING",
			"START-OF-INPUT 2 IN-PROGRESS", "5 200 COMPLETE [4]", "6 200 COMPLETE [2]")
		if _, ends, open, _ := g.rec.stats(); ends != 0 || open != 1 {
			t.Errorf("streams: %d ended, %d open; want the stopped one closed and the next one open", ends, open)
		}
		// The queued RECOGNIZE 3 is now listening: its no-input timer runs.
		g.quiet(1.5)
		wantSummary(t, g.send.take(), "RECOGNITION-COMPLETE 3 COMPLETE 002 no-input-timeout")
		g.do(mrcp.MethodStop)
		g.do(mrcp.MethodGetResult)
		wantSummary(t, g.send.take(), "7 200 COMPLETE", "8 402 COMPLETE")
	})
}

func TestRecogQueueAfterFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.rec.startErr = fmt.Errorf("%w: model missing", speech.ErrEngine)
		g.rec.delay = 10 * time.Millisecond // fails after both requests arrived
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.quiet(0.1)
		got := g.send.take()
		wantSummary(t, got, "1 200 IN-PROGRESS", "2 200 PENDING",
			"RECOGNITION-COMPLETE 1 COMPLETE 006 recognizer-error", "RECOGNITION-COMPLETE 2 COMPLETE 011 cancelled")
		if !strings.Contains(got[2].Header.Get(mrcp.HeaderCompletionReason), "model missing") {
			t.Errorf("Completion-Reason %q", got[2].Header.Get(mrcp.HeaderCompletionReason))
		}
		g.rec.startErr = fmt.Errorf("%w: bad jsgf", speech.ErrGrammar)
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.quiet(0.1)
		wantSummary(t, g.send.take(), "3 200 IN-PROGRESS", "RECOGNITION-COMPLETE 3 COMPLETE 005 grammar-compilation-failure")

		g.rec.startErr = nil
		g.rec.endErr = errors.New("decoder crashed")
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.quiet(1)
		g.speech(0.5)
		g.quiet(1)
		wantSummary(t, g.send.take(), "4 200 IN-PROGRESS", "START-OF-INPUT 4 IN-PROGRESS", "RECOGNITION-COMPLETE 4 COMPLETE 006 recognizer-error")
		if _, _, open, _ := g.rec.stats(); open != 0 {
			t.Errorf("%d streams open", open)
		}
	})
}

func TestRecogCancelIfQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "Cancel-If-Queue: true")
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "No-Input-Timeout: 1000")
		g.quiet(1.5)
		wantSummary(t, g.send.take(), "1 200 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 011 cancelled", "2 200 IN-PROGRESS",
			"RECOGNITION-COMPLETE 2 COMPLETE 002 no-input-timeout")
	})
}

func TestRecogRefused(t *testing.T) {
	for _, tc := range []struct {
		name        string
		method      mrcp.Method
		contentType string
		body        string
		fields      []string
		want        string
		failedURI   string
	}{
		{name: "bad srgs", method: mrcp.MethodRecognize, contentType: "application/srgs+xml", body: "<grammar", want: "1 407 COMPLETE 005 grammar-compilation-failure"},
		{name: "bad abnf", method: mrcp.MethodDefineGrammar, contentType: "application/srgs", body: "#ABNF 1.0; root $a; $a = (", fields: []string{"Content-ID: a"}, want: "1 407 COMPLETE 005 grammar-compilation-failure"},
		{name: "unknown type", method: mrcp.MethodRecognize, contentType: "application/x-jsgf", body: "#JSGF", want: "1 408 COMPLETE 005 grammar-compilation-failure"},
		{name: "undefined session grammar", method: mrcp.MethodRecognize, contentType: "text/uri-list", body: "session:nothing", want: "1 407 COMPLETE 004 grammar-load-failure", failedURI: "session:nothing"},
		{name: "unknown builtin", method: mrcp.MethodRecognize, contentType: "text/uri-list", body: "builtin:speech/pizza", want: "1 407 COMPLETE 004 grammar-load-failure", failedURI: "builtin:speech/pizza"},
		{name: "http grammar", method: mrcp.MethodRecognize, contentType: "text/uri-list", body: "http://example.com/g.grxml", want: "1 407 COMPLETE 009 uri-failure", failedURI: "http://example.com/g.grxml"},
		{name: "empty uri list", method: mrcp.MethodRecognize, contentType: "text/uri-list", body: "# nothing\n", want: "1 407 COMPLETE 004 grammar-load-failure"},
		{name: "no grammar", method: mrcp.MethodRecognize, want: "1 407 COMPLETE 004 grammar-load-failure"},
		{name: "language", method: mrcp.MethodRecognize, contentType: "application/srgs+xml", body: yesNo, fields: []string{"Speech-Language: xx-XX"}, want: "1 407 COMPLETE 010 language-unsupported"},
		{name: "bad threshold", method: mrcp.MethodRecognize, contentType: "application/srgs+xml", body: yesNo, fields: []string{"Confidence-Threshold: 1.5"}, want: "1 404 COMPLETE"},
		{name: "bad timeout", method: mrcp.MethodRecognize, contentType: "application/srgs+xml", body: yesNo, fields: []string{"No-Input-Timeout: soon"}, want: "1 404 COMPLETE"},
		{name: "bad mode", method: mrcp.MethodRecognize, contentType: "application/srgs+xml", body: yesNo, fields: []string{"Recognition-Mode: eager"}, want: "1 404 COMPLETE"},
		{name: "ignored field", method: mrcp.MethodRecognize, contentType: "application/srgs+xml", body: yesNo, fields: []string{"Save-Waveform: true"}, want: "1 201 IN-PROGRESS"},
		{name: "no content id", method: mrcp.MethodDefineGrammar, contentType: "application/srgs+xml", body: yesNo, want: "1 406 COMPLETE 016 grammar-definition-failure"},
		{name: "interpret without text", method: mrcp.MethodInterpret, contentType: "application/srgs+xml", body: yesNo, want: "1 406 COMPLETE"},
		{name: "get-result idle", method: mrcp.MethodGetResult, want: "1 402 COMPLETE"},
		{name: "synthesizer method", method: mrcp.MethodSpeak, contentType: "text/plain", body: "hi", want: "1 401 COMPLETE"},
		{name: "enrollment", method: mrcp.MethodStartPhraseEnrollment, want: "1 401 COMPLETE"},
		{name: "unknown method", method: "FROBNICATE", want: "1 401 COMPLETE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newRecogRig(t)
				m := request(recogChannel, tc.method, 1, tc.fields...)
				if tc.body != "" {
					m.SetBody(tc.contentType, []byte(tc.body))
				}
				g.r.Handle(m)
				got := g.send.take()
				wantSummary(t, got, tc.want)
				if v := got[0].Header.Get(mrcp.HeaderFailedURI); v != tc.failedURI {
					t.Errorf("Failed-URI %q, want %q", v, tc.failedURI)
				}
			})
		})
	}
}

func TestRecogDefineGrammar(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.doBody(mrcp.MethodDefineGrammar, ContentTypePhrases, "# pizza bot\nI want a pizza\n\n  a large   margherita please\n", "Content-ID: <menu@bot>")
		g.doBody(mrcp.MethodDefineGrammar, "text/uri-list", "builtin:speech/transcribe", "Content-ID: free")
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "session:menu@bot\nsession:free", "No-Input-Timeout: 500")
		g.quiet(1)
		req := g.rec.lastRequest()
		if len(req.Phrases) != 2 || req.Phrases[1] != "a large margherita please" || !req.Transcribe || len(req.Grammars) != 0 {
			t.Errorf("engine request %+v", req)
		}
		wantSummary(t, g.send.take(), "1 200 COMPLETE 000 success", "2 200 COMPLETE 000 success", "3 200 IN-PROGRESS",
			"RECOGNITION-COMPLETE 3 COMPLETE 002 no-input-timeout")

		g.rec.set("", speech.Hypothesis{Text: "i want a pepperoni pizza", Confidence: 0.6})
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "session:menu@bot")
		g.quiet(1)
		g.speech(0.5)
		g.quiet(1)
		got := g.send.take()
		res := result(t, got[len(got)-1])
		if b, _ := res.Best(); b.Instance != "i want a pepperoni pizza" || res.Grammar != "session:menu@bot" {
			t.Errorf("phrase result %+v", res)
		}

		// Redefine, undefine, and refusal while recognizing.
		g.doBody(mrcp.MethodDefineGrammar, "application/srgs+xml", yesNo, "Content-ID: menu@bot")
		g.do(mrcp.MethodDefineGrammar, "Content-ID: free")
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "session:free")
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "session:menu@bot")
		g.doBody(mrcp.MethodDefineGrammar, "application/srgs+xml", yesNo, "Content-ID: other")
		g.doBody(mrcp.MethodInterpret, "application/srgs+xml", yesNo, "Interpret-Text: yes")
		wantSummary(t, g.send.take(), "5 200 COMPLETE 000 success", "6 200 COMPLETE 000 success",
			"7 407 COMPLETE 004 grammar-load-failure", "8 200 IN-PROGRESS", "9 402 COMPLETE", "10 402 COMPLETE")
	})
}

func TestRecogInterpret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.doBody(mrcp.MethodInterpret, "application/srgs+xml", speakTo, "Interpret-Text: may I speak to Andre Roy", "Content-ID: <request1@form-level.store>")
		g.doBody(mrcp.MethodInterpret, "text/uri-list", "session:request1@form-level.store", "Interpret-Text: may I speak to nobody")
		g.doBody(mrcp.MethodInterpret, "text/uri-list", "builtin:dtmf/digits", "Interpret-Text: 1 2 3")
		got := g.send.take()
		wantSummary(t, got, "1 200 IN-PROGRESS", "INTERPRETATION-COMPLETE 1 COMPLETE 000 success",
			"2 200 IN-PROGRESS", "INTERPRETATION-COMPLETE 2 COMPLETE 001 no-match",
			"3 200 IN-PROGRESS", "INTERPRETATION-COMPLETE 3 COMPLETE 000 success")
		res := result(t, got[1])
		if b, _ := res.Best(); b.Instance != "may i speak to andre roy" || res.Grammar != "session:request1@form-level.store" {
			t.Errorf("result %+v", res)
		}
		if b, _ := result(t, got[5]).Best(); b.Instance != "123" {
			t.Errorf("dtmf result %+v", b)
		}
		g.do(mrcp.MethodGetResult)
		wantSummary(t, g.send.take(), "4 402 COMPLETE")
	})
}

func TestRecogSensitivity(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  []string
	}{
		{"1.0", []string{"1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS"}},
		{"0.0", []string{"1 200 IN-PROGRESS"}},
	} {
		t.Run(tc.level, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newRecogRig(t)
				g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo, "Sensitivity-Level: "+tc.level, "No-Input-Timeout: 0")
				g.quiet(1)
				// Faint speech over the hiss.
				g.play(mix(voice(8000, 1, 0.03), hiss(8000, 1)))
				wantSummary(t, g.send.take(), tc.want...)
			})
		})
	}
}

func mix(a, b []int16) []int16 {
	out := make([]int16, min(len(a), len(b)))
	for i := range out {
		out[i] = a[i] + b[i]
	}
	return out
}

func TestRecogAudioNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.doBody(mrcp.MethodRecognize, "text/uri-list", "builtin:dtmf/digits?length=1")
		g.send.take()
		// Hold the resource so that the input goroutine blocks on the key.
		g.r.mu.Lock()
		g.r.Digit('5')
		frame := hiss(8000, 0.02)
		for range 300 {
			g.r.Audio(0, frame)
		}
		dropped := g.r.Dropped()
		g.r.mu.Unlock()
		synctest.Wait()
		if dropped < 150 {
			t.Errorf("dropped %d of 300 frames while the analysis was blocked", dropped)
		}
		wantSummary(t, g.send.take(), "START-OF-INPUT 1 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 000 success")
	})
}

func TestRecogCloseStopsEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRecogRig(t)
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		g.quiet(1)
		g.speech(0.5)
		g.r.Close()
		g.r.Close()
		g.quiet(1)
		g.doBody(mrcp.MethodRecognize, "application/srgs+xml", yesNo)
		wantSummary(t, g.send.take(), "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", "2 405 COMPLETE")
		if _, _, open, _ := g.rec.stats(); open != 0 {
			t.Errorf("%d streams open after Close", open)
		}
	})
}

func TestNewRecogConfig(t *testing.T) {
	for _, cfg := range []RecogConfig{
		{Channel: recogChannel, Engines: &fakeEngines{}},
		{Channel: recogChannel, Send: &fakeSender{}},
		{Channel: synthChannel, Send: &fakeSender{}, Engines: &fakeEngines{}},
		{Channel: recogChannel, Send: &fakeSender{}, Engines: &fakeEngines{}, Rate: 44100},
	} {
		if _, err := NewRecog(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("NewRecog(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

// TestRecogRealTime recognizes speech and keys through the real clock,
// the audio paced by a ticker as RTP would deliver it.
func TestRecogRealTime(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	send := &fakeSender{}
	rec := &fakeRecognizer{final: []speech.Hypothesis{{Text: "no", Confidence: 0.9}}}
	r, err := NewRecog(RecogConfig{Channel: recogChannel, Send: send, Rate: 16000, Engines: &fakeEngines{rec: rec}, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Handle(withBody(request(recogChannel, mrcp.MethodRecognize, 1, "Speech-Complete-Timeout: 300"), "application/srgs+xml", yesNo))
	pcm := append(append(hiss(16000, 0.6), mix(voice(16000, 0.6, 1), hiss(16000, 0.6))...), hiss(16000, 1.2)...)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for at := time.Duration(0); len(pcm) >= 320; at += 20 * time.Millisecond {
		<-tick.C
		r.Audio(at, pcm[:320])
		pcm = pcm[320:]
	}
	msgs := waitFor(t, send, 3, 5*time.Second)
	wantSummary(t, msgs, "1 200 IN-PROGRESS", "START-OF-INPUT 1 IN-PROGRESS", "RECOGNITION-COMPLETE 1 COMPLETE 000 success")
	if b, _ := result(t, msgs[2]).Best(); b.Instance != "false" {
		t.Errorf("instance %v", b.Instance)
	}
	r.Handle(withBody(request(recogChannel, mrcp.MethodRecognize, 2), "text/uri-list", "builtin:dtmf/digits?length=3"))
	for _, k := range "123" {
		r.Digit(k)
	}
	msgs = waitFor(t, send, 6, 5*time.Second)
	wantSummary(t, msgs[3:], "2 200 IN-PROGRESS", "START-OF-INPUT 2 IN-PROGRESS", "RECOGNITION-COMPLETE 2 COMPLETE 000 success")
	r.Close()
	if _, _, open, _ := rec.stats(); open != 0 {
		t.Errorf("%d streams open", open)
	}
}
