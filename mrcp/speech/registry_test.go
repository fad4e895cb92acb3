package speech_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parley-cc/parley/mrcp/speech"
)

// voiceEngine is a Synthesizer that only has voices: the registry never
// synthesizes.
type voiceEngine struct {
	name   string
	voices []speech.Voice
}

func (e *voiceEngine) Name() string           { return e.name }
func (e *voiceEngine) Voices() []speech.Voice { return e.voices }
func (e *voiceEngine) Synthesize(context.Context, speech.SynthRequest, func(speech.Chunk) error) error {
	return errors.New("not a real engine")
}

func engine(name string, voices ...string) *voiceEngine {
	e := &voiceEngine{name: name}
	for _, v := range voices {
		var name, lang, gender string
		var age int
		if _, err := fmt.Sscanf(v, "%s %s %s %d", &name, &lang, &gender, &age); err != nil {
			panic(v)
		}
		e.voices = append(e.voices, speech.Voice{Name: name, Engine: e.name, Language: lang, Gender: gender, Age: age})
	}
	return e
}

// recogEngine is a Recognizer that only has languages.
type recogEngine struct {
	name  string
	langs []string
}

func (r *recogEngine) Name() string        { return r.name }
func (r *recogEngine) Languages() []string { return r.langs }
func (r *recogEngine) Start(context.Context, speech.RecogRequest) (speech.Stream, error) {
	return nil, errors.New("not a real engine")
}

func testRegistry() *speech.Registry {
	r := speech.NewRegistry()
	r.AddSynthesizer(engine("flite",
		"kal16 en-US male 0", "kal en-US male 0", "slt en-US female 0", "rms en-US male 0"))
	r.AddSynthesizer(engine("espeak-ng",
		"en-us en-US male 0", "en-gb en-GB male 0", "en en male 0", "de de male 0", "fr-fr fr-FR male 0",
		"en-us+f3 en-US female 0", "de+f3 de female 0", "de+denis de male 35", "de+old de male 70"))
	r.AddSynthesizer(engine("openai", "alloy en-US neutral 30", "nova en-US female 25", "shimmer en-US female 40"))
	return r
}

func TestSelectVoice(t *testing.T) {
	r := testRegistry()
	for _, tc := range []struct {
		name string
		sel  speech.VoiceSelection
		want string // engine/voice
		err  error
	}{
		{"nothing asked", speech.VoiceSelection{}, "flite/kal16", nil},
		{"by name", speech.VoiceSelection{Name: "slt"}, "flite/slt", nil},
		{"name in any case", speech.VoiceSelection{Name: "SLT"}, "flite/slt", nil},
		{"engine/name", speech.VoiceSelection{Name: "espeak-ng/de"}, "espeak-ng/de", nil},
		{"name list", speech.VoiceSelection{Name: "nosuch nova slt"}, "openai/nova", nil},
		{"name wins over language and gender", speech.VoiceSelection{Name: "de", Language: "en-US", Gender: "female"}, "espeak-ng/de", nil},
		{"unknown name", speech.VoiceSelection{Name: "hal9000"}, "", speech.ErrNoVoice},
		{"unknown engine/name", speech.VoiceSelection{Name: "polly/joanna"}, "", speech.ErrNoVoice},
		{"name of another engine than asked", speech.VoiceSelection{Name: "slt", Engine: "espeak-ng"}, "", speech.ErrNoVoice},
		{"language", speech.VoiceSelection{Language: "de-DE"}, "espeak-ng/de", nil},
		{"language exact first", speech.VoiceSelection{Language: "en-GB"}, "espeak-ng/en-gb", nil},
		{"language case and underscore", speech.VoiceSelection{Language: "EN_gb"}, "espeak-ng/en-gb", nil},
		{"language falls back to general", speech.VoiceSelection{Language: "en-AU"}, "espeak-ng/en", nil},
		{"language falls back to specific", speech.VoiceSelection{Language: "fr"}, "espeak-ng/fr-fr", nil},
		{"general language prefers exact", speech.VoiceSelection{Language: "en"}, "espeak-ng/en", nil},
		{"unknown language", speech.VoiceSelection{Language: "tlh"}, "", speech.ErrLanguage},
		{"gender", speech.VoiceSelection{Language: "en-US", Gender: "female"}, "flite/slt", nil},
		{"gender in any case", speech.VoiceSelection{Language: "en-US", Gender: "Female"}, "flite/slt", nil},
		{"gender alone", speech.VoiceSelection{Gender: "neutral"}, "openai/alloy", nil},
		{"gender missing is a preference", speech.VoiceSelection{Language: "fr-FR", Gender: "female"}, "espeak-ng/fr-fr", nil},
		{"age", speech.VoiceSelection{Language: "en-US", Gender: "female", Age: 38}, "openai/shimmer", nil},
		{"age closest", speech.VoiceSelection{Language: "en-US", Gender: "female", Age: 20}, "openai/nova", nil},
		{"age unknown is farthest", speech.VoiceSelection{Language: "de", Gender: "male", Age: 60}, "espeak-ng/de+old", nil},
		{"age nearest below", speech.VoiceSelection{Language: "de", Gender: "male", Age: 52}, "espeak-ng/de+denis", nil},
		{"engine", speech.VoiceSelection{Engine: "openai"}, "openai/alloy", nil},
		{"engine and gender", speech.VoiceSelection{Engine: "espeak-ng", Language: "en-US", Gender: "female"}, "espeak-ng/en-us+f3", nil},
		{"engine lacking the language", speech.VoiceSelection{Engine: "flite", Language: "de"}, "", speech.ErrLanguage},
		{"unknown engine", speech.VoiceSelection{Engine: "polly"}, "", speech.ErrNoVoice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, v, err := r.SelectVoice(tc.sel)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				if s != nil || v != (speech.Voice{}) {
					t.Errorf("with an error, got %v %+v", s, v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Name() + "/" + v.Name; got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if v.Engine != s.Name() {
				t.Errorf("voice %+v is not of engine %s", v, s.Name())
			}
		})
	}
}

func TestEmptyRegistry(t *testing.T) {
	r := speech.NewRegistry()
	if _, _, err := r.SelectVoice(speech.VoiceSelection{}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("SelectVoice: err %v, want ErrNoVoice", err)
	}
	if _, err := r.SelectRecognizer("en-US", ""); !errors.Is(err, speech.ErrNoEngine) {
		t.Errorf("SelectRecognizer: err %v, want ErrNoEngine", err)
	}
	if len(r.Synthesizers()) != 0 || len(r.Recognizers()) != 0 || len(r.Voices()) != 0 {
		t.Error("empty registry lists engines")
	}
}

func TestRegistryLists(t *testing.T) {
	r := testRegistry()
	var names []string
	for _, s := range r.Synthesizers() {
		names = append(names, s.Name())
	}
	if want := []string{"flite", "espeak-ng", "openai"}; !slices.Equal(names, want) {
		t.Errorf("Synthesizers %v, want %v", names, want)
	}
	if n := len(r.Voices()); n != 16 {
		t.Errorf("%d voices, want 16", n)
	}
	// An engine of the same name replaces the first, in its place.
	r.AddSynthesizer(engine("FLITE", "awb en-US male 0"))
	if s, v, err := r.SelectVoice(speech.VoiceSelection{}); err != nil || v.Name != "awb" || s.Name() != "FLITE" {
		t.Errorf("after replacing flite: %v %+v %v", s, v, err)
	}
	if _, _, err := r.SelectVoice(speech.VoiceSelection{Name: "slt"}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("voice of the replaced engine still selected: %v", err)
	}
	if n := len(r.Synthesizers()); n != 3 {
		t.Errorf("%d synthesizers after replacing one, want 3", n)
	}
}

func TestSelectRecognizer(t *testing.T) {
	r := speech.NewRegistry()
	r.AddRecognizer(&recogEngine{"pocketsphinx", []string{"en-US"}})
	r.AddRecognizer(&recogEngine{"openai", []string{"en", "de", "fr-FR"}})
	r.AddRecognizer(&recogEngine{"vosk", []string{"en-GB", "de-DE"}})
	for _, tc := range []struct {
		lang, name, want string
		err              error
	}{
		{"", "", "pocketsphinx", nil},
		{"en-US", "", "pocketsphinx", nil},
		{"en-us", "", "pocketsphinx", nil},
		{"en-GB", "", "vosk", nil},
		{"en-AU", "", "openai", nil},
		{"de-DE", "", "vosk", nil},
		{"de-AT", "", "openai", nil},
		{"fr", "", "openai", nil},
		{"tlh", "", "", speech.ErrLanguage},
		{"", "VOSK", "vosk", nil},
		{"en-US", "openai", "openai", nil},
		{"en-US", "vosk", "vosk", nil}, // same primary language
		{"ja", "vosk", "", speech.ErrLanguage},
		{"en-US", "kaldi", "", speech.ErrNoEngine},
	} {
		t.Run(tc.lang+"/"+tc.name, func(t *testing.T) {
			rc, err := r.SelectRecognizer(tc.lang, tc.name)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rc.Name() != tc.want {
				t.Errorf("got %s, want %s", rc.Name(), tc.want)
			}
		})
	}
}

// TestRegistryConcurrent selects while engines are added (run with -race).
func TestRegistryConcurrent(t *testing.T) {
	r := testRegistry()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				if _, _, err := r.SelectVoice(speech.VoiceSelection{Language: "en-US", Gender: "female"}); err != nil {
					t.Error(err)
					return
				}
				if j%50 == 0 {
					r.AddSynthesizer(engine(fmt.Sprintf("extra%d-%d", i, j), "x en-US female 0"))
					r.AddRecognizer(&recogEngine{fmt.Sprintf("r%d-%d", i, j), []string{"en-US"}})
				}
				_, _ = r.SelectRecognizer("en-US", "")
				_ = r.Voices()
			}
		})
	}
	wg.Wait()
}

// FuzzSelectVoice selects with arbitrary headers: no panic, errors of
// the documented kinds, and a named voice is the one named.
func FuzzSelectVoice(f *testing.F) {
	f.Add("slt", "", "", 0, "")
	f.Add("espeak-ng/de nova", "en-US", "female", 30, "")
	f.Add("", "en_gb", "MALE", 200, "espeak-ng")
	f.Add("/", "-", "", -1, "x")
	r := testRegistry()
	f.Fuzz(func(t *testing.T, name, lang, gender string, age int, eng string) {
		sel := speech.VoiceSelection{Name: name, Language: lang, Gender: gender, Age: age, Engine: eng}
		s, v, err := r.SelectVoice(sel)
		if err != nil {
			if !errors.Is(err, speech.ErrNoVoice) && !errors.Is(err, speech.ErrLanguage) {
				t.Fatalf("%+v: unexpected error %v", sel, err)
			}
			return
		}
		if v.Engine != s.Name() {
			t.Fatalf("%+v: voice %+v not of engine %s", sel, v, s.Name())
		}
		if eng != "" && !strings.EqualFold(eng, s.Name()) {
			t.Fatalf("%+v: engine %s chosen", sel, s.Name())
		}
		if strings.TrimSpace(name) != "" {
			found := false
			for _, n := range strings.Fields(name) {
				if strings.EqualFold(n, v.Name) || strings.EqualFold(n, s.Name()+"/"+v.Name) {
					found = true
				}
			}
			if !found {
				t.Fatalf("%+v: chose %s/%s, not a voice named", sel, s.Name(), v.Name)
			}
		}
	})
}
