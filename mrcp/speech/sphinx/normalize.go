package sphinx

import (
	"strings"
	"unicode"
)

// maxNumberDigits is the longest digit string read as a number ("2024" is
// "two thousand twenty four"); longer ones (account or card numbers) are
// read digit by digit, as callers say them.
const maxNumberDigits = 4

// words splits text into the words the dictionary and the language models
// use: lower case runs of letters with inner apostrophes ("i'm"), with
// digit strings spelled out ("42" is "forty two", "21st" is "twenty
// first"). Everything else separates words.
func words(text string) []string {
	var out []string
	text = strings.ReplaceAll(strings.ToLower(text), "’", "'")
	for _, tok := range strings.FieldsFunc(text, isSeparator) {
		out = appendToken(out, tok)
	}
	return out
}

// isSeparator reports whether r separates words: anything but letters
// (with their combining marks), digits and apostrophes.
func isSeparator(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
}

// appendToken appends the words of one separator-free token: its letter
// and digit runs, an ordinal suffix merging into the number before it. tok
// is already in lower case.
func appendToken(out []string, tok string) []string {
	rs := []rune(tok)
	for i := 0; i < len(rs); {
		j := i + 1
		digit := isDigit(rs[i])
		for j < len(rs) && isDigit(rs[j]) == digit {
			j++
		}
		run := string(rs[i:j])
		if digit {
			suffix := ""
			if j+2 <= len(rs) && isOrdinalSuffix(string(rs[j:j+2])) && (j+2 == len(rs) || !unicode.IsLetter(rs[j+2])) {
				suffix, j = string(rs[j:j+2]), j+2
			}
			out = appendNumber(out, run, suffix != "")
		} else if w := strings.Trim(run, "'"); w != "" {
			out = append(out, w)
		}
		i = j
	}
	return out
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isOrdinalSuffix(s string) bool {
	return s == "st" || s == "nd" || s == "rd" || s == "th"
}

var (
	ones = [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tens     = [...]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	ordinals = map[string]string{"one": "first", "two": "second", "three": "third", "five": "fifth",
		"eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
)

// appendNumber appends the spoken form of a string of ASCII digits.
func appendNumber(out []string, digits string, ordinal bool) []string {
	if len(digits) > maxNumberDigits || len(digits) > 1 && digits[0] == '0' {
		for _, d := range digits {
			out = append(out, ones[d-'0'])
		}
		return out
	}
	n := 0
	for _, d := range digits {
		n = n*10 + int(d-'0')
	}
	out = appendCardinal(out, n)
	if ordinal {
		last := out[len(out)-1]
		switch {
		case ordinals[last] != "":
			last = ordinals[last]
		case strings.HasSuffix(last, "y"):
			last = strings.TrimSuffix(last, "y") + "ieth"
		default:
			last += "th"
		}
		out[len(out)-1] = last
	}
	return out
}

// appendCardinal appends n (0 <= n < 10000) in words, without "and".
func appendCardinal(out []string, n int) []string {
	switch {
	case n < 20:
		return append(out, ones[n])
	case n < 100:
		out = append(out, tens[n/10])
		if n%10 != 0 {
			out = append(out, ones[n%10])
		}
		return out
	case n < 1000:
		out = append(out, ones[n/100], "hundred")
	default:
		out = appendCardinal(out, n/1000)
		out = append(out, "thousand")
		if n%1000 >= 100 {
			out = appendCardinal(out, n%1000)
			return out
		}
	}
	if n%100 != 0 {
		out = appendCardinal(out, n%100)
	}
	return out
}
