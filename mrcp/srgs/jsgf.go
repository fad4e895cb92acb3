package srgs

import (
	"fmt"
	"strconv"
	"strings"
)

// maxJSGF bounds the size of a JSGF rendering, in bytes.
const maxJSGF = 4 << 20

// JSGF renders the grammar in the JSpeech Grammar Format as CMU
// PocketSphinx (5prealpha) parses it: a "#JSGF V1.0;" header, "grammar
// parley;", the root as "public <root> = ...;" and the other rules it
// uses, with rule names reduced to letters, digits and "_".
//
// Words are lower case; weights become "/w/"; repeats become "*", "+",
// "[ ]" or are written out ("<2-3>" is "x x [x]"). Tags are dropped, as
// are $NULL and $GARBAGE (JSGF has no garbage model, so the words around
// it must be said without filler), alternatives that can match nothing
// ($VOID) and alternatives of weight 0, which PocketSphinx would never
// recognize. A grammar whose root then matches nothing returns an error
// wrapping ErrEmpty; one that matches only silence, DTMF grammars and
// builtin:speech/transcribe return an error wrapping ErrUnsupported.
func (g *Grammar) JSGF() (string, error) {
	switch {
	case g.transcribe:
		return "", fmt.Errorf("%w: free transcription has no JSGF form", ErrUnsupported)
	case g.mode == DTMF:
		return "", fmt.Errorf("%w: DTMF grammar has no JSGF form", ErrUnsupported)
	}
	j := &jsgfWriter{g: g, names: make(map[int]string), used: make(map[string]bool)}
	if err := j.classify(); err != nil {
		return "", err
	}
	switch j.class[g.rootI] {
	case clsVoid:
		return "", fmt.Errorf("%w: root rule %q", ErrEmpty, g.root)
	case clsEps:
		return "", fmt.Errorf("%w: root rule %q matches only silence", ErrUnsupported, g.root)
	}
	var out strings.Builder
	out.WriteString("#JSGF V1.0;\n\ngrammar parley;\n\n")
	j.name(g.rootI)
	for len(j.queue) > 0 {
		r := j.queue[0]
		j.queue = j.queue[1:]
		body, _ := j.render(g.rules[r].body)
		if j.tooBig {
			return "", fmt.Errorf("%w: JSGF larger than %d bytes", ErrTooComplex, maxJSGF)
		}
		if r == g.rootI {
			out.WriteString("public ")
		}
		fmt.Fprintf(&out, "<%s> = %s;\n", j.names[r], body)
		if out.Len() > maxJSGF {
			return "", fmt.Errorf("%w: JSGF larger than %d bytes", ErrTooComplex, maxJSGF)
		}
	}
	return out.String(), nil
}

type cls uint8

const (
	clsVoid cls = iota // matches nothing
	clsEps             // matches only the empty string (in JSGF)
	clsSome            // matches at least one non-empty string
)

type jsgfWriter struct {
	g     *Grammar
	class []cls // per rule, with GARBAGE as the empty string
	names map[int]string
	used  map[string]bool
	queue []int
	// tooBig is set when a repeat would write out more than maxJSGF.
	tooBig bool
}

// classify computes each rule's class as a least fixed point, the way
// analyse does, but with GARBAGE matching only the empty string.
func (j *jsgfWriter) classify() error {
	j.class = make([]cls, len(j.g.rules))
	order := j.g.postOrder()
	visits := 0
	for changed := true; changed; {
		changed = false
		for _, i := range order {
			c := j.classOf(j.g.rules[i].body, &visits)
			if c != j.class[i] {
				j.class[i], changed = c, true
			}
		}
		if visits > maxAnalysis {
			return fmt.Errorf("%w: JSGF classification does not settle", ErrTooComplex)
		}
	}
	return nil
}

func (j *jsgfWriter) classOf(n *node, visits *int) cls {
	*visits++
	switch n.kind {
	case kWord:
		return clsSome
	case kSeq:
		c := clsEps
		for _, k := range n.kids {
			kc := j.classOf(k, visits)
			if kc == clsVoid {
				return clsVoid
			}
			c = max(c, kc)
		}
		return c
	case kAlt:
		c := clsVoid
		for i, k := range n.kids {
			if n.choice.weights[i] > 0 { // weight 0: never recognized
				c = max(c, j.classOf(k, visits))
			}
		}
		return c
	case kRepeat:
		if n.max == 0 {
			return clsEps
		}
		c := j.classOf(n.kids[0], visits)
		if c == clsVoid && n.min == 0 {
			return clsEps
		}
		return c
	case kRef:
		return j.class[n.refI]
	case kVoid:
		return clsVoid
	}
	return clsEps // NULL, GARBAGE, tags
}

// name returns the JSGF name of rule r, queueing it the first time.
func (j *jsgfWriter) name(r int) string {
	if s, ok := j.names[r]; ok {
		return s
	}
	var b strings.Builder
	for _, c := range j.g.rules[r].id {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	base := b.String()
	switch base {
	case "", "NULL", "VOID":
		base = "rule_" + base
	}
	s := base
	for i := 2; j.used[s]; i++ {
		s = base + "_" + strconv.Itoa(i)
	}
	j.used[s] = true
	j.names[r] = s
	j.queue = append(j.queue, r)
	return s
}

// render returns n in JSGF and its class. Text of class clsSome is a
// unit: a word, a rule name, or bracketed, or a sequence of units
// (atomic reports which).
func (j *jsgfWriter) render(n *node) (string, cls) {
	s, c, _ := j.unit(n)
	return s, c
}

func (j *jsgfWriter) unit(n *node) (text string, c cls, atomic bool) {
	switch n.kind {
	case kWord:
		return n.word, clsSome, true
	case kRef:
		if c := j.class[n.refI]; c != clsSome {
			return "", c, true
		}
		return "<" + j.name(n.refI) + ">", clsSome, true
	case kSeq:
		return j.seq(n)
	case kAlt:
		return j.alt(n)
	case kRepeat:
		return j.repeat(n)
	case kVoid:
		return "", clsVoid, true
	}
	return "", clsEps, true
}

func (j *jsgfWriter) seq(n *node) (string, cls, bool) {
	var parts []string
	atomic := true
	for _, k := range n.kids {
		s, c, a := j.unit(k)
		switch c {
		case clsVoid:
			return "", clsVoid, true
		case clsSome:
			parts = append(parts, s)
			atomic = a
		}
	}
	switch len(parts) {
	case 0:
		return "", clsEps, true
	case 1:
		return parts[0], clsSome, atomic
	}
	return strings.Join(parts, " "), clsSome, false
}

func (j *jsgfWriter) alt(n *node) (string, cls, bool) {
	var parts []string
	var weights []float64
	optional, weighted, atomic := false, false, false
	for i, k := range n.kids {
		s, c, a := j.unit(k)
		switch {
		case n.choice.weights[i] == 0:
		case c == clsEps:
			optional = true
		case c == clsSome:
			parts = append(parts, s)
			atomic = a
			weights = append(weights, n.choice.weights[i])
			weighted = weighted || n.choice.weights[i] != 1
		}
	}
	if len(parts) == 0 {
		if optional {
			return "", clsEps, true
		}
		return "", clsVoid, true
	}
	if weighted && len(parts) > 1 {
		for i := range parts {
			parts[i] = "/" + strconv.FormatFloat(weights[i], 'g', -1, 64) + "/ " + parts[i]
		}
	}
	body := strings.Join(parts, " | ")
	if optional {
		return "[ " + body + " ]", clsSome, true
	}
	if len(parts) == 1 {
		return body, clsSome, atomic
	}
	return "( " + body + " )", clsSome, true
}

func (j *jsgfWriter) repeat(n *node) (string, cls, bool) {
	s, c, atomic := j.unit(n.kids[0])
	if n.max == 0 || c == clsEps {
		return "", clsEps, true
	}
	if c == clsVoid {
		if n.min == 0 {
			return "", clsEps, true
		}
		return "", clsVoid, true
	}
	if satMul(len(s)+8, max(n.max, n.min+1)) > maxJSGF {
		j.tooBig = true
		return "", clsSome, true
	}
	u := s
	if !atomic {
		u = "( " + s + " )"
	}
	var parts []string
	for i := 0; i < n.min-1; i++ {
		parts = append(parts, u)
	}
	switch {
	case n.max < 0 && n.min == 0:
		parts = append(parts, u+"*")
	case n.max < 0:
		parts = append(parts, u+"+")
	default:
		if n.min > 0 {
			parts = append(parts, u)
		}
		if extra := n.max - n.min; extra > 0 {
			opt := strings.Repeat("[ "+s+" ", extra-1) + "[ " + s + " ]" + strings.Repeat(" ]", extra-1)
			parts = append(parts, opt)
		}
	}
	// Only a single bracketed group is a unit another repeat may take.
	return strings.Join(parts, " "), clsSome, len(parts) == 1 && strings.HasPrefix(parts[0], "[")
}
