package render

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/ssml"
)

func TestPieces(t *testing.T) {
	long := strings.Repeat("word ", 100)
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"punctuation only", " ... !? ", nil},
		{"one sentence", "Hello there.", []string{"Hello there."}},
		{"two sentences", "Hello there. How are you? Fine!", []string{"Hello there.", "How are you?", "Fine!"}},
		{"semicolon", "first; second", []string{"first;", "second"}},
		{"abbreviation", "Dr. Smith lives on Elm St. near the park. Call him.", []string{"Dr. Smith lives on Elm St. near the park.", "Call him."}},
		{"decimal", "It costs 3.50 dollars.", []string{"It costs 3.50 dollars."}},
		{"control characters", "a\x00b\tc\r\nd\x7f", []string{"a b c d"}},
		{"invalid utf-8", "caf\xe9 ol\xc3\xa9", []string{"caf olé"}},
		{"long at commas", strings.Repeat("one two three four five six seven eight nine ten, ", 8),
			[]string{
				strings.TrimSpace(strings.Repeat("one two three four five six seven eight nine ten, ", 6)),
				strings.TrimSpace(strings.Repeat("one two three four five six seven eight nine ten, ", 2)),
			}},
		{"long at spaces", long, []string{strings.TrimSpace(long[:300]), strings.TrimSpace(long[300:])}},
		{"long word", strings.Repeat("é", 200), []string{strings.Repeat("é", 150), strings.Repeat("é", 50)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Pieces(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Pieces(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEffectiveProsody(t *testing.T) {
	d := ssml.DefaultProsody
	for _, tc := range []struct {
		name       string
		base, item ssml.Prosody
		want       ssml.Prosody
	}{
		{"defaults", d, d, d},
		{"zero values are defaults", ssml.Prosody{}, ssml.Prosody{}, d},
		{"factors multiply", ssml.Prosody{Rate: 2, Pitch: 1.5, Range: 0.5, Volume: 0.5}, ssml.Prosody{Rate: 1.5, Pitch: 0.5, Range: 2, Volume: 0.5},
			ssml.Prosody{Rate: 3, Pitch: 0.75, Range: 1, Volume: 0.25}},
		{"silent and monotone allowed", d, ssml.Prosody{Rate: 1, Pitch: 1, Range: 0, Volume: 0}, ssml.Prosody{Rate: 1, Pitch: 1, Range: 0, Volume: 0}},
		{"invalid factors are 1", d, ssml.Prosody{Rate: -1, Pitch: math.NaN(), Range: math.Inf(1), Volume: -2}, d},
		{"clamped", ssml.Prosody{Rate: 100, Pitch: 0.001, Range: 50, Volume: 10}, d, ssml.Prosody{Rate: 4, Pitch: 0.25, Range: 4, Volume: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Effective(tc.base, tc.item); got != tc.want {
				t.Errorf("Effective(%+v, %+v) = %+v, want %+v", tc.base, tc.item, got, tc.want)
			}
		})
	}
}
