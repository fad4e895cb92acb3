package sphinx

import (
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"I lost my CARD!", "i lost my card"},
		{"What's my balance?", "what's my balance"},
		{"don’t", "don't"},
		{"'quoted' words", "quoted words"},
		{"check-in at 9", "check in at nine"},
		{"42 apples", "forty two apples"},
		{"2024", "two thousand twenty four"},
		{"1905", "one thousand nine hundred five"},
		{"300", "three hundred"},
		{"115", "one hundred fifteen"},
		{"the 21st of May", "the twenty first of may"},
		{"3rd 12th 20th 1st 2nd 8th 9th 5th", "third twelfth twentieth first second eighth ninth fifth"},
		{"card 1234567", "card one two three four five six seven"},
		{"007", "zero zero seven"},
		{"0", "zero"},
		{"4g", "four g"},
		{"mp3s", "mp three s"},
		{"café au lait", "café au lait"},
		{"a+b=c", "a b c"},
		{"it's   spaced\tout\n", "it's spaced out"},
		{"''", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := strings.Join(words(tc.in), " ")
			if got != tc.want {
				t.Errorf("words(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWordsHaveNoSeparators(t *testing.T) {
	for _, w := range words("Hello, World! 1st... I'm here: 99 red-balloons & more’s") {
		if w == "" || strings.ContainsFunc(w, isSeparator) || w != strings.ToLower(w) || strings.HasPrefix(w, "'") {
			t.Errorf("bad word %q", w)
		}
	}
	if !slices.Equal(words("x"), []string{"x"}) {
		t.Error("single letter")
	}
}
