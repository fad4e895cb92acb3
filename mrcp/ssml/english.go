package ssml

import (
	"strconv"
	"strings"
	"unicode"
)

// English number words. Numbers are written without hyphens or "and"
// ("one hundred twenty one"), which every engine reads the same way.

var (
	smallWords = [...]string{
		"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
		"seventeen", "eighteen", "nineteen",
	}
	tensWords  = [...]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	scaleWords = [...]string{"", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"}
	monthNames = [...]string{"", "January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
)

// cardinal writes n in words: 1234 is "one thousand two hundred thirty
// four".
func cardinal(n uint64) string {
	if n == 0 {
		return "zero"
	}
	var groups [7]uint64
	g := 0
	for ; n > 0; g++ {
		groups[g] = n % 1000
		n /= 1000
	}
	var sb strings.Builder
	for i := g - 1; i >= 0; i-- {
		if groups[i] == 0 {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		writeHundreds(&sb, groups[i])
		if i > 0 {
			sb.WriteByte(' ')
			sb.WriteString(scaleWords[i])
		}
	}
	return sb.String()
}

// writeHundreds writes 1 <= n <= 999.
func writeHundreds(sb *strings.Builder, n uint64) {
	if h := n / 100; h > 0 {
		sb.WriteString(smallWords[h])
		sb.WriteString(" hundred")
		if n%100 == 0 {
			return
		}
		sb.WriteByte(' ')
	}
	r := n % 100
	if r < 20 {
		sb.WriteString(smallWords[r])
		return
	}
	sb.WriteString(tensWords[r/10])
	if r%10 != 0 {
		sb.WriteByte(' ')
		sb.WriteString(smallWords[r%10])
	}
}

// ordinal writes n as an ordinal: 21 is "twenty first".
func ordinal(n uint64) string {
	w := cardinal(n)
	i := strings.LastIndexByte(w, ' ') + 1
	return w[:i] + ordinalWord(w[i:])
}

func ordinalWord(w string) string {
	switch w {
	case "one":
		return "first"
	case "two":
		return "second"
	case "three":
		return "third"
	case "five":
		return "fifth"
	case "eight":
		return "eighth"
	case "nine":
		return "ninth"
	case "twelve":
		return "twelfth"
	}
	if s, ok := strings.CutSuffix(w, "y"); ok {
		return s + "ieth"
	}
	return w + "th"
}

// year writes a year as it is said: 1999 "nineteen ninety nine", 1905
// "nineteen oh five", 1900 "nineteen hundred", 2000 "two thousand", 2005
// "two thousand five", 2023 "twenty twenty three".
func year(n uint64) string {
	switch {
	case n < 1000 || n > 9999 || n%1000 == 0 || n > 2000 && n < 2010:
		return cardinal(n)
	case n%100 == 0:
		return cardinal(n/100) + " hundred"
	case n%100 < 10:
		return cardinal(n/100) + " oh " + smallWords[n%100]
	}
	return cardinal(n/100) + " " + cardinal(n%100)
}

// digitWords writes each digit of s as a word, spelling the letters and
// dropping the rest: "12a" is "one two A".
func digitWords(s string) string {
	var sb strings.Builder
	for _, r := range s {
		var w string
		switch {
		case r >= '0' && r <= '9':
			w = smallWords[r-'0']
		case unicode.IsLetter(r):
			w = letter(r)
		default:
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(w)
	}
	return sb.String()
}

// symbolNames are the spoken names of the symbols that spelling out
// addresses, codes and identifiers meets.
var symbolNames = map[rune]string{
	'-': "dash", '.': "dot", '@': "at", '_': "underscore", '/': "slash", '\\': "backslash",
	'#': "hash", '*': "star", '+': "plus", '&': "and", '%': "percent", '$': "dollar",
	':': "colon", ',': "comma", '!': "exclamation mark", '?': "question mark", '=': "equals",
	'(': "open parenthesis", ')': "close parenthesis", '\'': "apostrophe", '"': "quote",
	';': "semicolon", '~': "tilde", '^': "caret", '<': "less than", '>': "greater than",
}

// spell writes s character by character: letters as capitals, digits and
// common symbols as words, words of s separated by commas: "ab 12" is "A.
// B, one two".
func spell(s string) string {
	var sb strings.Builder
	for i, word := range strings.Fields(s) {
		if i > 0 {
			sb.WriteString(",")
		}
		for _, r := range word {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			switch {
			case r >= '0' && r <= '9':
				sb.WriteString(smallWords[r-'0'])
			case unicode.IsLetter(r):
				sb.WriteString(letter(r))
			default:
				if n, ok := symbolNames[r]; ok {
					sb.WriteString(n)
				} else {
					sb.WriteRune(r)
				}
			}
		}
	}
	return sb.String()
}

// letter writes a letter to be read as its name. "A" alone is the
// article to some engines (espeak-ng); "A." is the letter to all.
func letter(r rune) string {
	r = unicode.ToUpper(r)
	if r == 'A' {
		return "A."
	}
	return string(r)
}

// number reads a decimal number as written, "-1,234.50", "+3", ".5",
// "12%", and writes it in words. Integers are read up to the uint64 range;
// longer ones are read digit by digit.
func numberWords(s string) (string, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "+"):
		neg = s[0] == '-'
		s = s[1:]
	case strings.HasPrefix(s, "\u2212"):
		neg = true
		s = s[len("\u2212"):]
	}
	percent := false
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, percent = t, true
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	intPart, ok := stripGrouping(intPart)
	if !ok || (intPart == "" && frac == "") || (hasPoint && frac == "") || !allDigits(frac) {
		return "", false
	}
	var sb strings.Builder
	if neg {
		sb.WriteString("minus ")
	}
	switch {
	case intPart == "":
		sb.WriteString("zero")
	default:
		sb.WriteString(integerWords(intPart))
	}
	if hasPoint {
		sb.WriteString(" point ")
		sb.WriteString(digitWords(frac))
	}
	if percent {
		sb.WriteString(" percent")
	}
	return sb.String(), true
}

// integerWords writes a string of digits as a cardinal, or digit by digit
// when it does not fit a uint64.
func integerWords(digits string) string {
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return digitWords(digits)
	}
	return cardinal(n)
}

// stripGrouping removes thousands separators from an integer written
// "1,234,567" and reports whether s is digits, so grouped or not.
func stripGrouping(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return s, allDigits(s)
	}
	parts := strings.Split(s, ",")
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return "", false
	}
	for _, p := range parts {
		if !allDigits(p) || p == "" {
			return "", false
		}
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numbersIn writes every number among the words of s in words and keeps
// the other words: "12 apples, 3.5 kg" is "twelve apples, three point
// five kg".
func numbersIn(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		core := strings.TrimRight(w, ",;:!?")
		if n, ok := numberWords(core); ok {
			words[i] = n + w[len(core):]
		}
	}
	return strings.Join(words, " ")
}

// ordinalWords reads "21", "21st", "1,000th" and writes the ordinal.
func ordinalWords(s string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(s))
	for _, suf := range [...]string{"st", "nd", "rd", "th", "."} {
		if t, ok := strings.CutSuffix(lower, suf); ok {
			lower = t
			break
		}
	}
	digits, ok := stripGrouping(lower)
	if !ok || digits == "" {
		return "", false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return "", false
	}
	return ordinal(n), true
}
