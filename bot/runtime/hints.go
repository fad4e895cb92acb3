package runtime

import (
	"fmt"
	"html"
	"sort"
	"strings"
)

var keyWords = map[string]string{
	"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four",
	"5": "five", "6": "six", "7": "seven", "8": "eight", "9": "nine",
}

// srgsItem is one alternative of a grammar's root rule: phrases that return tag.
type srgsItem struct {
	tag     string
	phrases []string
}

// voiceGrammar builds an SRGS XML voice grammar with one alternative per item;
// the semantic result of each alternative is its tag (SISR literal).
func voiceGrammar(lang string, items []srgsItem) *Grammar {
	var b strings.Builder
	header(&b, "voice", lang)
	b.WriteString("  <rule id=\"root\" scope=\"public\">\n    <one-of>\n")
	for _, it := range items {
		for _, p := range it.phrases {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			fmt.Fprintf(&b, "      <item>%s<tag>out=%q;</tag></item>\n", html.EscapeString(p), it.tag)
		}
	}
	b.WriteString("    </one-of>\n  </rule>\n</grammar>\n")
	return &Grammar{Type: TypeSRGS, Body: b.String()}
}

// dtmfGrammar builds an SRGS XML DTMF grammar accepting one of the keys.
func dtmfGrammar(keys []string) *Grammar {
	sort.Strings(keys)
	var b strings.Builder
	header(&b, "dtmf", "")
	b.WriteString("  <rule id=\"root\" scope=\"public\">\n    <one-of>\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "      <item>%s<tag>out=%q;</tag></item>\n", html.EscapeString(k), k)
	}
	b.WriteString("    </one-of>\n  </rule>\n</grammar>\n")
	return &Grammar{Type: TypeSRGS, Body: b.String()}
}

// digitsGrammar builds a grammar for min..max digits, by key or spoken.
func digitsGrammar(mode, lang string, min, max int) *Grammar {
	if min <= 0 {
		min = 1
	}
	rep := fmt.Sprintf("%d-", min)
	if max > 0 {
		rep = fmt.Sprintf("%d-%d", min, max)
	}
	var b strings.Builder
	header(&b, mode, lang)
	b.WriteString("  <rule id=\"digit\">\n    <one-of>\n")
	for d := 0; d <= 9; d++ {
		k := fmt.Sprint(d)
		w := k
		if mode == "voice" {
			w = keyWords[k]
		}
		fmt.Fprintf(&b, "      <item>%s</item>\n", w)
	}
	if mode == "voice" {
		b.WriteString("      <item>oh</item>\n")
	}
	b.WriteString("    </one-of>\n  </rule>\n")
	fmt.Fprintf(&b, "  <rule id=\"root\" scope=\"public\">\n    <item repeat=%q><ruleref uri=\"#digit\"/></item>\n  </rule>\n</grammar>\n", rep)
	return &Grammar{Type: TypeSRGS, Body: b.String()}
}

func header(b *strings.Builder, mode, lang string) {
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	attrLang := ""
	if lang != "" && mode == "voice" {
		attrLang = fmt.Sprintf(" xml:lang=%q", lang)
	}
	fmt.Fprintf(b, `<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" mode="%s" root="root" tag-format="semantics/1.0"%s>`+"\n", mode, attrLang)
}

// yesNoItems are the confirmation answers.
var yesNoItems = []srgsItem{
	{tag: "yes", phrases: []string{"yes", "yeah", "yep", "correct", "that's right", "that is right", "right", "yes please", "sure"}},
	{tag: "no", phrases: []string{"no", "nope", "wrong", "that's wrong", "no it isn't", "not right", "incorrect"}},
}

// phraseList builds an application/x-parley-phrases hint, one phrase per line,
// without duplicates.
func phraseList(phrases []string) *Grammar {
	seen := map[string]bool{}
	var b strings.Builder
	for _, p := range phrases {
		p = strings.Join(strings.Fields(strings.ToLower(p)), " ")
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		b.WriteString(p)
		b.WriteByte('\n')
	}
	return &Grammar{Type: TypePhrases, Body: b.String()}
}
