package speechtest

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/speech"
)

// FuzzSeeds are texts that trouble text-to-speech front ends: numbers,
// abbreviations, currency, dates, invalid UTF-8, markup and phoneme
// escapes that must be read as text, other scripts, punctuation runs and
// long tokens.
var FuzzSeeds = []string{
	"", "Hello there. How are you?", "Dr. Smith", "3.50", "a\x00b", "caf\xe9",
	"$1,000,000.99 on 12/31/1999 at 3:45pm, call 555-1234 ext. 9",
	"<speak>not ssml</speak> [[h@l'oU]]", "123456789012345678901234567890",
	"ñóé 日本語 🙂", "....!!!???,,,;;;",
	strings.Repeat("x", 400), strings.Repeat("a. ", 50), "1e999 0x1F -0 +5 3.14.15.92",
}

// FuzzSynthesize feeds arbitrary text, cut to 200 bytes, to e in voice
// at 8 kHz, seeded with FuzzSeeds: synthesis must neither crash the
// process nor fail. Call it from a fuzz target with f and that target's
// engine.
func FuzzSynthesize(f *testing.F, e speech.Synthesizer, voice string) {
	for _, s := range FuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 200 {
			text = text[:200]
		}
		err := e.Synthesize(context.Background(), Say(voice, 8000, text), func(speech.Chunk) error { return nil })
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	})
}
