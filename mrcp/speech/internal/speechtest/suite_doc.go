package speechtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// badRequests checks that unknown voices, an unsupported rate and a
// missing document are refused.
func (s Suite) badRequests(t *testing.T) {
	if len(s.Unknown) == 0 {
		t.Fatal("no unknown voice names to check")
	}
	nop := func(speech.Chunk) error { return nil }
	ctx := context.Background()
	for _, name := range s.Unknown {
		if err := s.Synth.Synthesize(ctx, Say(name, 8000, "hi"), nop); !errors.Is(err, speech.ErrNoVoice) {
			t.Errorf("voice %q: err %v, want ErrNoVoice", name, err)
		}
	}
	if err := s.Synth.Synthesize(ctx, Say(s.Voice, 12345, "hi"), nop); err == nil {
		t.Error("rate 12345 Hz accepted")
	}
	if err := s.Synth.Synthesize(ctx, speech.SynthRequest{Rate: 8000}, nop); !errors.Is(err, speech.ErrEngine) {
		t.Errorf("nil document: err %v, want ErrEngine", err)
	}
}

// aliases checks that each other spelling of a voice name speaks.
func (s Suite) aliases(t *testing.T) {
	if len(s.Aliases) == 0 {
		t.Fatal("no voice name aliases to check")
	}
	for _, name := range s.Aliases {
		if r := Render(t, s.Synth, Say(name, 16000, "yes")); len(r.PCM) == 0 {
			t.Errorf("%q: no audio", name)
		}
	}
}

// marks checks that marks come in document order, at the right places:
// the first before any audio, speech between those around text, a
// break's length between those around it, and the last at the end.
func (s Suite) marks(t *testing.T) {
	req := Say(s.Voice, 8000, "")
	req.Doc = Doc(Mark("start"), Text("Your balance is"), Mark("amount"),
		Text("forty two dollars."), Mark("pause"), Break(300*time.Millisecond),
		Mark("end"))
	r := Render(t, s.Synth, req)
	if got, want := r.MarkNames(), []string{"start", "amount", "pause", "end"}; !slices.Equal(got, want) {
		t.Fatalf("marks %v, want %v", got, want)
	}
	at := func(i int) int { return r.Marks[i].At }
	if at(0) != 0 {
		t.Errorf("mark start after %d samples, want 0", at(0))
	}
	if at(1) < 4000 || at(2)-at(1) < 4000 {
		t.Errorf("marks at samples %v: want speech between them", r.Marks)
	}
	if got := at(3) - at(2); got != 2400 {
		t.Errorf("break between marks pause and end: %d samples, want 2400", got)
	}
	if at(3) != len(r.PCM) {
		t.Errorf("mark end at %d, want at the end (%d)", at(3), len(r.PCM))
	}
}

// breaks checks, with the engine's default voice (the request names
// none) and no baseline prosody, that a break lengthens the audio by its
// own length (within s.BreakSkew) of silence at every rate.
func (s Suite) breaks(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		without := Render(t, s.Synth, speech.SynthRequest{Rate: rate, Doc: Doc(Text("one"), Text("two"))})
		with := Render(t, s.Synth, speech.SynthRequest{Rate: rate,
			Doc: Doc(Text("one"), Break(750*time.Millisecond), Text("two"))})
		want := rate * 3 / 4
		skew := int(int64(rate) * int64(s.BreakSkew) / int64(time.Second))
		if got := len(with.PCM) - len(without.PCM); got < want-skew || got > want+skew {
			t.Errorf("%d Hz: break added %d samples, want %d within %v", rate, got, want, s.BreakSkew)
		}
		if got := LongestZeroRun(with.PCM); got < want {
			t.Errorf("%d Hz: longest silence %d samples, want at least %d", rate, got, want)
		}
	}
}

// audioFallback checks that an <audio> item speaks its fallback text.
func (s Suite) audioFallback(t *testing.T) {
	req := Say(s.Voice, 8000, "")
	req.Doc = Doc(ssml.Item{Kind: ssml.Audio, Name: "http://example.com/x.wav", Text: "sorry, the recording is missing", Prosody: ssml.DefaultProsody})
	if r := Render(t, s.Synth, req); r.Seconds(8000) < 1 || RMS(r.PCM) < 300 {
		t.Errorf("audio fallback: %.2f s, rms %.0f", r.Seconds(8000), RMS(r.PCM))
	}
}

// ssmlDoc is a prompt with marks, a say-as, a break, prosody and a voice
// change.
const ssmlDoc = `<?xml version="1.0"?>
<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">
  Your balance is <mark name="amount"/><say-as interpret-as="currency">$42.50</say-as>.
  <break time="800ms"/><mark name="after"/>
  <prosody rate="fast" volume="loud">Goodbye.</prosody>
  <voice gender="female">Thank you for calling.</voice>
</speak>`

// ssml renders a document from ssml.Parse.
func (s Suite) ssml(t *testing.T) {
	d, err := ssml.Parse("application/ssml+xml", []byte(ssmlDoc))
	if err != nil {
		t.Fatal(err)
	}
	r := Render(t, s.Synth, speech.SynthRequest{Doc: d, Voice: speech.Voice{Name: s.Voice}, Rate: 16000, Prosody: ssml.DefaultProsody})
	if got := r.MarkNames(); !slices.Equal(got, []string{"amount", "after"}) {
		t.Fatalf("marks %v", got)
	}
	if r.Marks[0].At < 8000 || r.Marks[1].At-r.Marks[0].At < 16000 {
		t.Errorf("marks at %v: want speech before each", r.Marks)
	}
	if z := LongestZeroRun(r.PCM[:r.Marks[1].At]); z < 800*16 {
		t.Errorf("longest silence before mark after: %d samples, want the 800 ms break", z)
	}
	if sec := r.Seconds(16000); sec < 4 || sec > 12 || RMS(r.PCM) < 300 {
		t.Errorf("%.2f s, rms %.0f", sec, RMS(r.PCM))
	}
}
