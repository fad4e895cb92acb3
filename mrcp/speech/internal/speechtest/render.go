package speechtest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// MarkAt is a mark and the number of samples emitted before it.
type MarkAt struct {
	Name string
	At   int
}

// Rendering is everything a synthesis emitted.
type Rendering struct {
	// PCM is all the audio, in order.
	PCM []int16
	// Marks are the marks reached, in order.
	Marks []MarkAt
	// Chunks counts the calls of emit.
	Chunks int
}

// Seconds returns the duration of the audio at rate Hz.
func (r Rendering) Seconds(rate int) float64 { return float64(len(r.PCM)) / float64(rate) }

// MarkNames returns the names of the marks reached, in order.
func (r Rendering) MarkNames() []string {
	var out []string
	for _, m := range r.Marks {
		out = append(out, m.Name)
	}
	return out
}

// NewEngine returns the engine newEngine makes of cfg, failing t if it
// cannot: speechtest.NewEngine(t, flite.New, flite.Config{}).
func NewEngine[E speech.Synthesizer, C any](t testing.TB, newEngine func(C) (E, error), cfg C) E {
	t.Helper()
	e, err := newEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Render synthesizes req with e and collects the output, failing t if
// synthesis fails.
func Render(t testing.TB, e speech.Synthesizer, req speech.SynthRequest) Rendering {
	t.Helper()
	r, err := synthesize(e, req)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	return r
}

// synthesize is Render returning its error, for goroutines other than the
// test's, which must not call t.Fatal.
func synthesize(e speech.Synthesizer, req speech.SynthRequest) (Rendering, error) {
	var r Rendering
	err := e.Synthesize(context.Background(), req, func(c speech.Chunk) error {
		if c.Mark != "" {
			r.Marks = append(r.Marks, MarkAt{c.Mark, len(r.PCM)})
		}
		r.PCM = append(r.PCM, c.PCM...)
		r.Chunks++
		return nil
	})
	return r, err
}

// Say returns a request to say text with voice at rate Hz, with the
// default prosody.
func Say(voice string, rate int, text string) speech.SynthRequest {
	return speech.SynthRequest{Doc: Doc(Text(text)), Voice: speech.Voice{Name: voice}, Rate: rate, Prosody: ssml.DefaultProsody}
}

// SayWith returns Say's request with the text's prosody set to p.
func SayWith(voice string, rate int, text string, p ssml.Prosody) speech.SynthRequest {
	req := Say(voice, rate, text)
	req.Doc.Items[0] = WithProsody(req.Doc.Items[0], p)
	return req
}

// Doc returns an American English document of items.
func Doc(items ...ssml.Item) *ssml.Document { return &ssml.Document{Lang: "en-US", Items: items} }

// Text returns an item saying s.
func Text(s string) ssml.Item {
	return ssml.Item{Kind: ssml.Text, Text: s, Source: s, Lang: "en-US", Prosody: ssml.DefaultProsody}
}

// Break returns a break of d.
func Break(d time.Duration) ssml.Item {
	return ssml.Item{Kind: ssml.Break, Break: d, Lang: "en-US", Prosody: ssml.DefaultProsody}
}

// Mark returns a mark called name.
func Mark(name string) ssml.Item {
	return ssml.Item{Kind: ssml.Mark, Name: name, Lang: "en-US", Prosody: ssml.DefaultProsody}
}

// WithProsody returns it with its prosody set to p.
func WithProsody(it ssml.Item, p ssml.Prosody) ssml.Item { it.Prosody = p; return it }
