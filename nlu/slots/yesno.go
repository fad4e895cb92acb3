package slots

import "strings"

var yesPhrases = []string{"yes", "yeah", "yep", "yup", "sure", "correct", "right", "that's right", "that is right", "absolutely", "of course", "definitely", "ok", "okay", "please do", "go ahead", "affirmative", "i do", "it is", "that's correct"}
var noPhrases = []string{"no", "nope", "nah", "not really", "incorrect", "wrong", "that's wrong", "negative", "don't", "do not", "no thanks", "no thank you", "i don't", "it isn't", "not at all"}
var hedges = []string{"i think", "i guess", "maybe", "probably", "perhaps", "i suppose", "kind of", "sort of", "not sure", "possibly", "i believe"}

// YesNo reads a yes/no answer. Normalized is "yes" or "no"; a hedge ("I think so",
// "maybe") lowers the confidence, and both a yes and a no ("yes, no, wait") give no
// slot. ok is false when s holds no answer.
func YesNo(s string) (slot Slot, ok bool) {
	toks := tokenize(s)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.t
	}
	joined := " " + strings.Join(words, " ") + " "
	find := func(ps []string) (int, string) {
		best, bp := -1, ""
		for _, p := range ps {
			p = strings.ReplaceAll(p, "'", "'")
			if k := strings.Index(joined, " "+p+" "); k >= 0 && (best < 0 || k < best) {
				best, bp = k, p
			}
		}
		return best, bp
	}
	yi, yp := find(yesPhrases)
	ni, np := find(noPhrases)
	if strings.Contains(joined, " i think so ") || strings.Contains(joined, " i guess so ") {
		yi, yp = strings.Index(joined, " i "), "i think so"
	}
	var norm, phrase string
	var at int
	switch {
	case yi >= 0 && ni >= 0:
		return Slot{}, false
	case yi >= 0:
		norm, phrase, at = "yes", yp, yi
	case ni >= 0:
		norm, phrase, at = "no", np, ni
	default:
		return Slot{}, false
	}
	conf := 0.95
	for _, h := range hedges {
		if strings.Contains(joined, " "+h+" ") {
			conf = 0.6
		}
	}
	// Map the word position back to a byte span.
	wi := strings.Count(joined[:at+1], " ") - 1
	n := strings.Count(phrase, " ") + 1
	if wi < 0 || wi+n > len(toks) {
		return Slot{Name: "yesno", Value: s, Normalized: norm, Start: 0, End: len(s), Confidence: conf}, true
	}
	val, a, b := span(s, toks, wi, wi+n)
	return Slot{Name: "yesno", Value: val, Normalized: norm, Start: a, End: b, Confidence: conf}, true
}
