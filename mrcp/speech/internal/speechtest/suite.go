package speechtest

import (
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp/speech"
)

// Sentence is what most checks say.
const Sentence = "Please say your account number, then press the pound key."

// Suite is what every speech.Synthesizer must do, with the voices and
// bounds that differ by engine. Run checks it all.
type Suite struct {
	// Synth is the engine under test.
	Synth speech.Synthesizer
	// Voice is the voice of the checks that need only one.
	Voice string
	// Voices are each checked at every rate, for rate scaling, for
	// cancellation, and while another request's consumer is slow.
	Voices []string
	// Aliases are other spellings of offered voices' names; each must
	// speak.
	Aliases []string
	// Unknown are voice names Synthesize must refuse with
	// speech.ErrNoVoice.
	Unknown []string
	// RateSkew is how much the durations of one text at 8, 16 and 48 kHz
	// may differ.
	RateSkew time.Duration
	// BreakSkew is how much a break may lengthen the audio by more or
	// less than its own length; 0 means exactly its length.
	BreakSkew time.Duration
	// Volume bounds the effect of the prosody's Volume.
	Volume VolumeBounds
	// Pitch bounds the effect of the prosody's Pitch and Range.
	Pitch PitchBounds
	// Concurrent are the voices synthesized several times at once, each
	// with its own speaking rate; each rendering must be like a lone one:
	// the Same for a Deterministic voice, else Similar.
	Concurrent []string
	// Deterministic are the voices whose renderings of one request are
	// equal sample by sample.
	Deterministic []string
	// Intelligible are the voices in which PocketSphinx must hear at least
	// 3 of the 5 words of "please say your account number".
	Intelligible []string
}

// VolumeBounds bound the effect of the prosody's Volume.
type VolumeBounds struct {
	// Silence is the most RMS at volume 0.
	Silence float64
	// HalfSkew is how far the RMS at volume 0.5 over the RMS at volume 1
	// may be from 0.5.
	HalfSkew float64
}

// PitchBounds bound the effect of the prosody's Pitch and Range on the
// median F0 and on the F0's spread (F0Spread).
type PitchBounds struct {
	// Voices are the voices whose Pitch is checked.
	Voices []string
	// Ratios bound the median F0 at one pitch over that at another. The
	// median F0 must also rise with the pitch over 1 and every pitch
	// named.
	Ratios []PitchRatio
	// RangeVoices are the voices whose Range is checked.
	RangeVoices []string
	// Ranges are three ranges, increasing, at which the F0's spread must
	// increase.
	Ranges [3]float64
	// FlatSpread, when not 0, is the most F0 spread at Ranges[0].
	FlatSpread float64
}

// PitchRatio bounds the median F0 at Pitch over the median F0 at Base
// between Min and Max.
type PitchRatio struct {
	Pitch, Base float64
	Min, Max    float64
}

// Run runs every check of s as a subtest of t.
func (s Suite) Run(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(Suite, *testing.T)
	}{
		{"Rates", Suite.rates},
		{"BadRequests", Suite.badRequests},
		{"Aliases", Suite.aliases},
		{"RateScalesDuration", Suite.rateScalesDuration},
		{"Pitch", Suite.pitch},
		{"Range", Suite.pitchRange},
		{"Volume", Suite.volume},
		{"Marks", Suite.marks},
		{"Break", Suite.breaks},
		{"AudioFallback", Suite.audioFallback},
		{"SSML", Suite.ssml},
		{"Cancel", Suite.cancel},
		{"EmitError", Suite.emitError},
		{"EmitPanic", Suite.emitPanic},
		{"SlowConsumer", Suite.slowConsumer},
		{"Concurrent", Suite.concurrent},
		{"Intelligible", Suite.intelligible},
		{"GoroutinesEnd", Suite.goroutinesEnd},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(s, t) })
	}
}

// forVoices runs check as a subtest per voice.
func forVoices(t *testing.T, voices []string, check func(t *testing.T, voice string)) {
	if len(voices) == 0 {
		t.Fatal("no voices to check")
	}
	for _, v := range voices {
		t.Run(v, func(t *testing.T) { check(t, v) })
	}
}
