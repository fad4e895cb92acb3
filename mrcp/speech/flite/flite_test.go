package flite

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/internal/speechtest"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// newEngine returns an Engine with every voice, failing t if flite
// cannot load.
func newEngine(t testing.TB) *Engine { return speechtest.NewEngine(t, New, Config{}) }

// voiceNames returns the names of e's voices.
func voiceNames(e *Engine) []string {
	var out []string
	for _, v := range e.Voices() {
		out = append(out, v.Name)
	}
	return out
}

// TestSuite checks what every synthesizer must do, with flite's bounds:
// durations at every rate and break lengths are exact, and the diphone
// voices' concurrent renderings equal lone ones.
func TestSuite(t *testing.T) {
	e := newEngine(t)
	all := voiceNames(e)
	speechtest.Suite{
		Synth:     e,
		Voice:     "kal16",
		Voices:    all,
		Aliases:   []string{"slt", "SLT", "cmu_us_slt", "flite/slt"},
		Unknown:   []string{"nobody"},
		RateSkew:  time.Millisecond,
		BreakSkew: 0,
		Volume:    speechtest.VolumeBounds{Silence: 0, HalfSkew: 0.01},
		Pitch: speechtest.PitchBounds{
			Voices: []string{"kal16", "slt", "rms"},
			// rms's own F0 contour (its SPAM model) gives way to its F0
			// trees when the pitch is not 1, so compare 1.5 with 0.7.
			Ratios:      []speechtest.PitchRatio{{Pitch: 1.5, Base: 0.7, Min: 1.8, Max: 2.5}},
			RangeVoices: []string{"kal16", "slt"},
			Ranges:      [3]float64{0.1, 1, 2.5},
			FlatSpread:  1.25,
		},
		Concurrent: all,
		// The diphone voices; the clustergen voices' (slt, rms, awb) noise
		// excitation is random, so theirs are only Similar.
		Deterministic: []string{"kal16", "kal"},
		// kal is an 8 kHz voice; PocketSphinx's 16 kHz model does not cope
		// with its missing upper band, so it is not asked to.
		Intelligible: []string{"kal16", "slt", "rms", "awb"},
	}.Run(t)
}

func TestVoices(t *testing.T) {
	mediatest.RequireTool(t, "flite")
	e := newEngine(t)
	var got []string
	for _, v := range e.Voices() {
		if v.Engine != "flite" || v.Language != "en-US" {
			t.Errorf("voice %+v: want engine flite, language en-US", v)
		}
		got = append(got, v.Name+":"+v.Gender)
	}
	want := []string{"kal16:male", "kal:male", "slt:female", "rms:male", "awb:male"}
	if !slices.Equal(got, want) {
		t.Errorf("voices %v, want %v", got, want)
	}
	if e.Name() != "flite" {
		t.Errorf("Name %q", e.Name())
	}

	some, err := New(Config{Voices: []string{"slt", "cmu_us_kal"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := some.Voices(); len(v) != 2 || v[0].Name != "slt" || v[1].Name != "kal" {
		t.Errorf("Config.Voices slt, cmu_us_kal: got %+v", v)
	}
	if _, err := New(Config{Voices: []string{"nobody"}}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown configured voice: err %v, want ErrNoVoice", err)
	}
}

// TestLoudSaturates checks that a large gain (the request's baseline
// volume) saturates instead of wrapping around.
func TestLoudSaturates(t *testing.T) {
	e := newEngine(t)
	normal := speechtest.RMS(speechtest.Render(t, e, speechtest.Say("kal", 8000, speechtest.Sentence)).PCM)
	req := speechtest.Say("kal", 8000, speechtest.Sentence)
	req.Prosody.Volume = 4
	loud := speechtest.Render(t, e, req).PCM
	if speechtest.RMS(loud) < 2*normal {
		t.Errorf("volume 4: rms %.0f, not louder than %.0f", speechtest.RMS(loud), normal)
	}
	if slices.Max(loud) != math.MaxInt16 || slices.Min(loud) != math.MinInt16 {
		t.Errorf("volume 4: range [%d, %d], want clipped to the int16 limits", slices.Min(loud), slices.Max(loud))
	}
}

func TestVoiceSwitch(t *testing.T) {
	e := newEngine(t)
	f0 := func(items ...ssml.Item) float64 {
		req := speechtest.Say("kal16", 16000, "")
		req.Doc = speechtest.Doc(items...)
		return speechtest.MedianF0(speechtest.Render(t, e, req).PCM, 16000)
	}
	male := f0(speechtest.Text(speechtest.Sentence))
	named := speechtest.Text(speechtest.Sentence)
	named.Voice = ssml.Voice{Name: "slt"}
	byName := f0(named)
	gendered := speechtest.Text(speechtest.Sentence)
	gendered.Voice = ssml.Voice{Gender: "female"}
	byGender := f0(gendered)
	t.Logf("median F0: kal16 %.0f Hz, voice name slt %.0f Hz, gender female %.0f Hz", male, byName, byGender)
	if male > 140 || byName < 140 || byGender < 140 {
		t.Errorf("median F0 kal16 %.0f, slt by name %.0f, by gender %.0f: want male below 140 Hz, female above", male, byName, byGender)
	}
	// A name of another engine's voice, or of a list, keeps flite's voice.
	other := speechtest.Text(speechtest.Sentence)
	other.Voice = ssml.Voice{Name: "en-us+f3"}
	if f := f0(other); f > 140 {
		t.Errorf("unknown item voice: F0 %.0f, want the request's male voice", f)
	}
}
