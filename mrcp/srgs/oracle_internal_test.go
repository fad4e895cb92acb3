package srgs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// lang is a set of word sequences, each joined by spaces.
type lang map[string]struct{}

// oracle enumerates a grammar's language up to maxLen words by brute
// force, to check the matcher against.
type oracle struct {
	g      *Grammar
	maxLen int
	rules  []lang
}

func newOracle(g *Grammar, maxLen int) *oracle {
	o := &oracle{g: g, maxLen: maxLen, rules: make([]lang, len(g.rules))}
	for i := range o.rules {
		o.rules[i] = lang{}
	}
	for changed := true; changed; {
		changed = false
		for i, r := range g.rules {
			l := o.lang(r.body)
			if len(l) != len(o.rules[i]) {
				o.rules[i], changed = l, true
			}
		}
	}
	return o
}

func words(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, " ") + 1
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// concat is {a b : a in x, b in y} cut at maxLen words.
func (o *oracle) concat(x, y lang) lang {
	out := lang{}
	for a := range x {
		for b := range y {
			if s := join(a, b); words(s) <= o.maxLen {
				out[s] = struct{}{}
			}
		}
	}
	return out
}

func (o *oracle) lang(n *node) lang {
	switch n.kind {
	case kWord:
		return lang{n.word: {}}
	case kSeq:
		l := lang{"": {}}
		for _, k := range n.kids {
			l = o.concat(l, o.lang(k))
		}
		return l
	case kAlt:
		l := lang{}
		for _, k := range n.kids {
			for s := range o.lang(k) {
				l[s] = struct{}{}
			}
		}
		return l
	case kRepeat:
		kid := o.lang(n.kids[0])
		cur := lang{"": {}}
		out := lang{}
		for i := 0; n.max < 0 || i <= n.max; i++ {
			if i >= n.min {
				for s := range cur {
					out[s] = struct{}{}
				}
			}
			if i > n.min+o.maxLen+1 {
				break
			}
			cur = o.concat(cur, kid)
		}
		return out
	case kRef:
		return o.rules[n.refI]
	case kNull, kTag:
		return lang{"": {}}
	}
	return lang{} // VOID; GARBAGE is not generated
}

// randGrammar writes a random ABNF grammar over the words a, b and c.
func randGrammar(r *rand.Rand) string {
	nrules := 1 + r.IntN(3)
	var b strings.Builder
	b.WriteString("#ABNF 1.0;\nroot $r0;\n")
	var expr func(depth, rule int) string
	expr = func(depth, rule int) string {
		if depth > 3 {
			return string(rune('a' + r.IntN(3)))
		}
		switch r.IntN(10) {
		case 0, 1:
			return string(rune('a' + r.IntN(3)))
		case 2:
			return expr(depth+1, rule) + " " + expr(depth+1, rule)
		case 3:
			return "(" + expr(depth+1, rule) + " | " + expr(depth+1, rule) + ")"
		case 4:
			return "[" + expr(depth+1, rule) + "]"
		case 5:
			lo := r.IntN(3)
			if r.IntN(2) == 0 {
				return fmt.Sprintf("(%s)<%d->", expr(depth+1, rule), lo)
			}
			return fmt.Sprintf("(%s)<%d-%d>", expr(depth+1, rule), lo, lo+r.IntN(3))
		case 6:
			// A reference after a word, so never left-recursive.
			return string(rune('a'+r.IntN(3))) + fmt.Sprintf(" $r%d", r.IntN(nrules))
		case 8:
			// Four or more alternatives: the indexed case.
			alts := make([]string, 4+r.IntN(3))
			for i := range alts {
				alts[i] = expr(depth+1, rule)
			}
			return "(" + strings.Join(alts, " | ") + ")"
		case 7:
			if rule+1 < nrules {
				return fmt.Sprintf("$r%d", rule+1+r.IntN(nrules-rule-1))
			}
			return "$NULL"
		}
		return []string{"$NULL", "$VOID", "{tag}"}[r.IntN(3)]
	}
	for i := range nrules {
		fmt.Fprintf(&b, "$r%d = %s;\n", i, expr(0, i))
	}
	return b.String()
}

// allInputs lists the sequences over a, b, c up to n words.
func allInputs(n int) []string {
	out := []string{""}
	cur := []string{""}
	for range n {
		var next []string
		for _, s := range cur {
			for _, w := range []string{"a", "b", "c"} {
				next = append(next, join(s, w))
			}
		}
		out = append(out, next...)
		cur = next
	}
	return out
}

// TestMatchOracle checks Match and Prefix against the brute-force
// language of random grammars: Match accepts exactly the language, and
// Prefix calls an input viable whenever a longer sentence starts with it.
func TestMatchOracle(t *testing.T) {
	const inputLen, langLen = 4, 5
	r := rand.New(rand.NewPCG(1, 2))
	inputs := allInputs(inputLen)
	checked := 0
	for range 400 {
		src := randGrammar(r)
		g, err := Parse(ContentTypeABNF, []byte(src))
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		o := newOracle(g, langLen)
		l := o.rules[g.rootI]
		// Every generated phrase is a sentence.
		ph := &phraser{g: g, max: 50, depth: make([]int, len(g.rules))}
		for _, s := range ph.rule(g.rootI) {
			if _, ok := l[s]; !ok && words(s) <= langLen {
				t.Fatalf("phrase %q is not in the language\n%s", s, src)
			}
		}
		for _, in := range inputs {
			_, inLang := l[in]
			_, ok := g.Match(in)
			complete, viable := g.Prefix(in)
			if ok != inLang || complete != inLang {
				t.Fatalf("%q: Match %v, Prefix complete %v, oracle %v\n%s", in, ok, complete, inLang, src)
			}
			extends := false
			for s := range l {
				if words(s) > words(in) && (in == "" || strings.HasPrefix(s, in+" ")) {
					extends = true
					break
				}
			}
			if extends && !viable {
				t.Fatalf("%q: Prefix viable false, but the language continues it\n%s", in, src)
			}
			checked++
		}
	}
	t.Logf("%d grammar-input pairs", checked)
}
