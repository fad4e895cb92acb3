package espeak

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"

	"github.com/parley-cc/parley/mrcp/speech"
	// Named tts: the tests' helper is called render.
	tts "github.com/parley-cc/parley/mrcp/speech/internal/render"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// EngineName is the engine's name, as in speech.Voice.Engine.
const EngineName = "espeak-ng"

// defaultVariant is the variant offered with every voice when
// Config.Variants is nil: a female voice for each language.
const defaultVariant = "f3"

// Config configures an Engine. The zero value offers every installed
// voice, and each also with the female variant f3.
type Config struct {
	// DataPath is the directory holding espeak-ng-data; empty means
	// espeak-ng's default. The first Engine of the process decides it.
	DataPath string
	// Variants are the voice variants (files of espeak-ng-data/voices/!v,
	// such as "f3", "m3", "klatt") offered with every voice, as
	// "en-us+f3"; nil means f3 alone, empty none. Synthesize also
	// accepts any installed variant of an offered voice by name.
	Variants []string
	// Voices restricts the base voices offered to these names ("en-us",
	// "de"); empty means all installed.
	Voices []string
	// Log receives debug records of voice changes a document asks for
	// and cannot have; default slog.Default().
	Log *slog.Logger
}

// Engine is the espeak-ng synthesizer. It is safe for concurrent use;
// syntheses share the process's one espeak-ng and take turns sentence by
// sentence.
type Engine struct {
	cat      *catalog
	voices   []*voice // offered, in order
	variants []string
	log      *slog.Logger
}

var _ speech.Synthesizer = (*Engine)(nil)

// New initializes espeak-ng (once per process) and returns an Engine
// offering its installed voices as cfg selects.
func New(cfg Config) (*Engine, error) {
	if err := lib.init(cfg.DataPath); err != nil {
		return nil, err
	}
	variants := cfg.Variants
	if variants == nil {
		variants = []string{defaultVariant}
	}
	cat, err := newCatalog(lib.voices, lib.variants, variants)
	if err != nil {
		return nil, err
	}
	e := &Engine{cat: cat, variants: variants, log: cfg.Log}
	if e.log == nil {
		e.log = slog.Default()
	}
	if len(cfg.Voices) == 0 {
		e.voices = cat.voices
	} else {
		want := map[string]bool{}
		for _, name := range cfg.Voices {
			v := cat.lookup(name)
			if v == nil || v.variant != "" {
				return nil, fmt.Errorf("espeak: %w: no voice %q", speech.ErrNoVoice, name)
			}
			want[v.base] = true
		}
		for _, v := range cat.voices {
			if want[v.base] {
				e.voices = append(e.voices, v)
			}
		}
	}
	if len(e.voices) == 0 {
		return nil, fmt.Errorf("espeak: %w: espeak-ng has no voices", speech.ErrNoVoice)
	}
	return e, nil
}

// Name returns "espeak-ng".
func (e *Engine) Name() string { return EngineName }

// Voices lists the voices offered: each installed voice (mbrola voices
// excepted), named after its language ("en-us", "de", "cmn"), then each
// with every configured variant ("en-us+f3"), whose gender and age it
// takes.
func (e *Engine) Voices() []speech.Voice {
	out := make([]speech.Voice, len(e.voices))
	for i, v := range e.voices {
		out[i] = v.Voice
	}
	return out
}

// offered finds a voice by name among those offered, or an installed
// variant of one.
func (e *Engine) offered(name string) *voice {
	v := e.cat.lookup(name)
	if v == nil {
		return nil
	}
	for _, o := range e.voices {
		if o.base == v.base {
			return v
		}
	}
	return nil
}

// Synthesize renders req.Doc sentence by sentence: each sentence (or
// piece of at most 300 bytes) is synthesized whole while this request
// holds espeak-ng, then resampled from 22050 Hz to req.Rate and emitted in
// chunks of up to 100 ms while others synthesize.
//
// Items map as follows. Text and Audio (its fallback text) are spoken with
// the item's voice and prosody: Rate scales the 175 words per minute
// (80-450), Pitch sets espeak-ng's pitch (0-99, 50 normal; measured F0
// goes as about exp(0.0095 (p-50)), so p = 50 + ln(Pitch)/0.0095), Range
// scales the pitch range (0-100, 50 normal) and Volume the amplitude
// (0-200, 100 normal). A Break is silence, a Mark a Chunk{Mark}. An item's
// Voice.Name switches to that voice; otherwise an xml:lang other than the
// document's (for which the request's voice was chosen), in another
// language than the voice's, switches to that language's voice, keeping
// the variant, and a Voice.Gender the voice lacks switches to a variant of
// that gender.
//
// Cancelling ctx stops synthesis within 60 ms of audio, or while the
// request waits for its turn.
func (e *Engine) Synthesize(ctx context.Context, req speech.SynthRequest, emit func(speech.Chunk) error) error {
	if req.Doc == nil {
		return fmt.Errorf("espeak: %w: no document", speech.ErrEngine)
	}
	base := e.voices[0]
	if req.Voice.Name != "" {
		if base = e.offered(req.Voice.Name); base == nil {
			return fmt.Errorf("espeak: %w: no voice %q", speech.ErrNoVoice, req.Voice.Name)
		}
	}
	out, err := tts.NewOutput(ctx, req.Rate, emit)
	if err != nil {
		return fmt.Errorf("espeak: %w", err)
	}
	r := &renderer{out: out, lang: req.Doc.Lang}
	return out.Items(req.Doc.Items, func(it ssml.Item) error {
		return r.say(ctx, e.itemVoice(base, it, r.lang), espeakParams(tts.Effective(req.Prosody, it.Prosody)), it.Text)
	})
}

// renderer is the state of one Synthesize.
type renderer struct {
	out  *tts.Output
	lang string  // the document's language
	pcm  []int16 // native audio of the current sentence, reused
}

// itemVoice returns the voice an item asks for: by name, else by language
// (when it is not the document's, whose language the request's voice was
// chosen for) and gender, starting from cur.
func (e *Engine) itemVoice(cur *voice, it ssml.Item, docLang string) *voice {
	if name, _, _ := strings.Cut(strings.TrimSpace(it.Voice.Name), " "); name != "" {
		if v := e.offered(name); v != nil {
			return v
		}
		e.log.Debug("espeak: no such voice, keeping the current one", "voice", name, "using", cur.Name)
	}
	v := cur
	if !strings.EqualFold(it.Lang, docLang) {
		if l := e.cat.forLanguage(v, it.Lang); l != nil && e.offered(l.Name) != nil {
			v = l
		} else if l == nil {
			e.log.Debug("espeak: no voice for the language, keeping the current one", "lang", it.Lang, "using", v.Name)
		}
	}
	if g := e.cat.forGender(v, it.Voice.Gender, e.variants); g != nil {
		v = g
	} else {
		e.log.Debug("espeak: no variant of that gender, keeping the voice", "gender", it.Voice.Gender, "using", v.Name)
	}
	return v
}

// say speaks text with voice v, sentence by sentence.
func (r *renderer) say(ctx context.Context, v *voice, p params, text string) error {
	for _, piece := range tts.Pieces(text) {
		var err error
		r.pcm, err = lib.synth(ctx, v.id, p, piece, r.pcm[:0])
		if err != nil {
			return err
		}
		if err := r.out.Begin(lib.rate); err != nil {
			return err
		}
		if err := r.out.Write(r.pcm); err != nil {
			return err
		}
		if err := r.out.End(); err != nil {
			return err
		}
	}
	return nil
}

// espeakParams maps prosody factors to espeak-ng's parameters.
func espeakParams(p ssml.Prosody) params {
	return params{
		rate:   clampInt(175*p.Rate, 80, 450),
		pitch:  clampInt(50+math.Log(p.Pitch)/0.0095, 0, 99),
		rng:    clampInt(50*p.Range, 0, 100),
		volume: clampInt(100*p.Volume, 0, 200),
	}
}

func clampInt(v float64, lo, hi int) int {
	return int(math.Round(math.Min(math.Max(v, float64(lo)), float64(hi))))
}
