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

// fliteEngines offers the real flite synthesizer.
type fliteEngines struct{ tts *flite.Engine }

func (e fliteEngines) SelectVoice(sel VoiceSelection) (speech.Synthesizer, speech.Voice, error) {
	for _, v := range e.tts.Voices() {
		if sel.Name == "" || v.Name == sel.Name {
			return e.tts, v, nil
		}
	}
	return nil, speech.Voice{}, speech.ErrNoVoice
}

func (fliteEngines) SelectRecognizer(string, string) (speech.Recognizer, error) {
	return nil, speech.ErrLanguage
}

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
	send := &fakeSender{}
	out := newFakeOutput(t, 8000)
	s, err := NewSynth(SynthConfig{Channel: synthChannel, Send: send, Out: out, Rate: 8000, Engines: fliteEngines{tts}, Log: quietLog})
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
	s.Close()
	out.close()
}
