package srgs

import (
	"strconv"
	"strings"
)

// ABNF renders the grammar in the ABNF form of SRGS 1.0 (section 5):
// Parse(ContentTypeABNF, []byte(g.ABNF())) gives back an equivalent
// grammar. Words appear as the grammar matches them (lower case, without
// punctuation); metadata, examples and language attachments are not
// kept. It is meant for logs and tests. For builtin:speech/transcribe
// it returns "".
func (g *Grammar) ABNF() string {
	if g.transcribe {
		return ""
	}
	var b strings.Builder
	b.WriteString("#ABNF 1.0 UTF-8;\n")
	if g.lang != "" && isBare(g.lang) {
		b.WriteString("language " + g.lang + ";\n")
	}
	b.WriteString("mode " + g.mode.String() + ";\n")
	b.WriteString("root $" + g.root + ";\n")
	if g.tagFormat != "" && !strings.ContainsAny(g.tagFormat, "<>") {
		b.WriteString("tag-format <" + g.tagFormat + ">;\n")
	}
	for _, r := range g.rules {
		b.WriteByte('\n')
		if r.public {
			b.WriteString("public ")
		}
		b.WriteString("$" + r.id + " = ")
		writeABNF(&b, r.body, false)
		b.WriteString(";\n")
	}
	return b.String()
}

// isBare reports whether s can be written as a bare ABNF token.
func isBare(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || strings.IndexByte(abnfReserved, s[i]) >= 0 || s[i] == '/' {
			return false
		}
	}
	return !strings.HasPrefix(s, "#ABNF")
}

// writeABNF writes n; unit asks for a form that a repeat suffix may
// follow.
func writeABNF(b *strings.Builder, n *node, unit bool) {
	switch n.kind {
	case kWord:
		if isBare(n.word) {
			b.WriteString(n.word)
		} else {
			b.WriteString(`"` + n.word + `"`)
		}
	case kRef:
		b.WriteString("$" + n.ref)
	case kNull:
		b.WriteString("$NULL")
	case kVoid:
		b.WriteString("$VOID")
	case kGarbage:
		b.WriteString("$GARBAGE")
	case kTag:
		if strings.Contains(n.tag, "}") || strings.HasPrefix(n.tag, "!{") {
			b.WriteString("{!{ " + n.tag + " }!}")
		} else {
			b.WriteString("{" + n.tag + "}")
		}
	case kSeq:
		if len(n.kids) == 0 {
			b.WriteString("$NULL")
			return
		}
		if len(n.kids) == 1 {
			writeABNF(b, n.kids[0], unit)
			return
		}
		if unit {
			b.WriteByte('(')
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeABNF(b, k, false)
		}
		if unit {
			b.WriteByte(')')
		}
	case kAlt:
		weighted := false
		for _, w := range n.choice.weights {
			weighted = weighted || w != 1
		}
		b.WriteByte('(')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(" | ")
			}
			if weighted || len(n.kids) == 1 {
				b.WriteString("/" + strconv.FormatFloat(n.choice.weights[i], 'g', -1, 64) + "/ ")
			}
			writeABNF(b, k, false)
		}
		b.WriteByte(')')
	case kRepeat:
		if unit {
			b.WriteByte('(')
			defer b.WriteByte(')')
		}
		writeABNF(b, n.kids[0], true)
		b.WriteString("<" + strconv.Itoa(n.min))
		switch {
		case n.max < 0:
			b.WriteByte('-')
		case n.max != n.min:
			b.WriteString("-" + strconv.Itoa(n.max))
		}
		if n.prob >= 0 {
			b.WriteString(" /" + strconv.FormatFloat(n.prob, 'g', -1, 64) + "/")
		}
		b.WriteByte('>')
	}
}
