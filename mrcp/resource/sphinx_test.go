package resource

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/flite"
	"github.com/parley-cc/parley/mrcp/speech/sphinx"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// say renders text with flite at rate.
func say(t *testing.T, text string, rate int) []int16 {
	t.Helper()
	tts, err := flite.New(flite.Config{Voices: []string{"slt"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ssml.Parse("text/plain", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	var pcm []int16
	err = tts.Synthesize(context.Background(), speech.SynthRequest{Doc: doc, Rate: rate, Prosody: ssml.DefaultProsody},
		func(c speech.Chunk) error { pcm = append(pcm, c.PCM...); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// TestRecogWithSphinx recognizes a spoken "yes" and a spoken menu
// choice with PocketSphinx through the resource, in real time.
func TestRecogWithSphinx(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	asr, err := sphinx.New(sphinx.Config{MaxDecoders: 2, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer asr.Close()
	reg := speech.NewRegistry()
	reg.AddRecognizer(asr)
	// Wideband: on 8 kHz audio PocketSphinx's 16 kHz model rejects a lone
	// "yes" from slt as no-match (docs/BENCHMARKS.md, PocketSphinx).
	const rate = 16000
	send := &fakeSender{}
	r, err := NewRecog(RecogConfig{Channel: recogChannel, Send: send, Rate: rate, Engines: reg, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	play := func(pcm []int16) {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for at := time.Duration(0); len(pcm) >= rate/50; at += 20 * time.Millisecond {
			<-tick.C
			r.Audio(at, pcm[:rate/50])
			pcm = pcm[rate/50:]
		}
	}
	for i, tc := range []struct {
		grammar, text string
		instance      any
	}{
		{yesNo, "yes", "true"},
		{speakTo, "may I speak to Andre Roy", "may i speak to andre roy"},
	} {
		id := mrcp.RequestID(i + 1)
		r.Handle(withBody(request(recogChannel, mrcp.MethodRecognize, id, "Speech-Language: en-US", "Confidence-Threshold: 0.1"),
			"application/srgs+xml", tc.grammar))
		play(hiss(rate, 0.5))
		play(mix(say(t, tc.text, rate), hiss(rate, 10)))
		play(hiss(rate, 1.5))
		msgs := waitFor(t, send, 3*(i+1), 10*time.Second)[3*i:]
		wantSummary(t, msgs, fmt.Sprintf("%d 200 IN-PROGRESS", id), fmt.Sprintf("START-OF-INPUT %d IN-PROGRESS", id),
			fmt.Sprintf("RECOGNITION-COMPLETE %d COMPLETE 000 success", id))
		if b, _ := result(t, msgs[2]).Best(); b.Instance != tc.instance {
			t.Errorf("%q recognized as %+v", tc.text, b)
		}
	}
	r.Close()
	asr.Close()
}
