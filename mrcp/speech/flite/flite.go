package flite

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/parley-cc/parley/mrcp/speech"
	// Named tts: the tests' helper is called render.
	tts "github.com/parley-cc/parley/mrcp/speech/internal/render"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// EngineName is the engine's name, as in speech.Voice.Engine.
const EngineName = "flite"

// Config configures an Engine. The zero value offers every voice.
type Config struct {
	// Voices restricts the voices offered to these names ("kal", "slt");
	// empty means all of kal16, kal, slt, rms and awb, in that order.
	Voices []string
	// Log receives debug records of voice changes a document asks for
	// and cannot have; default slog.Default().
	Log *slog.Logger
}

// Engine is the flite synthesizer. It is safe for concurrent use.
type Engine struct {
	voices []*native
	log    *slog.Logger
}

var _ speech.Synthesizer = (*Engine)(nil)

// New loads flite's voices (once per process) and returns an Engine
// offering those cfg selects.
func New(cfg Config) (*Engine, error) {
	if err := load(); err != nil {
		return nil, err
	}
	e := &Engine{log: cfg.Log}
	if e.log == nil {
		e.log = slog.Default()
	}
	if len(cfg.Voices) == 0 {
		e.voices = natives
		return e, nil
	}
	for _, name := range cfg.Voices {
		n := lookup(natives, name)
		if n == nil {
			return nil, fmt.Errorf("flite: %w: no voice %q", speech.ErrNoVoice, name)
		}
		if !slices.Contains(e.voices, n) {
			e.voices = append(e.voices, n)
		}
	}
	return e, nil
}

// Name returns "flite".
func (e *Engine) Name() string { return EngineName }

// Voices lists the voices offered, all American English.
func (e *Engine) Voices() []speech.Voice {
	out := make([]speech.Voice, len(e.voices))
	for i, n := range e.voices {
		out[i] = speech.Voice{Name: n.name, Engine: EngineName, Language: "en-US", Gender: n.gender}
	}
	return out
}

// lookup finds a voice by name: "kal", "cmu_us_kal" or "flite/kal", in
// any case.
func lookup(voices []*native, name string) *native {
	name = strings.ToLower(strings.TrimSpace(name))
	name = strings.TrimPrefix(name, EngineName+"/")
	name = strings.TrimPrefix(name, "cmu_us_")
	for _, n := range voices {
		if n.name == name {
			return n
		}
	}
	return nil
}

// Synthesize renders req.Doc, streaming audio utterance by utterance (a
// sentence, or up to 300 bytes of one) as flite produces it, in chunks of
// 20 ms of flite's own rate resampled to req.Rate.
//
// Items map as follows. Text and Audio (its fallback text) are spoken with
// the item's voice and prosody: Rate divides flite's duration_stretch,
// Pitch multiplies the voice's F0 mean (int_f0_target_mean) and, with
// Range, its standard deviation (int_f0_target_stddev; rms then takes its
// F0 from its trees instead of its SPAM model), and Volume is a
// gain on the samples, saturating. A Break is silence, a Mark a
// Chunk{Mark}. An item's Voice.Name switches to another flite voice; a
// Voice.Gender the current voice lacks switches to the first voice of that
// gender. Language tags are not checked: every voice speaks English.
//
// Cancelling ctx stops synthesis at the next chunk, within about 20 ms of
// audio.
func (e *Engine) Synthesize(ctx context.Context, req speech.SynthRequest, emit func(speech.Chunk) error) error {
	if req.Doc == nil {
		return fmt.Errorf("flite: %w: no document", speech.ErrEngine)
	}
	base := e.voices[0]
	if req.Voice.Name != "" {
		if base = lookup(e.voices, req.Voice.Name); base == nil {
			return fmt.Errorf("flite: %w: no voice %q", speech.ErrNoVoice, req.Voice.Name)
		}
	}
	out, err := tts.NewOutput(ctx, req.Rate, emit)
	if err != nil {
		return fmt.Errorf("flite: %w", err)
	}
	return out.Items(req.Doc.Items, func(it ssml.Item) error {
		return e.say(ctx, out, e.itemVoice(base, it.Voice), tts.Effective(req.Prosody, it.Prosody), it.Text)
	})
}

// itemVoice returns the voice an item asks for, or cur.
func (e *Engine) itemVoice(cur *native, v ssml.Voice) *native {
	if name, _, _ := strings.Cut(strings.TrimSpace(v.Name), " "); name != "" {
		if n := lookup(e.voices, name); n != nil {
			return n
		}
		e.log.Debug("flite: no such voice, keeping the current one", "voice", name, "using", cur.name)
	}
	if v.Gender == "" || strings.EqualFold(v.Gender, cur.gender) {
		return cur
	}
	for _, n := range e.voices {
		if strings.EqualFold(v.Gender, n.gender) {
			return n
		}
	}
	e.log.Debug("flite: no voice of that gender, keeping the current one", "gender", v.Gender, "using", cur.name)
	return cur
}

// say speaks text piece by piece.
func (e *Engine) say(ctx context.Context, out *tts.Output, n *native, p ssml.Prosody, text string) error {
	out.SetGain(p.Volume)
	stretch := n.stretch / p.Rate
	mean := n.f0Mean * p.Pitch
	std := n.f0Std * p.Pitch * p.Range
	treeF0 := p.Pitch != 1 || p.Range != 1
	for _, piece := range tts.Pieces(text) {
		s := &speaker{ctx: ctx, out: out}
		ok := speak(n, piece, s, minBuffer, stretch, mean, std, treeF0)
		if s.panicked != nil {
			panic(s.panicked)
		}
		if s.err != nil {
			return s.err
		}
		if !ok {
			return fmt.Errorf("flite: %w: synthesis of %q failed", speech.ErrEngine, truncate(piece))
		}
		if err := out.End(); err != nil {
			return err
		}
	}
	return nil
}

// minBuffer is the smallest chunk flite streams, in native samples: 20 ms
// at 16 kHz, 40 ms at 8 kHz.
const minBuffer = 320

// speaker receives one utterance's audio from flite.
type speaker struct {
	ctx      context.Context
	out      *tts.Output
	err      error
	panicked any
}

// chunk implements chunker.
func (s *speaker) chunk(pcm []int16, rate int) (goOn bool) {
	if s.err != nil || s.panicked != nil {
		return false
	}
	defer func() {
		// A panic must not unwind through flite's C frames: keep it and
		// raise it again once flite has returned.
		if p := recover(); p != nil {
			s.panicked, goOn = p, false
		}
	}()
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return false
	}
	if !s.out.Open() {
		if err := s.out.Begin(rate); err != nil {
			s.err = err
			return false
		}
	}
	if err := s.out.Write(pcm); err != nil {
		s.err = err
		return false
	}
	return true
}

// truncate shortens s for error messages.
func truncate(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}
