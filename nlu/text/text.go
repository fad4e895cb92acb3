package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in Unicode NFKC form, lower-cased, with curly quotes folded to
// ASCII apostrophes, invalid UTF-8 dropped and runs of white space collapsed to one space.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	// Lower-casing can leave a string that NFKC changes again (combining marks
	// reordered after a case change), so iterate to a fixed point; two rounds suffice
	// in practice and four bound the work.
	for range 4 {
		n := fold(norm.NFKC.String(s))
		if n == s {
			break
		}
		s = n
	}
	return s
}

func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u2018' || r == '\u2019' || r == '\u02bc' || r == '`':
			r = '\''
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Tokens returns the lower-cased words of s. A word is a run of letters and digits;
// apostrophes inside a word are kept ("don't", "o'brien"), leading and trailing ones
// are dropped.
func Tokens(s string) []string {
	s = Normalize(s)
	var out []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.Trim(s[start:end], "'")
		if w != "" {
			out = append(out, w)
		}
		start = -1
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '\'' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// Stem returns the Porter2 (Snowball English) stem of the lower-case word w. Words
// with an apostrophe lose their possessive suffix first ("bank's" -> "bank").
func Stem(w string) string {
	if w == "" {
		return ""
	}
	return english.Stem(w, true)
}

// Stopword reports whether the lower-case word w is an English stopword (Snowball list).
func Stopword(w string) bool {
	return english.IsStopWord(w)
}

// Terms returns the stems of the non-stopword tokens of s: the units BM25 and the
// built-in embedder index. Words that are only stopwords keep nothing; if every word
// of s is a stopword, the stems of all words are returned so that "who are you" still
// has terms.
func Terms(s string) []string {
	toks := Tokens(s)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !Stopword(t) {
			out = append(out, Stem(t))
		}
	}
	if len(out) == 0 {
		for _, t := range toks {
			out = append(out, Stem(t))
		}
	}
	return out
}
