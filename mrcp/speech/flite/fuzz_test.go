package flite

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/speech"
)

var fuzzSeeds = []string{
	"", "Hello there. How are you?", "Dr. Smith", "3.50", "a\x00b", "caf\xe9",
	"$1,000,000.99 on 12/31/1999 at 3:45pm, call 555-1234 ext. 9",
	"123456789012345678901234567890", "ñóé 日本語 🙂", "....!!!???,,,;;;",
	strings.Repeat("x", 400), strings.Repeat("a. ", 50), "1e999 0x1F -0 +5 3.14.15.92",
}

// FuzzSynthesize feeds arbitrary text to flite itself: it must neither
// crash the process (flite exits on internal errors) nor fail.
func FuzzSynthesize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	e := newEngine(f)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 200 {
			text = text[:200]
		}
		err := e.Synthesize(context.Background(), say("kal", 8000, text), func(speech.Chunk) error { return nil })
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	})
}
