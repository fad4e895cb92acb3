package sphinx

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBuildARPA builds a model from fuzzed phrases (one per line) and
// checks that the text is valid ARPA whose distributions sum to one.
func FuzzBuildARPA(f *testing.F) {
	f.Add(strings.Join(bankingPhrases, "\n"))
	f.Add("yes\nno\nyes please\n")
	f.Add("a a a a\n\n42nd street\nit's 9 o'clock")
	f.Add("?!\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1024 {
			return
		}
		sentences := sentencesOf(strings.Split(text, "\n")...)
		n := 0
		for _, s := range sentences {
			n += len(s)
		}
		if n > 120 { // checkSums is quadratic in the vocabulary
			return
		}
		arpa, err := buildARPA(sentences)
		if err != nil {
			for _, s := range sentences {
				if len(s) > 0 {
					t.Fatalf("error %v with words %q", err, s)
				}
			}
			return
		}
		m, err := parseARPA(arpa)
		if err != nil {
			t.Fatalf("%v\n%s", err, arpa)
		}
		checkSums(t, m)
	})
}

// FuzzParseARPA feeds the test's ARPA reader arbitrary text: it must not
// panic, and what it accepts must give probabilities at most 1.
func FuzzParseARPA(f *testing.F) {
	good, _ := buildARPA(sentencesOf("i lost my card", "my card"))
	f.Add(string(good))
	f.Add("\\data\\\nngram 1=1\n\n\\1-grams:\n-1 a\n\n\\end\\\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := parseARPA([]byte(text))
		if err != nil {
			return
		}
		for _, w := range m.vocab {
			if p := m.logProb(nil, w); p > 0 || math.IsNaN(p) {
				t.Fatalf("P(%q) = 10^%v", w, p)
			}
		}
	})
}

// FuzzParseJSGF parses fuzzed grammars: no panic; an accepted grammar
// writes back to text that parses to the same grammar, compiles to an
// FSG that accepts what the matcher accepts, and whose vocabulary holds
// only dictionary-shaped words.
func FuzzParseJSGF(f *testing.F) {
	for _, s := range []string{
		yesNoJSGF, digitsJSGF,
		"grammar g; public <a> = (a b)* [c]+ d+ [e]*;",
		"grammar g; public <list> = <g.item> [and <list>]; <item> = red | green;",
		"grammar g; public <a> = <NULL> hi <b> | <VOID> bye | <c>; <b> = <NULL>; <c> = ok <d>*; <d> = <VOID>;",
		"grammar g; public <a> = /0/ never | /1.5/ sometimes | /1e2/ often {tag};",
		"#JSGF V1.0;\ngrammar g; /* c */ public <a> = \"New York\" // x\n;",
	} {
		f.Add(s, "yes please")
	}
	f.Fuzz(func(t *testing.T, text, say string) {
		g, err := parseJSGF(text)
		if err != nil {
			return
		}
		out := g.String()
		again, err := parseJSGF(out)
		if err != nil {
			t.Fatalf("reparse of\n%s\nfailed: %v", out, err)
		}
		if out2 := again.String(); out2 != out {
			t.Fatalf("not a fixed point:\n%s\n%s", out, out2)
		}
		for _, w := range g.vocabulary() {
			if w == "" || strings.ContainsFunc(w, isSeparator) || !utf8.ValidString(w) {
				t.Fatalf("vocabulary word %q", w)
			}
		}
		fsg, err := compileFSG([]*jsgfGrammar{g}, 0)
		if err != nil {
			return // too many states
		}
		m, err := parseFSG(fsg)
		if err != nil {
			t.Fatalf("%v\n%s", err, fsg)
		}
		ws := words(say)
		if len(ws) > 12 {
			ws = ws[:12]
		}
		// The FSG cuts recursion at maxRecursion levels; the matcher
		// does not, so only a match the FSG has must be the matcher's.
		if m.accepts(ws) && !g.matches(ws) {
			t.Fatalf("FSG accepts %q, the matcher does not:\n%s", ws, out)
		}
	})
}

// FuzzWords checks the normalizer's invariants on any text.
func FuzzWords(f *testing.F) {
	f.Add("I lost my CARD!")
	f.Add("the 21st of May, 2024: 1234567 ’quoted’")
	f.Add("ǅemal café ΣΊΣΥΦΟΣ 3rd'")
	f.Fuzz(func(t *testing.T, text string) {
		for _, w := range words(text) {
			if w == "" || strings.ContainsFunc(w, isSeparator) || strings.HasPrefix(w, "'") || strings.HasSuffix(w, "'") {
				t.Fatalf("words(%q) has %q", text, w)
			}
			if ws := words(w); len(ws) != 1 || ws[0] != w {
				t.Fatalf("word %q normalizes again to %q", w, ws)
			}
		}
	})
}

// FuzzIPA checks that any transcription maps to model phones only.
func FuzzIPA(f *testing.F) {
	f.Add("ɹᵻfaɪnˈæns")
	f.Add("(fr)kafe(en) bˈʌʔn̩")
	f.Fuzz(func(t *testing.T, ipa string) {
		phones, _ := ipaToARPAbet(ipa)
		for _, ph := range strings.Fields(phones) {
			if !strings.Contains(" "+strings.Join(garbagePhones, " ")+" ", " "+ph+" ") {
				t.Fatalf("ipaToARPAbet(%q) gives %q", ipa, ph)
			}
		}
	})
}
