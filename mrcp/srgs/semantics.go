package srgs

import (
	"strconv"
	"strings"
)

// SISR 1.0 subset. A tag in a grammar whose tag-format is
// semantics/1.0-literals is a literal: its text becomes the rule's
// value. Otherwise a tag is compiled as a script of statements
//
//	out = EXPR;   out += EXPR;   out.a.b = EXPR;   out.a += EXPR;
//
// where EXPR is terms joined by "+" (string concatenation, or addition
// of two numbers), and a term is a string literal, a number, true,
// false, new Object(), {}, out[.field...], rules.ruleid[.field...],
// rules.latest()[.field...], meta.current().text or meta.ruleid.text.
// A tag that is anything else is kept as a literal.

// Limits on semantic values, so that a grammar cannot build huge values
// ("out += out" in a repeat, "out.a = out" again and again).
const (
	maxValueLen   = 64 << 10 // bytes of one string value
	maxValueNodes = 10000    // map entries copied in one interpretation
)

// undefined is ECMAScript's undefined: a rule reference that did not
// match, a missing field.
type undefined struct{}

type stmt struct {
	path  []string // fields of out to assign; empty for out itself
	add   bool     // "+=" rather than "="
	terms []term
}

type termKind uint8

const (
	tLit      termKind = iota // val
	tObject                   // new Object(), {}
	tOut                      // out.path
	tRule                     // rules.<ref>.path
	tLatest                   // rules.latest().path
	tMetaCur                  // meta.current().text
	tMetaRule                 // meta.<ref>.text
)

type term struct {
	kind termKind
	val  any
	ref  string
	path []string
}

// compileScript parses a tag as the script subset; ok is false when the
// tag is anything else.
func compileScript(src string) ([]stmt, bool) {
	toks, ok := scriptTokens(src)
	if !ok {
		return nil, false
	}
	prog := []stmt{} // an empty script does nothing, unlike a literal
	for i := 0; i < len(toks); {
		if toks[i] == ";" {
			i++
			continue
		}
		st, next, ok := compileStmt(toks, i)
		if !ok {
			return nil, false
		}
		prog = append(prog, st)
		i = next
		// Statements end with ";" or, as ECMAScript inserts it at a
		// line break, just before the next "out".
		if i < len(toks) && toks[i] != ";" && toks[i] != "out" {
			return nil, false
		}
	}
	return prog, true
}

func compileStmt(toks []string, i int) (stmt, int, bool) {
	var st stmt
	if toks[i] != "out" {
		return st, 0, false
	}
	path, i, ok := fields(toks, i+1)
	if !ok || i >= len(toks) {
		return st, 0, false
	}
	st.path = path
	switch toks[i] {
	case "=":
	case "+=":
		st.add = true
	default:
		return st, 0, false
	}
	i++
	for {
		t, next, ok := compileTerm(toks, i)
		if !ok {
			return st, 0, false
		}
		st.terms = append(st.terms, t)
		i = next
		if i < len(toks) && toks[i] == "+" {
			i++
			continue
		}
		return st, i, true
	}
}

// fields reads ".name" repeatedly.
func fields(toks []string, i int) ([]string, int, bool) {
	var path []string
	for i+1 < len(toks) && toks[i] == "." {
		if !isIdent(toks[i+1]) {
			return nil, 0, false
		}
		path = append(path, toks[i+1])
		i += 2
	}
	return path, i, true
}

func compileTerm(toks []string, i int) (term, int, bool) {
	if i >= len(toks) {
		return term{}, 0, false
	}
	at := func(j int, s ...string) bool {
		for k, want := range s {
			if j+k >= len(toks) || toks[j+k] != want {
				return false
			}
		}
		return true
	}
	tok := toks[i]
	switch {
	case tok[0] == '"' || tok[0] == '\'':
		return term{kind: tLit, val: tok[1:]}, i + 1, true
	case tok == "true" || tok == "false":
		return term{kind: tLit, val: tok == "true"}, i + 1, true
	case tok == "-" || tok[0] >= '0' && tok[0] <= '9':
		s := tok
		if tok == "-" {
			if i+1 >= len(toks) {
				return term{}, 0, false
			}
			s, i = "-"+toks[i+1], i+1
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return term{}, 0, false
		}
		return term{kind: tLit, val: f}, i + 1, true
	case at(i, "new", "Object", "(", ")"):
		return term{kind: tObject}, i + 4, true
	case at(i, "{", "}"):
		return term{kind: tObject}, i + 2, true
	case tok == "out":
		path, next, ok := fields(toks, i+1)
		return term{kind: tOut, path: path}, next, ok
	case at(i, "rules", ".", "latest", "(", ")"):
		path, next, ok := fields(toks, i+5)
		return term{kind: tLatest, path: path}, next, ok
	case at(i, "rules", "."):
		path, next, ok := fields(toks, i+1)
		if !ok || len(path) == 0 {
			return term{}, 0, false
		}
		return term{kind: tRule, ref: path[0], path: path[1:]}, next, true
	case at(i, "meta", ".", "current", "(", ")", ".", "text"):
		return term{kind: tMetaCur}, i + 7, true
	case at(i, "meta", ".") && i+4 < len(toks) && isIdent(toks[i+2]) && at(i+3, ".", "text"):
		return term{kind: tMetaRule, ref: toks[i+2]}, i + 5, true
	}
	return term{}, 0, false
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// scriptTokens splits a script into identifiers, numbers, string
// literals (kept with their opening quote and unescaped), and the
// punctuation . ( ) ; = += + - { }. Comments are dropped.
func scriptTokens(src string) ([]string, bool) {
	var toks []string
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case strings.HasPrefix(src[i:], "//"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			i += end
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, false
			}
			i += end + 4
		case c == '"' || c == '\'':
			s, n, ok := scriptString(src[i:])
			if !ok {
				return nil, false
			}
			toks = append(toks, string(c)+s)
			i += n
		case strings.HasPrefix(src[i:], "+="):
			toks = append(toks, "+=")
			i += 2
		case strings.IndexByte(".();=+-{}", c) >= 0:
			toks = append(toks, string(c))
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		case c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '$' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		default:
			return nil, false
		}
	}
	return toks, true
}

// scriptString reads a quoted string literal at the start of s and
// returns its value and length.
func scriptString(s string) (string, int, bool) {
	q := s[0]
	var sb strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return sb.String(), i + 1, true
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			default:
				sb.WriteByte(s[i])
			}
		case c == '\n':
			return "", 0, false
		default:
			sb.WriteByte(c)
		}
	}
	return "", 0, false
}

// frame is one rule being interpreted.
type frame struct {
	rule     int
	start    int
	end      int
	out      any
	set      bool // a tag assigned out
	children map[string]child
	latest   any
	hasChild bool
}

type child struct {
	val        any
	start, end int // the input it matched, for meta.id.text
}

// interp evaluates the tags of one derivation.
type interp struct {
	g      *Grammar
	in     []string
	copies int
}

// interpret computes the root rule's value from a derivation (SISR 1.0
// sections 6 and 7): a rule's value is out as its tags leave it; a rule
// whose tags assign nothing takes the value of its last rule reference,
// or else its text.
func (g *Grammar) interpret(in []string, evs []event) any {
	ends := make([]int, len(evs))
	var open []int
	for i, ev := range evs {
		switch ev.kind {
		case evEnter:
			open = append(open, i)
		case evExit:
			ends[open[len(open)-1]] = ev.pos
			open = open[:len(open)-1]
		}
	}
	it := &interp{g: g, in: in}
	var stack []*frame
	var result any
	for i, ev := range evs {
		switch ev.kind {
		case evEnter:
			stack = append(stack, &frame{rule: ev.rule, start: ev.pos, end: ends[i]})
		case evTag:
			if len(stack) > 0 {
				it.run(stack[len(stack)-1], ev.tag)
			}
		case evExit:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			val := f.value(in)
			if len(stack) == 0 {
				result = val
				break
			}
			p := stack[len(stack)-1]
			if p.children == nil {
				p.children = make(map[string]child)
			}
			p.children[g.rules[f.rule].id] = child{val: val, start: f.start, end: f.end}
			p.latest, p.hasChild = val, true
		}
	}
	if _, ok := result.(undefined); ok || result == nil {
		return strings.Join(in, " ")
	}
	return result
}

func (f *frame) text(in []string) string {
	return strings.Join(in[f.start:f.end], " ")
}

func (f *frame) value(in []string) any {
	switch {
	case f.set:
		if _, ok := f.out.(undefined); !ok {
			return f.out
		}
	case f.hasChild:
		return f.latest
	}
	return f.text(in)
}

// run executes one tag in frame f.
func (it *interp) run(f *frame, tag *node) {
	if tag.prog == nil {
		f.out, f.set = tag.tag, true
		return
	}
	for _, st := range tag.prog {
		v := it.expr(f, st.terms)
		if st.add {
			v = it.plus(it.get(f, st.path), v)
		}
		if _, ok := v.(undefined); ok {
			continue
		}
		it.assign(f, st.path, v)
	}
}

func (it *interp) get(f *frame, path []string) any {
	if !f.set {
		return undefined{}
	}
	return field(f.out, path)
}

func field(v any, path []string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return undefined{}
		}
		if v, ok = m[p]; !ok {
			return undefined{}
		}
	}
	return v
}

// assign sets out or a field of out, making out (and fields on the way)
// objects as needed. Objects are copied so that no value contains
// itself.
func (it *interp) assign(f *frame, path []string, v any) {
	v, ok := it.copyValue(v)
	if !ok {
		return
	}
	if len(path) == 0 {
		f.out, f.set = v, true
		return
	}
	m, isMap := f.out.(map[string]any)
	if !f.set || !isMap {
		m = make(map[string]any)
		f.out, f.set = m, true
	}
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = make(map[string]any)
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// copyValue deep-copies maps within the interpretation's budget.
func (it *interp) copyValue(v any) (any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return v, true
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		it.copies++
		if it.copies > maxValueNodes {
			return nil, false
		}
		c, ok := it.copyValue(e)
		if !ok {
			return nil, false
		}
		out[k] = c
	}
	return out, true
}

func (it *interp) expr(f *frame, terms []term) any {
	var v any = undefined{}
	for i, t := range terms {
		tv := it.term(f, t)
		if i == 0 {
			v = tv
			continue
		}
		v = it.plus(v, tv)
	}
	return v
}

func (it *interp) term(f *frame, t term) any {
	switch t.kind {
	case tLit:
		return t.val
	case tObject:
		return map[string]any{}
	case tOut:
		return it.get(f, t.path)
	case tRule:
		if c, ok := f.children[t.ref]; ok {
			return field(c.val, t.path)
		}
	case tLatest:
		if f.hasChild {
			return field(f.latest, t.path)
		}
	case tMetaCur:
		return f.text(it.in)
	case tMetaRule:
		if c, ok := f.children[t.ref]; ok {
			return strings.Join(it.in[c.start:c.end], " ")
		}
	}
	return undefined{}
}

// plus is ECMAScript's "+" for the values this subset makes: numbers
// add, anything else concatenates as strings. An undefined operand
// yields the other one.
func (it *interp) plus(a, b any) any {
	if _, ok := a.(undefined); ok {
		return b
	}
	if _, ok := b.(undefined); ok {
		return a
	}
	x, xok := a.(float64)
	y, yok := b.(float64)
	if xok && yok {
		return x + y
	}
	sa, sb := jsString(a), jsString(b)
	if len(sa)+len(sb) > maxValueLen {
		return undefined{}
	}
	return sa + sb
}

func jsString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case map[string]any:
		return "[object Object]"
	}
	return ""
}
