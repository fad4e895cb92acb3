package slots

import (
	"strconv"
	"strings"
)

var units = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
	"fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
	"nineteen": 19, "a": 1,
}

var tens = map[string]int{
	"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
	"eighty": 80, "ninety": 90,
}

var digitWords = map[string]byte{
	"zero": '0', "oh": '0', "o": '0', "nought": '0', "nil": '0', "one": '1', "two": '2',
	"three": '3', "four": '4', "five": '5', "six": '6', "seven": '7', "eight": '8', "nine": '9',
}

// parseNumber reads a spoken or written cardinal at toks[i:] and returns its value and
// the number of tokens used (0 if none). "a" counts only before hundred/thousand.
func parseNumber(toks []token, i int) (float64, int) {
	if i >= len(toks) {
		return 0, 0
	}
	if v, err := strconv.ParseFloat(strings.ReplaceAll(toks[i].t, ",", ""), 64); err == nil && isNumeric(toks[i].t) {
		return v, 1
	}
	total, cur := 0, 0
	j := i
	seen := false
	for j < len(toks) {
		w := toks[j].t
		switch {
		case w == "a" && j+1 < len(toks) && (toks[j+1].t == "hundred" || toks[j+1].t == "thousand"):
			cur += 1
		case w != "a" && units[w] > 0 || w == "zero":
			if seen && cur%10 != 0 && cur < 100 {
				return float64(total + cur), j - i
			}
			if seen && cur%100 != 0 && cur >= 100 && cur%10 != 0 {
				return float64(total + cur), j - i
			}
			cur += units[w]
		case tens[w] > 0:
			if seen && cur%100 != 0 {
				return float64(total + cur), j - i
			}
			cur += tens[w]
		case w == "hundred" && seen:
			cur *= 100
		case w == "thousand" && seen:
			total += max(cur, 1) * 1000
			cur = 0
		case w == "million" && seen:
			total += max(cur, 1) * 1000000
			cur = 0
		case w == "and" && seen && j+1 < len(toks) && (units[toks[j+1].t] > 0 || tens[toks[j+1].t] > 0) && toks[j+1].t != "a":
		default:
			if !seen {
				return 0, 0
			}
			return float64(total + cur), j - i
		}
		seen = true
		j++
		if total > 1e12 {
			break
		}
	}
	if !seen {
		return 0, 0
	}
	return float64(total + cur), j - i
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != ',' {
			return false
		}
	}
	return s[0] >= '0' && s[0] <= '9'
}

// Numbers returns the cardinal numbers in s, spoken ("two hundred and five") or
// written ("205", "1,000.5"), normalised to decimal.
func Numbers(s string) []Slot {
	toks := tokenize(s)
	var out []Slot
	for i := 0; i < len(toks); {
		v, n := parseNumber(toks, i)
		if n == 0 {
			i++
			continue
		}
		val, a, b := span(s, toks, i, i+n)
		out = append(out, Slot{Name: "number", Value: val, Normalized: strconv.FormatFloat(v, 'f', -1, 64), Start: a, End: b, Confidence: 0.9})
		i += n
	}
	return out
}

// digitRun reads a digit string at toks[i:]: digit words, "double X", "triple X",
// written digit groups, and for spoken input also "hundred" after one digit ("five
// hundred" is "500"). It returns the digits and tokens used.
func digitRun(toks []token, i int) (string, int) {
	var b strings.Builder
	j := i
	for j < len(toks) && b.Len() < 64 {
		w := toks[j].t
		if d, ok := digitWords[w]; ok {
			b.WriteByte(d)
			j++
			continue
		}
		if (w == "double" || w == "triple") && j+1 < len(toks) {
			if d, ok := digitWords[toks[j+1].t]; ok {
				rep := 2
				if w == "triple" {
					rep = 3
				}
				b.WriteString(strings.Repeat(string(d), rep))
				j += 2
				continue
			}
			if t := toks[j+1].t; len(t) == 1 && t[0] >= '0' && t[0] <= '9' {
				b.WriteString(strings.Repeat(t, map[string]int{"double": 2, "triple": 3}[w]))
				j += 2
				continue
			}
		}
		if allDigits(w) {
			b.WriteString(w)
			j++
			continue
		}
		break
	}
	return b.String(), j - i
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Digits returns digit strings in s as callers say them ("four five six" -> "456",
// "double seven oh" -> "770", "triple zero" -> "000", "1234 5678" -> "12345678").
// Single spoken digits are not reported; use Numbers for quantities.
func Digits(s string) []Slot {
	toks := tokenize(s)
	var out []Slot
	for i := 0; i < len(toks); {
		d, n := digitRun(toks, i)
		if n == 0 || (len(d) < 2 && !allDigits(toks[i].t)) || (n == 1 && toks[i].t == "o") {
			i++
			continue
		}
		val, a, b := span(s, toks, i, i+n)
		conf := 0.95
		if n > 1 {
			conf = 0.85
		}
		out = append(out, Slot{Name: "digits", Value: val, Normalized: d, Start: a, End: b, Confidence: conf})
		i += n
	}
	return out
}

// Phones returns phone numbers: digit strings of 7 to 15 digits, with a leading
// "plus" or "+" kept as '+' (E.164 style).
func Phones(s string) []Slot {
	toks := tokenize(s)
	var out []Slot
	for i := 0; i < len(toks); {
		plus := toks[i].t == "+" || toks[i].t == "plus"
		k := i
		if plus {
			k++
		}
		d, n := digitRun(toks, k)
		if n == 0 || len(d) < 7 || len(d) > 15 {
			i++
			continue
		}
		val, a, b := span(s, toks, i, k+n)
		if plus {
			d = "+" + d
		}
		out = append(out, Slot{Name: "phone", Value: val, Normalized: d, Start: a, End: b, Confidence: 0.8})
		i = k + n
	}
	return out
}
