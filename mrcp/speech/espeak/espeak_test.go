package espeak

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/internal/speechtest"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// newEngine returns an Engine with every voice, failing t if espeak-ng
// cannot load.
func newEngine(t testing.TB) *Engine { return speechtest.NewEngine(t, New, Config{}) }

// TestSuite checks what every synthesizer must do, with espeak-ng's
// bounds: it carries some state from one synthesis to the next (its pitch
// flutter's phase), so renderings of one text differ by a few
// milliseconds and are compared with speechtest.Similar.
func TestSuite(t *testing.T) {
	speechtest.Suite{
		Synth:     newEngine(t),
		Voice:     "en-us",
		Voices:    []string{"en-us", "en-us+f3", "de"},
		Aliases:   []string{"en-us+klatt", "EN-US+F3", "espeak-ng/en-us", "en_us"},
		Unknown:   []string{"xx-nowhere", "en-us+nosuch"},
		RateSkew:  20 * time.Millisecond,
		BreakSkew: 20 * time.Millisecond,
		Volume:    speechtest.VolumeBounds{Silence: 10, HalfSkew: 0.15},
		Pitch: speechtest.PitchBounds{
			Voices: []string{"en-us", "en-us+f3"},
			Ratios: []speechtest.PitchRatio{
				{Pitch: 1.4, Base: 1, Min: 1.25, Max: 1.6},
				{Pitch: 0.8, Base: 1, Min: 0.7, Max: 0.9},
			},
			RangeVoices: []string{"en-us", "en-us+f3"},
			Ranges:      [3]float64{0, 1, 2},
		},
		Concurrent: []string{"en-us", "en-us+f3", "de", "fr-fr", "en-gb+klatt"},
		// PocketSphinx's generic model hears espeak-ng's default formant
		// voices poorly (see docs/BENCHMARKS.md and
		// TestFormantVoicesHeard); the Klatt variant is the check.
		Intelligible: []string{"en-us+klatt"},
	}.Run(t)
}

func TestVoices(t *testing.T) {
	mediatest.RequireTool(t, "espeak-ng")
	e := newEngine(t)
	if e.Name() != "espeak-ng" {
		t.Errorf("Name %q", e.Name())
	}
	vs := e.Voices()
	byName := map[string]speech.Voice{}
	for _, v := range vs {
		if v.Engine != "espeak-ng" || v.Name == "" || v.Language == "" {
			t.Errorf("voice %+v incomplete", v)
		}
		if _, dup := byName[v.Name]; dup {
			t.Errorf("voice name %q twice", v.Name)
		}
		byName[v.Name] = v
	}
	if len(vs) < 200 {
		t.Errorf("%d voices, want the ~130 installed ones and their female variants", len(vs))
	}
	for _, want := range []speech.Voice{
		{Name: "en-us", Language: "en-US", Gender: "male"},
		{Name: "en-us+f3", Language: "en-US", Gender: "female"},
		{Name: "en-gb", Language: "en-GB", Gender: "male"},
		{Name: "en-gb-x-rp", Language: "en-GB-x-rp", Gender: "male"},
		{Name: "de", Language: "de", Gender: "male"},
		{Name: "fr-fr", Language: "fr-FR", Gender: "male"},
		{Name: "cmn-latn-pinyin", Language: "cmn-Latn-pinyin", Gender: "male"},
	} {
		want.Engine = "espeak-ng"
		if got := byName[want.Name]; got != want {
			t.Errorf("voice %s: %+v, want %+v", want.Name, got, want)
		}
	}
	for _, v := range vs {
		if v.Gender == "" {
			t.Errorf("%s: no gender", v.Name)
		}
	}

	some, err := New(Config{Voices: []string{"en-us", "DE"}, Variants: []string{"m3", "f2"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range some.Voices() {
		names = append(names, v.Name+":"+v.Gender)
	}
	if want := []string{"de:male", "en-us:male", "de+m3:male", "en-us+m3:male", "de+f2:female", "en-us+f2:female"}; !slices.Equal(names, want) {
		t.Errorf("Config{Voices: en-us, DE; Variants: m3, f2}: voices %v, want %v", names, want)
	}
	if _, err := New(Config{Variants: []string{"nosuch"}}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown variant: err %v, want ErrNoVoice", err)
	}
	if _, err := New(Config{Voices: []string{"xx-nowhere"}}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown voice: err %v, want ErrNoVoice", err)
	}
}

// TestEveryVoice has every installed voice say a few words.
func TestEveryVoice(t *testing.T) {
	e := newEngine(t)
	for _, v := range e.Voices() {
		if v.Name != "en-us+f3" && slices.Contains([]byte(v.Name), '+') {
			continue
		}
		r := speechtest.Render(t, e, speechtest.Say(v.Name, 8000, "hello 1 2 3"))
		if r.Seconds(8000) < 0.5 || speechtest.RMS(r.PCM) < 300 {
			t.Errorf("%s: %.2f s, rms %.0f", v.Name, r.Seconds(8000), speechtest.RMS(r.PCM))
		}
	}
}

// TestVoiceSwitch checks that an item's voice name, language and gender
// switch voices: the item must sound as the voice switched to does on its
// own, and unlike the request's voice.
func TestVoiceSwitch(t *testing.T) {
	e := newEngine(t)
	const text = "Guten Tag, wie geht es Ihnen? Ich heisse Anna."
	alone := func(voice string) []int16 { return speechtest.Render(t, e, speechtest.Say(voice, 16000, text)).PCM }
	switched := func(mod func(*ssml.Item)) []int16 {
		req := speechtest.Say("en-us", 16000, text)
		mod(&req.Doc.Items[0])
		return speechtest.Render(t, e, req).PCM
	}
	english := alone("en-us")
	for _, tc := range []struct {
		name, want string
		mod        func(*ssml.Item)
	}{
		{"by name", "de", func(it *ssml.Item) { it.Voice.Name = "de" }},
		{"by name list", "de", func(it *ssml.Item) { it.Voice.Name = "de en-gb" }},
		{"by language", "de", func(it *ssml.Item) { it.Lang = "de-DE" }},
		{"by gender", "en-us+f3", func(it *ssml.Item) { it.Voice.Gender = "female" }},
		{"by language and gender", "de+f3", func(it *ssml.Item) { it.Lang = "de"; it.Voice.Gender = "female" }},
		{"by name with variant", "de+f3", func(it *ssml.Item) { it.Voice.Name = "de+f3" }},
		{"same language, a region without a voice", "en-us", func(it *ssml.Item) { it.Lang = "en-AU" }},
		{"unknown language", "en-us", func(it *ssml.Item) { it.Lang = "tlh" }},
		{"another engine's voice", "en-us", func(it *ssml.Item) { it.Voice.Name = "slt" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := alone(tc.want)
			if why := speechtest.Similar(switched(tc.mod), want, 16000); why != "" {
				t.Errorf("item unlike voice %s alone: %s", tc.want, why)
			}
			if tc.want != "en-us" && speechtest.Similar(english, want, 16000) == "" {
				t.Errorf("voice %s sounds like en-us: the test cannot tell them apart", tc.want)
			}
		})
	}
	// The document's own language keeps the request's voice.
	req := speechtest.Say("de", 16000, text)
	req.Doc.Lang, req.Doc.Items[0].Lang = "en-US", "en-US"
	if why := speechtest.Similar(speechtest.Render(t, e, req).PCM, alone("de"), 16000); why != "" {
		t.Errorf("voice de, document in en-US: not spoken by de: %s", why)
	}
}

// TestCancelDuringSynthesis cancels inside espeak-ng's callback and checks
// that the next synthesis is unharmed.
func TestCancelDuringSynthesis(t *testing.T) {
	e := newEngine(t)
	want := speechtest.Render(t, e, speechtest.Say("en-us", 8000, speechtest.Sentence)).PCM
	ctx, cancel := context.WithCancel(context.Background())
	lib.sem <- struct{}{}
	go func() {
		time.Sleep(20 * time.Millisecond)
		<-lib.sem // let the request in, then cancel it mid-speechtest.Sentence
		time.Sleep(time.Millisecond)
		cancel()
	}()
	err := e.Synthesize(ctx, speechtest.Say("en-us", 8000, speechtest.Sentence+" "+speechtest.Sentence+" "+speechtest.Sentence+" "+speechtest.Sentence), func(speech.Chunk) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if why := speechtest.Similar(speechtest.Render(t, e, speechtest.Say("en-us", 8000, speechtest.Sentence)).PCM, want, 8000); why != "" {
		t.Errorf("synthesis after a cancelled one differs: %s", why)
	}
}

// TestCancelWhileWaiting checks that a request waiting for its turn on
// espeak-ng gives up when its context ends.
func TestCancelWhileWaiting(t *testing.T) {
	e := newEngine(t)
	lib.sem <- struct{}{} // espeak-ng busy
	defer func() { <-lib.sem }()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := e.Synthesize(ctx, speechtest.Say("en-us", 8000, "hello"), func(speech.Chunk) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("gave up after %v", d)
	}
}

// TestFormantVoicesHeard logs what PocketSphinx hears of the default
// formant voices, which its generic model hears too poorly for a bound
// (TestSuite checks the Klatt variant).
func TestFormantVoicesHeard(t *testing.T) {
	e := newEngine(t)
	const want = "please say your account number"
	for _, v := range []string{"en-us", "en-us+f3"} {
		heard := speechtest.Recognize(t, speechtest.Render(t, e, speechtest.Say(v, 16000, want)).PCM)
		t.Logf("%s: PocketSphinx heard %q: %d of the 5 words", v, heard, speechtest.Recall(want, heard))
	}
}
