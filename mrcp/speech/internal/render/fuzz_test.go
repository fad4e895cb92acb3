package render

import (
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/parley-cc/parley/mrcp/ssml"
)

// FuzzPieces checks that splitting keeps every letter and digit, in
// order, and yields clean pieces of at most maxPiece bytes.
func FuzzPieces(f *testing.F) {
	for _, s := range []string{
		"", "Hello there. How are you?", "Dr. Smith", "3.50", "a\x00b", "caf\xe9",
		"$1,000,000.99 on 12/31/1999 at 3:45pm, call 555-1234 ext. 9",
		"123456789012345678901234567890", "<speak>not ssml</speak> [[h@l'oU]]",
		"ñóé 日本語 🙂", "....!!!???,,,;;;", strings.Repeat("x", 400), strings.Repeat("a. ", 50),
		"1e999 0x1F -0 +5 3.14.15.92", strings.Repeat("é", 200), strings.Repeat("one, two three ", 30),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ps := Pieces(text)
		for _, p := range ps {
			if len(p) > maxPiece || p == "" || !utf8.ValidString(p) || strings.TrimSpace(p) != p {
				t.Fatalf("bad piece %q of %q", p, text)
			}
			if strings.IndexFunc(p, unicode.IsControl) >= 0 {
				t.Fatalf("control character in piece %q", p)
			}
		}
		if got, want := alnum(strings.Join(ps, "")), alnum(clean(text)); got != want {
			t.Fatalf("letters and digits changed: %q -> %q", want, got)
		}
	})
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// FuzzEffective checks that any factors combine into a prosody within
// the documented limits.
func FuzzEffective(f *testing.F) {
	f.Add(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
	f.Add(0.0, 0.0, 0.0, 0.0, 2.0, -1.0, 1e308, 0.0)
	f.Add(1e308, 1e-308, math.Copysign(0, -1), 5.0, 1e308, 1e-308, 3.0, 7.0)
	f.Fuzz(func(t *testing.T, br, bp, bg, bv, ir, ip, ig, iv float64) {
		p := Effective(ssml.Prosody{Rate: br, Pitch: bp, Range: bg, Volume: bv}, ssml.Prosody{Rate: ir, Pitch: ip, Range: ig, Volume: iv})
		if !(p.Rate >= minFactor && p.Rate <= maxFactor && p.Pitch >= minFactor && p.Pitch <= maxFactor &&
			p.Range >= 0 && p.Range <= maxFactor && p.Volume >= 0 && p.Volume <= maxFactor) {
			t.Fatalf("Effective gave %+v", p)
		}
	})
}
