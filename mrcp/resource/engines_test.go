package resource

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/flite"
)

// waitFor polls the sender until it has sent n messages.
func waitFor(t *testing.T, send *fakeSender, n int, limit time.Duration) []*mrcp.Message {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		msgs := send.all()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %q, want %d messages", limit, summary(msgs), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSynthWithFlite speaks SSML with a mark through the real flite
// engine, in real time.
func TestSynthWithFlite(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	tts, err := flite.New(flite.Config{Voices: []string{"kal"}})
	if err != nil {
		t.Fatal(err)
	}
	reg := speech.NewRegistry()
	reg.AddSynthesizer(tts)
	send := &fakeSender{}
	out := newFakeOutput(t, 8000)
	s, err := NewSynth(SynthConfig{Channel: synthChannel, Send: send, Out: out, Rate: 8000, Engines: reg, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.Handle(withBody(request(synthChannel, mrcp.MethodSpeak, 1, "Voice-Name: kal"), "application/ssml+xml",
		`<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">Hello there.<mark name="half"/> Your order has shipped.</speak>`))
	msgs := waitFor(t, send, 3, 20*time.Second)
	took := time.Since(start)
	wantSummary(t, msgs, "1 200 IN-PROGRESS", "SPEECH-MARKER 1 IN-PROGRESS", "SPEAK-COMPLETE 1 COMPLETE 000 normal")
	if m := msgs[1].Header.Get(mrcp.HeaderSpeechMarker); !strings.HasSuffix(m, ";half") {
		t.Errorf("Speech-Marker %q", m)
	}
	audio, _, _ := out.counts()
	secs := float64(audio) / 8000
	if secs < 1 || secs > 4 {
		t.Errorf("flite said %.2f s of audio", secs)
	}
	if took.Seconds() < secs*0.9 {
		t.Errorf("%.2f s of audio played in %v: faster than real time", secs, took)
	}

	// Voices the registry does not have.
	s.Handle(withBody(request(synthChannel, mrcp.MethodSpeak, 2, "Voice-Name: nobody"), "text/plain", "hi"))
	s.Handle(withBody(request(synthChannel, mrcp.MethodSpeak, 3, "Speech-Language: de-DE"), "text/plain", "hallo"))
	wantSummary(t, send.all()[3:], "2 407 COMPLETE 004 error", "3 407 COMPLETE 005 language-unsupported")
	s.Close()
	out.close()
}
