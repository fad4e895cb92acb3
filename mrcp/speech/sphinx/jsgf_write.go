package sphinx

import (
	"fmt"
	"strconv"
	"strings"
)

// combineJSGF writes grammars as one JSGF grammar for PocketSphinx. Rule
// names are replaced by <g{i}r{j}> (grammar i, rule j in reachable order),
// so that grammars cannot clash; with one grammar its root is the public
// rule, with several a public <root> is the alternative of their roots.
// Unused rules are left out and every other rule is private, so the
// decoder's choice of start rule is never in doubt.
func combineJSGF(grammars []*jsgfGrammar) string {
	var b strings.Builder
	b.WriteString("#JSGF V1.0;\ngrammar parley;\n")
	names := map[*jsgfRule]string{}
	var rules [][]*jsgfRule
	for i, g := range grammars {
		rs := g.reachable()
		for j, r := range rs {
			names[r] = fmt.Sprintf("g%dr%d", i, j)
		}
		rules = append(rules, rs)
	}
	if len(grammars) > 1 {
		b.WriteString("public <root> =")
		for i, g := range grammars {
			if i > 0 {
				b.WriteString(" |")
			}
			b.WriteString(" <" + names[g.root] + ">")
		}
		b.WriteString(";\n")
	}
	for _, rs := range rules {
		for j, r := range rs {
			if len(grammars) == 1 && j == 0 {
				b.WriteString("public ")
			}
			fmt.Fprintf(&b, "<%s> = ", names[r])
			writeNode(&b, r.body, names, false)
			b.WriteString(";\n")
		}
	}
	return b.String()
}

// writeNode writes an expansion; grouped asks for parentheses around
// alternatives and sequences, where an operator or a sequence follows.
func writeNode(b *strings.Builder, n *jnode, names map[*jsgfRule]string, grouped bool) {
	switch n.kind {
	case jWord:
		b.WriteString(n.word)
	case jRef:
		b.WriteString("<" + names[n.rule] + ">")
	case jSeq, jAlt:
		if grouped {
			b.WriteString("( ")
		}
		for i, k := range n.kids {
			if i > 0 {
				if n.kind == jAlt {
					b.WriteString(" | ")
				} else {
					b.WriteByte(' ')
				}
			}
			if n.kind == jAlt && n.weights != nil {
				b.WriteString("/" + strconv.FormatFloat(n.weights[i], 'f', -1, 64) + "/ ")
			}
			writeNode(b, k, names, n.kind == jSeq && k.kind == jAlt)
		}
		if grouped {
			b.WriteString(" )")
		}
	case jOpt:
		b.WriteString("[ ")
		writeNode(b, n.kids[0], names, false)
		b.WriteString(" ]")
	case jStar, jPlus:
		writeNode(b, n.kids[0], names, true)
		if n.kind == jStar {
			b.WriteByte('*')
		} else {
			b.WriteByte('+')
		}
	}
}
