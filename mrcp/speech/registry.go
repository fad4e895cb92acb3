package speech

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
)

// ErrNoEngine means no engine of the name asked for is registered.
var ErrNoEngine = errors.New("speech: no such engine")

// VoiceSelection is what a request asks of a voice: the MRCP Voice-Name,
// Speech-Language, Voice-Gender and Voice-Age headers (RFC 6787 section
// 8.4.5), and optionally the engine to take it from.
type VoiceSelection struct {
	// Name is a voice name ("slt"), "engine/name" ("flite/slt"), or
	// several names separated by spaces, tried in order.
	Name string
	// Language is a BCP 47 tag ("en-US").
	Language string
	// Gender is "male", "female" or "neutral".
	Gender string
	// Age is the preferred apparent age in years, 0 for any.
	Age int
	// Engine restricts the choice to one engine ("flite").
	Engine string
}

// Registry holds the engines of a speech server and chooses one for each
// request. Engines are kept in the order added, which breaks every tie,
// so a choice is deterministic. It is safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	synths []synthEntry
	recogs []recogEntry
}

type synthEntry struct {
	s      Synthesizer
	voices []Voice // read once, when added
}

type recogEntry struct {
	r     Recognizer
	langs []string // read once, when added
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{} }

// AddSynthesizer adds s after the synthesizers already there, or in the
// place of one of the same name (so that a Cache can replace the engine
// it wraps). Its voices are read now, once.
func (r *Registry) AddSynthesizer(s Synthesizer) {
	e := synthEntry{s: s, voices: s.Voices()}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, old := range r.synths {
		if strings.EqualFold(old.s.Name(), s.Name()) {
			r.synths[i] = e
			return
		}
	}
	r.synths = append(r.synths, e)
}

// AddRecognizer adds rc after the recognizers already there, or in the
// place of one of the same name. Its languages are read now, once.
func (r *Registry) AddRecognizer(rc Recognizer) {
	e := recogEntry{r: rc, langs: rc.Languages()}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, old := range r.recogs {
		if strings.EqualFold(old.r.Name(), rc.Name()) {
			r.recogs[i] = e
			return
		}
	}
	r.recogs = append(r.recogs, e)
}

// Synthesizers returns the synthesizers in order.
func (r *Registry) Synthesizers() []Synthesizer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Synthesizer, len(r.synths))
	for i, e := range r.synths {
		out[i] = e.s
	}
	return out
}

// Recognizers returns the recognizers in order.
func (r *Registry) Recognizers() []Recognizer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Recognizer, len(r.recogs))
	for i, e := range r.recogs {
		out[i] = e.r
	}
	return out
}

// Voices returns the voices of every synthesizer, in order.
func (r *Registry) Voices() []Voice {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Voice
	for _, e := range r.synths {
		out = append(out, e.voices...)
	}
	return out
}

// candidate is a voice and its engine.
type candidate struct {
	s Synthesizer
	v Voice
}

// SelectVoice chooses the voice for sel.
//
// A Name decides alone: the first of its names that some voice has,
// compared without case, optionally as "engine/name"; no such voice is an
// error wrapping ErrNoVoice. Otherwise the voices of the best language
// match are kept: the same tag; else a voice of a more general tag
// ("en" for "en-US"); else one of a more specific tag ("en-GB" for "en");
// else one of the same primary language ("en-GB" for "en-US"). No voice
// in the language is an error wrapping ErrLanguage. Among those kept,
// voices of the Gender asked for are preferred, then the voice of the
// closest Age (a voice of unknown age counts as farthest), then the
// first in order. Engine restricts every step to that engine; an unknown
// engine is an error wrapping ErrNoVoice.
func (r *Registry) SelectVoice(sel VoiceSelection) (Synthesizer, Voice, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var cands []candidate
	for _, e := range r.synths {
		if sel.Engine == "" || strings.EqualFold(sel.Engine, e.s.Name()) {
			for _, v := range e.voices {
				cands = append(cands, candidate{e.s, v})
			}
		}
	}
	if len(cands) == 0 {
		if sel.Engine != "" {
			return nil, Voice{}, fmt.Errorf("%w: no synthesizer %q", ErrNoVoice, sel.Engine)
		}
		return nil, Voice{}, fmt.Errorf("%w: no synthesizer", ErrNoVoice)
	}
	if strings.TrimSpace(sel.Name) != "" {
		for _, name := range strings.Fields(sel.Name) {
			if c, ok := byName(cands, name); ok {
				return c.s, c.v, nil
			}
		}
		return nil, Voice{}, fmt.Errorf("%w: no voice named %q", ErrNoVoice, sel.Name)
	}
	if sel.Language != "" {
		cands = bestLanguage(cands, func(c candidate) string { return c.v.Language }, sel.Language)
		if len(cands) == 0 {
			return nil, Voice{}, fmt.Errorf("%w: no voice speaks %q", ErrLanguage, sel.Language)
		}
	}
	if sel.Gender != "" {
		var same []candidate
		for _, c := range cands {
			if strings.EqualFold(c.v.Gender, sel.Gender) {
				same = append(same, c)
			}
		}
		if len(same) > 0 {
			cands = same
		}
	}
	best := cands[0]
	if sel.Age > 0 {
		dist := func(v Voice) int {
			if v.Age <= 0 {
				return math.MaxInt
			}
			return abs(v.Age - sel.Age)
		}
		for _, c := range cands[1:] {
			if dist(c.v) < dist(best.v) {
				best = c
			}
		}
	}
	return best.s, best.v, nil
}

// byName finds the first candidate called name, or "engine/name".
func byName(cands []candidate, name string) (candidate, bool) {
	for _, c := range cands {
		if strings.EqualFold(c.v.Name, name) {
			return c, true
		}
	}
	if engine, voice, ok := strings.Cut(name, "/"); ok {
		for _, c := range cands {
			if strings.EqualFold(c.s.Name(), engine) && strings.EqualFold(c.v.Name, voice) {
				return c, true
			}
		}
	}
	return candidate{}, false
}

// SelectRecognizer chooses the recognizer for a language (empty: any)
// and, when name is not empty, of that name. An unknown name is an error
// wrapping ErrNoEngine, a language no (such) recognizer handles one
// wrapping ErrLanguage. Languages match as in SelectVoice; the best match
// wins, then the first in order.
func (r *Registry) SelectRecognizer(language, name string) (Recognizer, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var cands []recogEntry
	for _, e := range r.recogs {
		if name == "" || strings.EqualFold(name, e.r.Name()) {
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		if name != "" {
			return nil, fmt.Errorf("%w: no recognizer %q", ErrNoEngine, name)
		}
		return nil, fmt.Errorf("%w: no recognizer", ErrNoEngine)
	}
	if language == "" {
		return cands[0].r, nil
	}
	type recogLang struct {
		r    Recognizer
		lang string
	}
	var pairs []recogLang
	for _, e := range cands {
		for _, l := range e.langs {
			pairs = append(pairs, recogLang{e.r, l})
		}
	}
	pairs = bestLanguage(pairs, func(p recogLang) string { return p.lang }, language)
	if len(pairs) == 0 {
		return nil, fmt.Errorf("%w: no recognizer for %q", ErrLanguage, language)
	}
	return pairs[0].r, nil
}

// Language match quality, best first.
const (
	langSame     = iota // en-US for en-US
	langGeneral         // en for en-US
	langSpecific        // en-US for en
	langPrimary         // en-GB for en-US
	langNone
)

// bestLanguage keeps the items whose language (lang of each) matches tag
// best, in order; none if no item matches at all.
func bestLanguage[T any](items []T, lang func(T) string, tag string) []T {
	want := normTag(tag)
	best := langNone
	var out []T
	for _, it := range items {
		q := langMatch(normTag(lang(it)), want)
		switch {
		case q < best:
			best, out = q, append(out[:0], it)
		case q == best && q != langNone:
			out = append(out, it)
		}
	}
	return out
}

// langMatch rates how well a voice's language have serves a request for
// want, both normalized.
func langMatch(have, want string) int {
	switch {
	case have == "" || want == "":
		return langNone
	case have == want:
		return langSame
	case strings.HasPrefix(want, have+"-"):
		return langGeneral
	case strings.HasPrefix(have, want+"-"):
		return langSpecific
	case primary(have) == primary(want):
		return langPrimary
	}
	return langNone
}

// normTag lower-cases a language tag and writes '_' as '-'.
func normTag(tag string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
}

func primary(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	return p
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
