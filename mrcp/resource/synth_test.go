package resource

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

type synthRig struct {
	s     *Synth
	send  *fakeSender
	out   *fakeOutput
	eng   *fakeEngines
	synth *fakeSynth
	id    mrcp.RequestID
}

// newSynthRig makes a Synth at 8000 Hz whose fake engine says each word
// in 100 ms.
func newSynthRig(t *testing.T) *synthRig {
	t.Helper()
	r := &synthRig{send: &fakeSender{}, out: newFakeOutput(t, 8000), synth: &fakeSynth{wordDur: 100 * time.Millisecond}}
	r.eng = &fakeEngines{synth: r.synth}
	s, err := NewSynth(SynthConfig{Channel: synthChannel, Send: r.send, Out: r.out, Rate: 8000, Engines: r.eng, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	r.s = s
	t.Cleanup(s.Close)
	return r
}

func (r *synthRig) do(method mrcp.Method, fields ...string) mrcp.RequestID {
	r.id++
	r.s.Handle(request(synthChannel, method, r.id, fields...))
	return r.id
}

func (r *synthRig) speak(text string, fields ...string) mrcp.RequestID {
	r.id++
	r.s.Handle(withBody(request(synthChannel, mrcp.MethodSpeak, r.id, fields...), "text/plain", text))
	return r.id
}

// wait lets fake time pass and the goroutines settle.
func wait(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func TestSynthSpeakPlaysAndCompletes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.speak("one two three")
		got := r.send.take()
		wantSummary(t, got, "1 200 IN-PROGRESS")
		if m := got[0].Header.Get(mrcp.HeaderSpeechMarker); !strings.HasPrefix(m, "timestamp=") {
			t.Errorf("IN-PROGRESS Speech-Marker = %q", m)
		}
		wait(250 * time.Millisecond)
		wantSummary(t, r.send.take())
		wait(150 * time.Millisecond)
		got = r.send.take()
		wantSummary(t, got, "SPEAK-COMPLETE 1 COMPLETE 000 normal")
		if m := got[0].Header.Get(mrcp.HeaderSpeechMarker); !strings.HasPrefix(m, "timestamp=") {
			t.Errorf("SPEAK-COMPLETE Speech-Marker = %q", m)
		}
		if audio, _, playing := r.out.counts(); audio != 2400 || playing {
			t.Errorf("played %d samples (playing %v), want 2400 and stopped", audio, playing)
		}
		req := r.synth.lastRequest()
		if req.Rate != 8000 || req.Voice.Language != "en-US" || req.Prosody != ssml.DefaultProsody {
			t.Errorf("synth request %+v", req)
		}
	})
}

func TestSynthMarkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		body := `<?xml version="1.0"?>
<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-GB">
<mark name="start"/>one two<mark name="middle"/> three four<mark name="end"/></speak>`
		r.id++
		r.s.Handle(withBody(request(synthChannel, mrcp.MethodSpeak, r.id), "application/ssml+xml", body))
		wait(time.Second)
		got := r.send.take()
		wantSummary(t, got,
			"1 200 IN-PROGRESS",
			"SPEECH-MARKER 1 IN-PROGRESS",
			"SPEECH-MARKER 1 IN-PROGRESS",
			"SPEECH-MARKER 1 IN-PROGRESS",
			"SPEAK-COMPLETE 1 COMPLETE 000 normal")
		var stamps []uint64
		for i, name := range []string{"start", "middle", "end"} {
			m := got[i+1].Header.Get(mrcp.HeaderSpeechMarker)
			ts, mark, _ := strings.Cut(strings.TrimPrefix(m, "timestamp="), ";")
			if mark != name {
				t.Errorf("marker %d = %q, want name %q", i, m, name)
			}
			var n uint64
			for _, c := range ts {
				n = n*10 + uint64(c-'0')
			}
			stamps = append(stamps, n)
		}
		// "middle" is 200 ms of audio after "start": NTP counts 2^32 per second.
		if d := float64(stamps[1]-stamps[0]) / (1 << 32); d < 0.18 || d > 0.24 {
			t.Errorf("start to middle = %.3f s, want 0.2", d)
		}
		if !strings.HasSuffix(got[4].Header.Get(mrcp.HeaderSpeechMarker), ";end") {
			t.Errorf("SPEAK-COMPLETE Speech-Marker = %q, want the last mark", got[4].Header.Get(mrcp.HeaderSpeechMarker))
		}
		if lang := r.eng.lastVoice().Language; lang != "en-GB" {
			t.Errorf("voice selected for %q, want the document's en-GB", lang)
		}
	})
}

func TestSynthQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.speak("one two")
		r.speak("three")
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "2 200 PENDING")
		wait(time.Second)
		got := r.send.take()
		wantSummary(t, got,
			"SPEAK-COMPLETE 1 COMPLETE 000 normal",
			"SPEECH-MARKER 2 IN-PROGRESS",
			"SPEAK-COMPLETE 2 COMPLETE 000 normal")
		if m := got[1].Header.Get(mrcp.HeaderSpeechMarker); !strings.HasPrefix(m, "timestamp=") || strings.Contains(m, ";") {
			t.Errorf("SPEECH-MARKER of a queued SPEAK starting = %q, want a timestamp only", m)
		}
		if audio, _, _ := r.out.counts(); audio != 2400 {
			t.Errorf("played %d samples, want 2400", audio)
		}
	})
}

func TestSynthStop(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields []string
		want   []string
		after  []string // events after the STOP response
		audio  int      // samples played in all
	}{
		{name: "all", want: []string{"4 200 COMPLETE [1,2,3]"}, audio: 800},
		{name: "active only", fields: []string{"Active-Request-Id-List: 1"},
			want:  []string{"4 200 COMPLETE [1]", "SPEECH-MARKER 2 IN-PROGRESS"},
			after: []string{"SPEAK-COMPLETE 2 COMPLETE 000 normal", "SPEECH-MARKER 3 IN-PROGRESS", "SPEAK-COMPLETE 3 COMPLETE 000 normal"},
			audio: 800 + 1600 + 800},
		{name: "queued only", fields: []string{"Active-Request-Id-List: 2, 3"},
			want:  []string{"4 200 COMPLETE [2,3]"},
			after: []string{"SPEAK-COMPLETE 1 COMPLETE 000 normal"},
			audio: 4000},
		{name: "unknown id", fields: []string{"Active-Request-Id-List: 99"},
			want:  []string{"4 200 COMPLETE"},
			after: []string{"SPEAK-COMPLETE 1 COMPLETE 000 normal", "SPEECH-MARKER 2 IN-PROGRESS", "SPEAK-COMPLETE 2 COMPLETE 000 normal", "SPEECH-MARKER 3 IN-PROGRESS", "SPEAK-COMPLETE 3 COMPLETE 000 normal"},
			audio: 4000 + 1600 + 800},
		{name: "bad list", fields: []string{"Active-Request-Id-List: one"},
			want:  []string{"4 404 COMPLETE [one]"},
			after: []string{"SPEAK-COMPLETE 1 COMPLETE 000 normal", "SPEECH-MARKER 2 IN-PROGRESS", "SPEAK-COMPLETE 2 COMPLETE 000 normal", "SPEECH-MARKER 3 IN-PROGRESS", "SPEAK-COMPLETE 3 COMPLETE 000 normal"},
			audio: 4000 + 1600 + 800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newSynthRig(t)
				r.speak("one two three four five")
				r.speak("six seven")
				r.speak("eight")
				r.send.take()
				wait(110 * time.Millisecond) // 5 frames: 800 samples
				r.do(mrcp.MethodStop, tc.fields...)
				wantSummary(t, r.send.take(), tc.want...)
				wait(2 * time.Second)
				wantSummary(t, r.send.take(), tc.after...)
				if audio, _, playing := r.out.counts(); audio != tc.audio || playing {
					t.Errorf("played %d samples (playing %v), want %d", audio, playing, tc.audio)
				}
			})
		})
	}
}

func TestSynthStopIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.do(mrcp.MethodStop)
		got := r.send.take()
		wantSummary(t, got, "1 200 COMPLETE")
		if _, ok := got[0].Header.Lookup(mrcp.HeaderSpeechMarker); ok {
			t.Error("STOP with nothing stopped carries a Speech-Marker")
		}
	})
}

func TestSynthPauseResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.do(mrcp.MethodPause)
		r.do(mrcp.MethodResume)
		wantSummary(t, r.send.take(), "1 402 COMPLETE", "2 402 COMPLETE")

		r.speak("one two three")
		wait(110 * time.Millisecond)
		r.do(mrcp.MethodPause)
		r.do(mrcp.MethodPause)
		wantSummary(t, r.send.take(), "3 200 IN-PROGRESS", "4 200 COMPLETE [3]", "5 200 COMPLETE [3]")
		a0, _, _ := r.out.counts()
		wait(time.Second)
		a1, silence, playing := r.out.counts()
		if a1 != a0 || silence < 7000 || !playing {
			t.Fatalf("paused: audio %d -> %d, silence %d, playing %v", a0, a1, silence, playing)
		}
		wantSummary(t, r.send.take())
		r.do(mrcp.MethodResume)
		r.do(mrcp.MethodResume)
		wantSummary(t, r.send.take(), "6 200 COMPLETE [3]", "7 200 COMPLETE")
		wait(time.Second)
		wantSummary(t, r.send.take(), "SPEAK-COMPLETE 3 COMPLETE 000 normal")
		if audio, _, _ := r.out.counts(); audio != 2400 {
			t.Errorf("played %d samples, want all 2400", audio)
		}
	})
}

func TestSynthStopWhilePausedStartsNextPaused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.speak("one two")
		r.speak("three")
		r.do(mrcp.MethodPause)
		r.do(mrcp.MethodStop, "Active-Request-Id-List: 1")
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "2 200 PENDING", "3 200 COMPLETE [1]",
			"4 200 COMPLETE [1]", "SPEECH-MARKER 2 IN-PROGRESS")
		wait(time.Second)
		if audio, _, _ := r.out.counts(); audio != 0 {
			t.Fatalf("the next SPEAK played %d samples while paused", audio)
		}
		r.do(mrcp.MethodResume)
		wait(time.Second)
		wantSummary(t, r.send.take(), "5 200 COMPLETE [2]", "SPEAK-COMPLETE 2 COMPLETE 000 normal")
		if audio, _, _ := r.out.counts(); audio != 800 {
			t.Errorf("played %d samples, want 800", audio)
		}
	})
}

func TestSynthBargeIn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.do(mrcp.MethodBargeInOccurred)
		wantSummary(t, r.send.take(), "1 200 COMPLETE")

		r.speak("one two three")
		r.speak("four", "Kill-On-Barge-In: false")
		wait(50 * time.Millisecond)
		r.do(mrcp.MethodBargeInOccurred)
		got := r.send.take()
		wantSummary(t, got, "2 200 IN-PROGRESS", "3 200 PENDING", "4 200 COMPLETE [2,3]")
		if _, ok := got[2].Header.Lookup(mrcp.HeaderSpeechMarker); !ok {
			t.Error("BARGE-IN-OCCURRED response without Speech-Marker")
		}
		wait(time.Second)
		wantSummary(t, r.send.take())
		if _, _, playing := r.out.counts(); playing {
			t.Error("still playing after barge-in")
		}

		r.speak("five six", "Kill-On-Barge-In: false")
		wait(50 * time.Millisecond)
		r.do(mrcp.MethodBargeInOccurred)
		wantSummary(t, r.send.take(), "5 200 IN-PROGRESS", "6 200 COMPLETE")
		wait(time.Second)
		wantSummary(t, r.send.take(), "SPEAK-COMPLETE 5 COMPLETE 000 normal")

		// Kill-On-Barge-In from SET-PARAMS.
		r.do(mrcp.MethodSetParams, "Kill-On-Barge-In: false")
		r.speak("seven")
		r.do(mrcp.MethodBargeInOccurred)
		wantSummary(t, r.send.take(), "7 200 COMPLETE", "8 200 IN-PROGRESS", "9 200 COMPLETE")
	})
}

func TestSynthOutputStoppedElsewhereIsBargeIn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.speak("one two three")
		r.speak("four")
		wait(50 * time.Millisecond)
		r.out.Stop() // the session layer's own barge-in
		synctest.Wait()
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "2 200 PENDING",
			"SPEAK-COMPLETE 1 COMPLETE 001 barge-in", "SPEAK-COMPLETE 2 COMPLETE 007 cancelled")
	})
}

func TestSynthEngineFailureCancelsQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.synth.failAt = 3
		r.speak("one two three four")
		r.speak("five")
		r.speak("six")
		wait(time.Second)
		got := r.send.take()
		wantSummary(t, got, "1 200 IN-PROGRESS", "2 200 PENDING", "3 200 PENDING",
			"SPEAK-COMPLETE 1 COMPLETE 004 error",
			"SPEAK-COMPLETE 2 COMPLETE 007 cancelled",
			"SPEAK-COMPLETE 3 COMPLETE 007 cancelled")
		if reason := got[3].Header.Get(mrcp.HeaderCompletionReason); !strings.Contains(reason, "fake failure") {
			t.Errorf("Completion-Reason %q", reason)
		}
		if audio, _, _ := r.out.counts(); audio != 1600 {
			t.Errorf("played %d samples, want the 1600 made before the failure", audio)
		}
	})
}

func TestSynthSlowEngineUnderrun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.synth.latency = 300 * time.Millisecond
		r.speak("one")
		wait(200 * time.Millisecond)
		// Before the engine's first audio the playback has nothing to
		// give (the transmitter sends its own silence, or none with DTX),
		// and it is not over.
		audio, silence, playing := r.out.counts()
		if audio != 0 || silence != 0 || !playing {
			t.Fatalf("waiting for the engine: audio %d silence %d playing %v", audio, silence, playing)
		}
		wait(time.Second)
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "SPEAK-COMPLETE 1 COMPLETE 000 normal")
		if audio, _, _ := r.out.counts(); audio != 800 {
			t.Errorf("played %d samples, want 800", audio)
		}
	})
}

func TestSynthSpeakFailures(t *testing.T) {
	for _, tc := range []struct {
		name        string
		contentType string
		body        string
		fields      []string
		want        string
	}{
		{"bad ssml", "application/ssml+xml", "<speak><p>unclosed</speak>", nil, "1 407 COMPLETE 002 parse-failure"},
		{"not ssml", "application/ssml+xml", "<html/>", nil, "1 407 COMPLETE 002 parse-failure"},
		{"unsupported type", "audio/wav", "RIFF", nil, "1 408 COMPLETE"},
		{"no content type", "", "hello", nil, "1 408 COMPLETE"},
		{"language", "text/plain", "bonjour", []string{"Speech-Language: xx-XX"}, "1 407 COMPLETE 005 language-unsupported"},
		{"voice", "text/plain", "hello", []string{"Voice-Name: nobody"}, "1 407 COMPLETE 004 error"},
		{"bad gender", "text/plain", "hello", []string{"Voice-Gender: robot"}, "1 404 COMPLETE"},
		{"bad volume", "text/plain", "hello", []string{"Prosody-Volume: loudest"}, "1 404 COMPLETE"},
		{"speak length words", "text/plain", "hello", []string{"Speak-Length: 3 words"}, "1 409 COMPLETE"},
		{"ignored field", "text/plain", "hello", []string{"Speaker-Profile: http://example.com/p"}, "1 201 IN-PROGRESS"},
		{"unknown field", "text/plain", "hello", []string{"X-Parley-Test: 1"}, "1 201 IN-PROGRESS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newSynthRig(t)
				m := request(synthChannel, mrcp.MethodSpeak, 1, tc.fields...)
				m.Body = []byte(tc.body)
				if tc.contentType != "" {
					m.Header.Set(mrcp.HeaderContentType, tc.contentType)
				}
				r.s.Handle(m)
				got := r.send.take()
				wantSummary(t, got, tc.want)
				if got[0].Status == mrcp.StatusIllegalHeaderValue || got[0].Status == mrcp.StatusUnsupportedHeaderValue {
					if got[0].Header.Get(tc.fields[0][:strings.Index(tc.fields[0], ":")]) == "" {
						t.Errorf("the bad field is not echoed: %v", got[0].Header)
					}
				}
			})
		})
	}
}

func TestSynthEmptySpeak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.do(mrcp.MethodSpeak)
		wait(100 * time.Millisecond)
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "SPEAK-COMPLETE 1 COMPLETE 000 normal")
	})
}

func TestSynthParamsReachTheEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.do(mrcp.MethodSetParams, "Voice-Gender: Male", "Voice-Age: 42", "Prosody-Rate: fast", "Speech-Language: de-DE")
		r.speak("eins", "Prosody-Volume: soft", "Voice-Name: kal")
		wait(200 * time.Millisecond)
		wantSummary(t, r.send.take(), "1 200 COMPLETE", "2 200 IN-PROGRESS", "SPEAK-COMPLETE 2 COMPLETE 000 normal")
		sel := r.eng.lastVoice()
		if sel != (VoiceSelection{Name: "kal", Language: "de-DE", Gender: "male", Age: 42}) {
			t.Errorf("voice selection %+v", sel)
		}
		if p := r.synth.lastRequest().Prosody; p.Rate != 1.5 || p.Volume != 0.5 || p.Pitch != 1 {
			t.Errorf("prosody %+v", p)
		}
		if d := r.synth.lastRequest().Doc; d.Lang != "de-DE" {
			t.Errorf("plain text document language %q, want the Speech-Language", d.Lang)
		}
	})
}

func TestSynthSpeakLength(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.speak(strings.Repeat("word ", 30), "Speak-Length: 1 second")
		wait(2 * time.Second)
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "SPEAK-COMPLETE 1 COMPLETE 000 normal")
		if audio, _, _ := r.out.counts(); audio != 8000 {
			t.Errorf("played %d samples, want one second", audio)
		}
	})
}

func TestSynthControl(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.do(mrcp.MethodControl, "Speak-Restart: true")
		wantSummary(t, r.send.take(), "1 402 COMPLETE")

		r.speak("one two three")
		wait(210 * time.Millisecond)
		r.do(mrcp.MethodControl, "Voice-Name: kal")
		r.do(mrcp.MethodControl, "Jump-Size: -15 Words")
		r.do(mrcp.MethodControl, "Speak-Restart: true")
		got := r.send.take()
		wantSummary(t, got, "2 200 IN-PROGRESS", "3 403 COMPLETE", "4 403 COMPLETE", "5 200 COMPLETE [2]")
		if got[1].Header.Get("Voice-Name") != "kal" {
			t.Errorf("403 does not echo the field: %v", got[1].Header)
		}
		wait(time.Second)
		wantSummary(t, r.send.take(), "SPEAK-COMPLETE 2 COMPLETE 000 normal")
		if audio, _, _ := r.out.counts(); audio != 1600+2400 || r.synth.calls() != 2 {
			t.Errorf("played %d samples in %d syntheses, want 1600 then all 2400 again", audio, r.synth.calls())
		}

		r.speak("four five")
		r.do(mrcp.MethodControl, "Kill-On-Barge-In: false")
		r.do(mrcp.MethodBargeInOccurred)
		wait(time.Second)
		wantSummary(t, r.send.take(), "6 200 IN-PROGRESS", "7 200 COMPLETE [6]", "8 200 COMPLETE", "SPEAK-COMPLETE 6 COMPLETE 000 normal")
	})
}

func TestSynthControlProsody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.id++
		r.s.Handle(withBody(request(synthChannel, mrcp.MethodSpeak, r.id, "Prosody-Rate: slow"), "application/ssml+xml",
			`<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">one two<mark name="m"/>three four<break time="100ms"/>five</speak>`))
		wait(250 * time.Millisecond) // in "three four"
		r.do(mrcp.MethodControl, "Prosody-Rate: +100%", "Prosody-Volume: loud")
		wait(time.Second)
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "SPEECH-MARKER 1 IN-PROGRESS", "2 200 COMPLETE [1]",
			"SPEAK-COMPLETE 1 COMPLETE 000 normal")
		req := r.synth.lastRequest()
		if req.Prosody.Rate != 1.5 || req.Prosody.Volume != 1.5 {
			t.Errorf("prosody after CONTROL %+v, want rate 0.75*2 and volume 1.5", req.Prosody)
		}
		var texts []string
		for _, it := range req.Doc.Items {
			if it.Kind == ssml.Text {
				texts = append(texts, it.Text)
			}
		}
		if strings.Join(texts, "|") != "three four|five" {
			t.Errorf("synthesized again from %q, want from the item being played", texts)
		}
		// one two (1600), three four's first 320 samples (12 frames in all),
		// then three four five again (2400).
		if audio, _, _ := r.out.counts(); audio != 1600+320+2400 {
			t.Errorf("played %d samples", audio)
		}
	})
}

func TestSynthCloseStopsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newSynthRig(t)
		r.synth.latency = time.Hour // an engine that waits for its context
		r.speak("one")
		r.speak("two")
		wait(100 * time.Millisecond)
		r.s.Close()
		r.s.Close()
		r.do(mrcp.MethodSpeak)
		wait(time.Second)
		wantSummary(t, r.send.take(), "1 200 IN-PROGRESS", "2 200 PENDING", "3 405 COMPLETE")
		if _, _, playing := r.out.counts(); playing {
			t.Error("still playing after Close")
		}
	})
}

func TestNewSynthConfig(t *testing.T) {
	out := &fakeOutput{}
	for _, cfg := range []SynthConfig{
		{Channel: synthChannel, Out: out, Engines: &fakeEngines{}},
		{Channel: synthChannel, Send: &fakeSender{}, Engines: &fakeEngines{}},
		{Channel: synthChannel, Send: &fakeSender{}, Out: out},
		{Channel: recogChannel, Send: &fakeSender{}, Out: out, Engines: &fakeEngines{}},
		{Channel: synthChannel, Send: &fakeSender{}, Out: out, Engines: &fakeEngines{}, Rate: -1},
	} {
		if _, err := NewSynth(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("NewSynth(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

// TestSynthRealTime plays through the real clock: a 300 ms utterance
// takes 300 ms and a little more.
func TestSynthRealTime(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	r := newSynthRig(t)
	start := time.Now()
	r.speak("one two three")
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := r.send.all()
		if len(msgs) == 2 {
			wantSummary(t, msgs, "1 200 IN-PROGRESS", "SPEAK-COMPLETE 1 COMPLETE 000 normal")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SPEAK-COMPLETE: %q", summary(msgs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Never faster than real time; the upper bound allows for a loaded
	// machine.
	if d := time.Since(start); d < 290*time.Millisecond || d > 4*time.Second {
		t.Errorf("300 ms of speech took %v", d)
	}
	r.s.Close()
	r.out.close()
}

// A playback reports its first audio once, so the output can send it at
// once, and gives no audio (not an underrun's silence) before it.
func TestPlaybackFirstAudio(t *testing.T) {
	p := newPlayback(8000, 0, false, func() {})
	calls := 0
	p.first = func() { calls++ }
	frame := make([]int16, 160)
	if n, err := p.Next(frame); n != 0 || err != nil {
		t.Fatalf("before the engine: Next = %d, %v; want 0, nil", n, err)
	}
	emit := p.emit(context.Background())
	for range 3 {
		if err := emit(speech.Chunk{PCM: make([]int16, 200)}); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("first called %d times, want 1", calls)
	}
	if n, err := p.Next(frame); n != 160 || err != nil {
		t.Fatalf("after the first audio: Next = %d, %v", n, err)
	}
}
