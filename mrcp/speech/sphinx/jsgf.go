package sphinx

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a grammar's JSGF text, so that a hostile or broken grammar
// cannot make the parser recurse or allocate without bound.
const (
	maxGrammarBytes = 4 << 20
	maxGrammarDepth = 100
)

// errJSGF is the parent of every JSGF syntax and structure error; callers
// see it wrapped in speech.ErrGrammar.
var errJSGF = errors.New("jsgf")

// jsgfGrammar is a JSGF grammar parsed into rules whose expansions hold
// dictionary words (see words), ready to be checked, combined with other
// grammars and written back for PocketSphinx.
type jsgfGrammar struct {
	name  string
	rules []*jsgfRule // in the order of the text
	root  *jsgfRule   // the first public rule
}

type jsgfRule struct {
	name   string
	public bool
	body   *jnode
}

type jkind uint8

const (
	jWord jkind = iota // one word
	jRef               // a rule reference
	jSeq               // kids in sequence
	jAlt               // one of kids, weighted when weights is set
	jOpt               // [kid]
	jStar              // kid*
	jPlus              // kid+
	jNull              // <NULL>: matches nothing, always passes
	jVoid              // <VOID>: never matches
)

type jnode struct {
	kind    jkind
	word    string    // jWord
	ref     string    // jRef: the rule name as written
	rule    *jsgfRule // jRef: the rule, once resolved
	kids    []*jnode
	weights []float64 // jAlt, nil when no alternative has a weight
}

var (
	nullNode = &jnode{kind: jNull}
	voidNode = &jnode{kind: jVoid}
)

// parseJSGF parses a JSGF grammar: the optional "#JSGF" header, the
// grammar declaration and rules with alternatives, weights, sequences,
// optional [...] and grouped (...) parts, the * and + operators, tags
// (ignored), quoted tokens, and <NULL> and <VOID>. Imports are refused.
// Tokens become dictionary words: "Hello," is "hello", "42" is "forty two".
// Rules that only ever match nothing, or never match, are simplified away;
// a grammar whose root rule matches no word is an error.
func parseJSGF(text string) (*jsgfGrammar, error) {
	if len(text) > maxGrammarBytes {
		return nil, fmt.Errorf("%w: grammar of %d bytes, more than %d", errJSGF, len(text), maxGrammarBytes)
	}
	p := &jsgfParser{lex: jsgfLexer{src: text}}
	g, err := p.grammar()
	if err != nil {
		return nil, err
	}
	if err := g.resolve(); err != nil {
		return nil, err
	}
	g.simplify()
	switch g.root.body.kind {
	case jNull:
		return nil, fmt.Errorf("%w: root rule <%s> matches no word", errJSGF, g.root.name)
	case jVoid:
		return nil, fmt.Errorf("%w: root rule <%s> never matches", errJSGF, g.root.name)
	}
	return g, nil
}

// Lexer.

type tokKind uint8

const (
	tEOF tokKind = iota
	tWord
	tQuoted
	tRule   // <name>
	tWeight // /number/
	tTag    // {...}
	tPunct  // = ; | ( ) [ ] * +
)

type token struct {
	kind tokKind
	text string
	pos  int
}

type jsgfLexer struct {
	src    string
	pos    int
	peeked *token
}

func (l *jsgfLexer) errorf(pos int, format string, args ...any) error {
	line := 1 + strings.Count(l.src[:min(pos, len(l.src))], "\n")
	return fmt.Errorf("%w: line %d: %s", errJSGF, line, fmt.Sprintf(format, args...))
}

func (l *jsgfLexer) peek() (token, error) {
	if l.peeked == nil {
		t, err := l.scan()
		if err != nil {
			return t, err
		}
		l.peeked = &t
	}
	return *l.peeked, nil
}

func (l *jsgfLexer) next() (token, error) {
	t, err := l.peek()
	l.peeked = nil
	return t, err
}

// skipSpace skips white space and comments.
func (l *jsgfLexer) skipSpace() error {
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		switch {
		case unicode.IsSpace(r) || r == '\uFEFF':
			l.pos += n
		case strings.HasPrefix(l.src[l.pos:], "//"):
			end := strings.IndexByte(l.src[l.pos:], '\n')
			if end < 0 {
				end = len(l.src) - l.pos
			}
			l.pos += end
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				return l.errorf(l.pos, "unterminated comment")
			}
			l.pos += end + 4
		default:
			return nil
		}
	}
	return nil
}

func (l *jsgfLexer) scan() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch c {
	case '=', ';', '|', '(', ')', '[', ']', '*', '+':
		l.pos++
		return token{kind: tPunct, text: string(c), pos: start}, nil
	case '<':
		return l.delimited(tRule, '>', "rule name")
	case '{':
		return l.delimited(tTag, '}', "tag")
	case '/':
		t, err := l.delimited(tWeight, '/', "weight")
		if err != nil {
			return t, err
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(t.text), 64); err != nil {
			return t, l.errorf(start, "bad weight /%s/", t.text)
		}
		return t, nil
	case '"':
		return l.quoted()
	}
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if unicode.IsSpace(r) || strings.ContainsRune("=;|()[]*+<>{}/\"", r) {
			break
		}
		l.pos += n
	}
	if l.pos == start { // a lone '>' or '}'
		return token{}, l.errorf(start, "unexpected %q", c)
	}
	return token{kind: tWord, text: l.src[start:l.pos], pos: start}, nil
}

// delimited scans from an opening character to close, without nesting,
// and returns what lies between.
func (l *jsgfLexer) delimited(kind tokKind, close byte, what string) (token, error) {
	start := l.pos
	end := strings.IndexByte(l.src[start+1:], close)
	if end < 0 {
		return token{}, l.errorf(start, "unterminated %s", what)
	}
	l.pos = start + 1 + end + 1
	return token{kind: kind, text: l.src[start+1 : start+1+end], pos: start}, nil
}

func (l *jsgfLexer) quoted() (token, error) {
	start := l.pos
	var b strings.Builder
	for i := start + 1; i < len(l.src); i++ {
		switch c := l.src[i]; c {
		case '\\':
			if i+1 < len(l.src) {
				i++
				b.WriteByte(l.src[i])
			}
		case '"':
			l.pos = i + 1
			return token{kind: tQuoted, text: b.String(), pos: start}, nil
		default:
			b.WriteByte(c)
		}
	}
	return token{}, l.errorf(start, "unterminated quoted token")
}

// Parser.

type jsgfParser struct {
	lex   jsgfLexer
	depth int
}

func (p *jsgfParser) expect(text string) error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	if t.kind != tPunct || t.text != text {
		return p.lex.errorf(t.pos, "want %q, got %q", text, t.text)
	}
	return nil
}

func (p *jsgfParser) grammar() (*jsgfGrammar, error) {
	if err := p.header(); err != nil {
		return nil, err
	}
	g := &jsgfGrammar{}
	t, err := p.lex.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tWord || t.text != "grammar" {
		return nil, p.lex.errorf(t.pos, "want the grammar declaration, got %q", t.text)
	}
	if t, err = p.lex.next(); err != nil {
		return nil, err
	}
	if t.kind != tWord {
		return nil, p.lex.errorf(t.pos, "want a grammar name, got %q", t.text)
	}
	g.name = t.text
	if err := p.expect(";"); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for {
		t, err := p.lex.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tEOF {
			break
		}
		r, err := p.rule(g.name)
		if err != nil {
			return nil, err
		}
		if seen[r.name] {
			return nil, p.lex.errorf(t.pos, "rule <%s> defined twice", r.name)
		}
		seen[r.name] = true
		g.rules = append(g.rules, r)
		if g.root == nil && r.public {
			g.root = r
		}
	}
	if g.root == nil {
		return nil, fmt.Errorf("%w: grammar %s has no public rule", errJSGF, g.name)
	}
	return g, nil
}

// header skips the "#JSGF V1.0 [charset [locale]];" line when present.
func (p *jsgfParser) header() error {
	if err := p.lex.skipSpace(); err != nil {
		return err
	}
	if !strings.HasPrefix(p.lex.src[p.lex.pos:], "#JSGF") {
		return nil
	}
	end := strings.IndexByte(p.lex.src[p.lex.pos:], ';')
	if end < 0 {
		return p.lex.errorf(p.lex.pos, "unterminated #JSGF header")
	}
	p.lex.pos += end + 1
	return nil
}

func (p *jsgfParser) rule(grammar string) (*jsgfRule, error) {
	t, err := p.lex.next()
	if err != nil {
		return nil, err
	}
	r := &jsgfRule{}
	if t.kind == tWord && t.text == "import" {
		return nil, p.lex.errorf(t.pos, "imports are not supported")
	}
	if t.kind == tWord && t.text == "public" {
		r.public = true
		if t, err = p.lex.next(); err != nil {
			return nil, err
		}
	}
	if t.kind != tRule {
		return nil, p.lex.errorf(t.pos, "want a rule definition, got %q", t.text)
	}
	name, err := ruleName(t.text, grammar)
	if err != nil || name == "NULL" || name == "VOID" {
		return nil, p.lex.errorf(t.pos, "bad rule name <%s>", t.text)
	}
	r.name = name
	if err := p.expect("="); err != nil {
		return nil, err
	}
	if r.body, err = p.alternatives(); err != nil {
		return nil, err
	}
	return r, p.expect(";")
}

// ruleName checks a rule name and strips a qualification by the grammar's
// own name.
func ruleName(name, grammar string) (string, error) {
	name = strings.TrimSpace(name)
	if rest, ok := strings.CutPrefix(name, grammar+"."); ok {
		name = rest
	}
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '.' }) {
		return "", errJSGF
	}
	return name, nil
}

func (p *jsgfParser) alternatives() (*jnode, error) {
	if p.depth++; p.depth > maxGrammarDepth {
		return nil, fmt.Errorf("%w: expansions nested more than %d deep", errJSGF, maxGrammarDepth)
	}
	defer func() { p.depth-- }()
	alt := &jnode{kind: jAlt}
	weighted := false
	for {
		w := 1.0
		t, err := p.lex.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tWeight {
			p.lex.next()
			w, _ = strconv.ParseFloat(strings.TrimSpace(t.text), 64)
			if w < 0 || w != w || w > 1e9 {
				return nil, p.lex.errorf(t.pos, "bad weight /%s/", t.text)
			}
			weighted = true
		}
		seq, err := p.sequence()
		if err != nil {
			return nil, err
		}
		alt.kids = append(alt.kids, seq)
		alt.weights = append(alt.weights, w)
		if t, err = p.lex.peek(); err != nil {
			return nil, err
		}
		if t.kind != tPunct || t.text != "|" {
			break
		}
		p.lex.next()
	}
	if !weighted {
		alt.weights = nil
	}
	if len(alt.kids) == 1 && !weighted {
		return alt.kids[0], nil
	}
	return alt, nil
}

func (p *jsgfParser) sequence() (*jnode, error) {
	seq := &jnode{kind: jSeq}
	for {
		t, err := p.lex.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tEOF || t.kind == tPunct && strings.Contains(";|)]", t.text) {
			break
		}
		u, err := p.unit()
		if err != nil {
			return nil, err
		}
		if u != nil {
			seq.kids = append(seq.kids, u)
		}
	}
	if len(seq.kids) == 0 {
		t, _ := p.lex.peek()
		return nil, p.lex.errorf(t.pos, "empty expansion")
	}
	if len(seq.kids) == 1 {
		return seq.kids[0], nil
	}
	return seq, nil
}

// unit parses one item with its operators and tags; a lone tag gives nil.
func (p *jsgfParser) unit() (*jnode, error) {
	t, err := p.lex.next()
	if err != nil {
		return nil, err
	}
	var n *jnode
	switch {
	case t.kind == tWord || t.kind == tQuoted:
		n = wordsNode(words(t.text))
	case t.kind == tRule:
		n = &jnode{kind: jRef, ref: strings.TrimSpace(t.text)}
		switch n.ref {
		case "NULL":
			n = nullNode
		case "VOID":
			n = voidNode
		}
	case t.kind == tTag:
		return nil, nil
	case t.kind == tPunct && (t.text == "(" || t.text == "["):
		inner, err := p.alternatives()
		if err != nil {
			return nil, err
		}
		if t.text == "(" {
			n, err = inner, p.expect(")")
		} else {
			n, err = &jnode{kind: jOpt, kids: []*jnode{inner}}, p.expect("]")
		}
		if err != nil {
			return nil, err
		}
	default:
		return nil, p.lex.errorf(t.pos, "unexpected %q", t.text)
	}
	for {
		t, err := p.lex.peek()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == tPunct && t.text == "*":
			n = &jnode{kind: jStar, kids: []*jnode{n}}
		case t.kind == tPunct && t.text == "+":
			n = &jnode{kind: jPlus, kids: []*jnode{n}}
		case t.kind == tTag:
		default:
			return n, nil
		}
		p.lex.next()
	}
}

// wordsNode is the expansion of a token's words: nothing, a word, or a
// sequence.
func wordsNode(ws []string) *jnode {
	switch len(ws) {
	case 0:
		return nullNode
	case 1:
		return &jnode{kind: jWord, word: ws[0]}
	}
	seq := &jnode{kind: jSeq}
	for _, w := range ws {
		seq.kids = append(seq.kids, &jnode{kind: jWord, word: w})
	}
	return seq
}

// resolve links every rule reference to its rule.
func (g *jsgfGrammar) resolve() error {
	byName := make(map[string]*jsgfRule, len(g.rules))
	for _, r := range g.rules {
		byName[r.name] = r
	}
	var walk func(n *jnode) error
	walk = func(n *jnode) error {
		if n.kind == jRef {
			name, err := ruleName(n.ref, g.name)
			if err != nil || byName[name] == nil {
				return fmt.Errorf("%w: undefined rule <%s>", errJSGF, n.ref)
			}
			n.rule = byName[name]
		}
		for _, k := range n.kids {
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range g.rules {
		if err := walk(r.body); err != nil {
			return err
		}
	}
	return nil
}

// simplify removes <NULL> and <VOID>, and the rules reduced to them, from
// every expansion: the rewritten grammar matches the same word sequences
// and every node left is a word, a reference or an operator over them.
func (g *jsgfGrammar) simplify() {
	// What a rule reduces to depends on the rules it references; iterate
	// until no rule changes (each pass can only settle more rules).
	status := map[*jsgfRule]jkind{}
	for range len(g.rules) + 1 {
		changed := false
		for _, r := range g.rules {
			k := simplifyNode(r.body, status).kind
			if k != jNull && k != jVoid {
				k = jSeq // stands for "matches words"
			}
			if status[r] != k {
				status[r], changed = k, true
			}
		}
		if !changed {
			break
		}
	}
	for _, r := range g.rules {
		r.body = simplifyNode(r.body, status)
	}
}

func simplifyNode(n *jnode, status map[*jsgfRule]jkind) *jnode {
	switch n.kind {
	case jRef:
		if k := status[n.rule]; k == jNull || k == jVoid {
			return &jnode{kind: k}
		}
		return n
	case jSeq:
		out := &jnode{kind: jSeq}
		for _, k := range n.kids {
			switch s := simplifyNode(k, status); s.kind {
			case jVoid:
				return voidNode
			case jNull:
			default:
				out.kids = append(out.kids, s)
			}
		}
		switch len(out.kids) {
		case 0:
			return nullNode
		case 1:
			return out.kids[0]
		}
		return out
	case jAlt:
		out, empty := &jnode{kind: jAlt}, false
		for i, k := range n.kids {
			if n.weights != nil && n.weights[i] == 0 {
				continue
			}
			switch s := simplifyNode(k, status); s.kind {
			case jVoid:
			case jNull:
				empty = true
			default:
				out.kids = append(out.kids, s)
				if n.weights != nil {
					out.weights = append(out.weights, n.weights[i])
				}
			}
		}
		var res *jnode
		switch len(out.kids) {
		case 0:
			if empty {
				return nullNode
			}
			return voidNode
		case 1:
			res = out.kids[0]
		default:
			res = out
		}
		if empty {
			return optional(res)
		}
		return res
	case jOpt, jStar, jPlus:
		s := simplifyNode(n.kids[0], status)
		switch {
		case s.kind == jNull, s.kind == jVoid && n.kind != jPlus:
			return nullNode
		case s.kind == jVoid:
			return voidNode
		case n.kind == jOpt:
			return optional(s)
		case s.kind == jOpt || s.kind == jStar || s.kind == jPlus:
			// [x]* and [x]+ are x*; x** is x*, x++ is x+.
			if n.kind == jPlus && s.kind == jPlus {
				return s
			}
			return &jnode{kind: jStar, kids: s.kids}
		}
		return &jnode{kind: n.kind, kids: []*jnode{s}}
	}
	return n
}

func optional(n *jnode) *jnode {
	switch n.kind {
	case jOpt, jStar:
		return n
	case jPlus:
		return &jnode{kind: jStar, kids: n.kids}
	}
	return &jnode{kind: jOpt, kids: []*jnode{n}}
}

// reachable lists the rules the root uses, root first.
func (g *jsgfGrammar) reachable() []*jsgfRule {
	seen := map[*jsgfRule]bool{g.root: true}
	out := []*jsgfRule{g.root}
	var walk func(n *jnode)
	walk = func(n *jnode) {
		if n.kind == jRef && !seen[n.rule] {
			seen[n.rule] = true
			out = append(out, n.rule)
			walk(n.rule.body)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(g.root.body)
	return out
}

// vocabulary returns the words the grammar can produce, each once, in the
// order first met.
func (g *jsgfGrammar) vocabulary() []string {
	seen := map[string]bool{}
	var out []string
	var walk func(n *jnode)
	walk = func(n *jnode) {
		if n.kind == jWord && !seen[n.word] {
			seen[n.word] = true
			out = append(out, n.word)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	for _, r := range g.reachable() {
		walk(r.body)
	}
	return out
}
