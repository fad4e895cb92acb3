package slots

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Slot is one extracted value.
type Slot struct {
	// Name is the slot type ("number", "digits", "amount", "date", ...) or the
	// script's slot name for List and Pattern slots.
	Name string `json:"name"`
	// Value is the input text the slot was found in, as heard.
	Value string `json:"value"`
	// Normalized is the canonical value: "456", "25.50 GBP", "2026-03-05T15:00",
	// "yes", "john.smith@example.com", "+447700900123", a list's canonical value.
	Normalized string `json:"normalized"`
	// Start and End are byte offsets of Value in the input.
	Start int `json:"start"`
	End   int `json:"end"`
	// Confidence is in [0, 1].
	Confidence float64 `json:"confidence"`
}

// maxInput bounds the bytes an extractor looks at; longer input is truncated.
const maxInput = 64 << 10

// token is a lower-cased word with its byte span in the input.
type token struct {
	t          string
	start, end int
}

// tokenize splits s into words: runs of letters, digits and apostrophes; a '.' or ','
// between digits stays inside ("25.50", "1,000"); currency symbols, '@' and '+' are
// tokens of their own.
func tokenize(s string) []token {
	if len(s) > maxInput {
		s = s[:maxInput]
	}
	var out []token
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, token{strings.ToLower(s[start:end]), start, end})
			start = -1
		}
	}
	var rs []rune
	var at []int // byte offset of each rune; invalid bytes are one rune each
	for pos := 0; pos < len(s); {
		r, w := utf8.DecodeRuneInString(s[pos:])
		rs, at = append(rs, r), append(at, pos)
		pos += w
	}
	at = append(at, len(s))
	pos := 0
	for i, r := range rs {
		pos = at[i]
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\''
		if (r == '.' || r == ',') && start >= 0 && i > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1]) {
			inWord = true
		}
		switch {
		case inWord:
			if start < 0 {
				start = pos
			}
		case strings.ContainsRune("$£€@+", r):
			flush(pos)
			out = append(out, token{string(r), pos, at[i+1]})
		default:
			flush(pos)
		}
	}
	pos = len(s)
	flush(pos)
	return out
}

func span(s string, toks []token, i, j int) (string, int, int) {
	return s[toks[i].start:toks[j-1].end], toks[i].start, toks[j-1].end
}
