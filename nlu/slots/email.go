package slots

import (
	"regexp"
	"strings"
)

var writtenEmail = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)+`)

var emailJoiners = map[string]string{"dot": ".", "underscore": "_", "dash": "-", "hyphen": "-", "period": "."}

// Emails returns email addresses, written ("john.smith@example.com") or spoken ("john
// dot smith at example dot com"), lower-cased.
func Emails(s string) []Slot {
	if len(s) > maxInput {
		s = s[:maxInput]
	}
	var out []Slot
	for _, m := range writtenEmail.FindAllStringIndex(s, -1) {
		out = append(out, Slot{Name: "email", Value: s[m[0]:m[1]], Normalized: strings.ToLower(strings.TrimRight(s[m[0]:m[1]], ".")), Start: m[0], End: m[1], Confidence: 0.98})
	}
	if len(out) > 0 {
		return out
	}
	toks := tokenize(s)
	for i, t := range toks {
		if t.t != "at" || i == 0 {
			continue
		}
		// Local part: word (joiner word)* backwards from "at".
		lo := i - 1
		for lo >= 2 && emailJoiners[toks[lo-1].t] != "" {
			lo -= 2
		}
		// Domain: word (dot word)+ forwards.
		hi := i + 2
		dots := 0
		for hi+1 < len(toks) && emailJoiners[toks[hi].t] != "" {
			if toks[hi].t == "dot" || toks[hi].t == "period" {
				dots++
			}
			hi += 2
		}
		if hi > len(toks) || dots == 0 || i+1 >= len(toks) {
			continue
		}
		var b strings.Builder
		for k := lo; k < hi; k++ {
			switch {
			case k == i:
				b.WriteByte('@')
			case emailJoiners[toks[k].t] != "" && k != lo && k != i+1:
				b.WriteString(emailJoiners[toks[k].t])
			default:
				b.WriteString(toks[k].t)
			}
		}
		val, a, e := span(s, toks, lo, hi)
		out = append(out, Slot{Name: "email", Value: val, Normalized: b.String(), Start: a, End: e, Confidence: 0.75})
	}
	return out
}
