package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPiece is the longest text, in bytes, handed to an engine as one
// utterance. Longer sentences are cut at a comma or space, so that the
// first audio of a long item does not wait for its whole analysis.
const maxPiece = 300

// Pieces splits text into the utterances to synthesize one after another:
// sentences, cut after '.', '!', '?' or ';' followed by white space (not
// after a short capitalized abbreviation such as "Dr." or "St."), and
// pieces of at most 300 bytes. Invalid UTF-8 and control characters
// become spaces. Pieces without a letter or digit are dropped.
func Pieces(text string) []string {
	text = clean(text)
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c == '.' || c == '!' || c == '?' || c == ';') && i+1 < len(text) && text[i+1] == ' ' {
			if c == '.' && abbreviation(text[start:i]) {
				continue
			}
			out = appendPiece(out, text[start:i+1])
			start = i + 1
		}
	}
	return appendPiece(out, text[start:])
}

// appendPiece appends s, cut to maxPiece bytes, to out if it has
// something to say.
func appendPiece(out []string, s string) []string {
	for len(s) > maxPiece {
		cut := strings.LastIndex(s[:maxPiece], ", ")
		if cut <= 0 {
			cut = strings.LastIndexByte(s[:maxPiece], ' ')
		}
		if cut <= 0 {
			cut = maxPiece
			for cut > 1 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		} else {
			cut++ // keep the comma with the first part
		}
		out = appendPiece(out, s[:cut])
		s = s[cut:]
	}
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return out
	}
	return append(out, s)
}

// abbreviation reports whether the last word of s, which a '.' follows,
// looks like a title or short abbreviation ("Dr", "Mr", "St", "Mrs").
func abbreviation(s string) bool {
	w := s[strings.LastIndexByte(s, ' ')+1:]
	if w == "" || len(w) > 3 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// clean replaces invalid UTF-8 and control characters with spaces and
// collapses runs of white space.
func clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimSpace(b.String())
}
