package sphinx

import (
	"fmt"
	"strconv"
	"strings"
)

// String writes the grammar back in JSGF: the rules its root uses, named
// <r0> (the public root), <r1>, ... in the order first met, with
// dictionary words and without tags. Parsing the text gives the same
// grammar again.
func (g *jsgfGrammar) String() string {
	var b strings.Builder
	b.WriteString("#JSGF V1.0;\ngrammar parley;\n")
	rules := g.reachable()
	names := make(map[*jsgfRule]string, len(rules))
	for j, r := range rules {
		names[r] = "r" + strconv.Itoa(j)
	}
	for j, r := range rules {
		if j == 0 {
			b.WriteString("public ")
		}
		fmt.Fprintf(&b, "<%s> = ", names[r])
		writeNode(&b, r.body, names, false)
		b.WriteString(";\n")
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
