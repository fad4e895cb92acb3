package srgs

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parley-cc/parley/mrcp/internal/charset"
)

// abnfParser reads the augmented BNF form of SRGS 1.0 (section 5) by
// recursive descent over the bytes, counting lines and columns.
type abnfParser struct {
	src   []byte
	pos   int
	line  int
	col   int // bytes into the line, from 1
	b     *builder
	depth int
}

// abnfReserved are the characters that end a bare token (section 5.4).
const abnfReserved = ";|/()[]{}<>$\"=!"

func parseABNF(body []byte) (*Grammar, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	p := &abnfParser{src: body, line: 1, col: 1, b: newBuilder()}
	latin1, err := p.header()
	if err != nil {
		return nil, err
	}
	if latin1 {
		p.src = append(p.src[:p.pos:p.pos], charset.Latin1ToUTF8(p.src[p.pos:])...)
	} else if !utf8.Valid(p.src) {
		return nil, syntaxErr(0, 0, "grammar is not valid UTF-8")
	}
	if err := p.body(); err != nil {
		return nil, err
	}
	return p.b.finish()
}

func (p *abnfParser) errf(format string, args ...any) error {
	return syntaxErr(p.line, p.col, format, args...)
}

func (p *abnfParser) eof() bool { return p.pos >= len(p.src) }

func (p *abnfParser) peek() byte {
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *abnfParser) peekAt(off int) byte {
	if p.pos+off >= len(p.src) {
		return 0
	}
	return p.src[p.pos+off]
}

// advance moves over n bytes, counting lines.
func (p *abnfParser) advance(n int) {
	for ; n > 0 && p.pos < len(p.src); n-- {
		if p.src[p.pos] == '\n' {
			p.line++
			p.col = 1
		} else {
			p.col++
		}
		p.pos++
	}
}

// space skips white space and comments ("// ..." to the end of the
// line, "/* ... */").
func (p *abnfParser) space() error {
	for !p.eof() {
		c := p.peek()
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f':
			p.advance(1)
		case c == '/' && p.peekAt(1) == '/':
			end := bytes.IndexByte(p.src[p.pos:], '\n')
			if end < 0 {
				end = len(p.src) - p.pos
			}
			p.advance(end)
		case c == '/' && p.peekAt(1) == '*':
			line, col := p.line, p.col
			end := bytes.Index(p.src[p.pos+2:], []byte("*/"))
			if end < 0 {
				return syntaxErr(line, col, "unterminated comment")
			}
			p.advance(end + 4)
		default:
			return nil
		}
	}
	return nil
}

// expect skips space and then the byte c.
func (p *abnfParser) expect(c byte, what string) error {
	if err := p.space(); err != nil {
		return err
	}
	if p.peek() != c {
		return p.errf("expected %q %s, found %s", c, what, p.found())
	}
	p.advance(1)
	return nil
}

// found describes what is at the current position, for errors.
func (p *abnfParser) found() string {
	if p.eof() {
		return "end of grammar"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return fmt.Sprintf("%q", r)
}

// word reads a bare word (keyword, token, language tag).
func (p *abnfParser) word() string {
	start := p.pos
	for !p.eof() {
		c := p.peek()
		if c <= ' ' || strings.IndexByte(abnfReserved, c) >= 0 {
			break
		}
		p.advance(1)
	}
	return string(p.src[start:p.pos])
}

// header reads the self-identifying header "#ABNF 1.0 [encoding];"
// (section 5.1) and reports whether the encoding is ISO-8859-1 rather
// than UTF-8.
func (p *abnfParser) header() (latin1 bool, err error) {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.advance(1)
	}
	if !bytes.HasPrefix(p.src[p.pos:], []byte("#ABNF")) {
		return false, p.errf("grammar does not start with \"#ABNF 1.0\"")
	}
	p.advance(len("#ABNF"))
	if err := p.space(); err != nil {
		return false, err
	}
	line, col := p.line, p.col
	if v := p.word(); v != "1.0" {
		return false, fmt.Errorf("%w: ABNF version %q (at %d:%d)", ErrUnsupported, v, line, col)
	}
	if err := p.space(); err != nil {
		return false, err
	}
	if p.peek() != ';' {
		line, col := p.line, p.col
		enc := p.word()
		switch {
		case enc == "":
			return false, p.errf("expected ';' after the ABNF header, found %s", p.found())
		case isLatin1(enc):
			latin1 = true
		case !isUTF8(enc):
			return false, fmt.Errorf("%w: encoding %q, only UTF-8 and ISO-8859-1 (at %d:%d)", ErrUnsupported, enc, line, col)
		}
	}
	return latin1, p.expect(';', "after the ABNF header")
}

func isUTF8(enc string) bool {
	switch strings.ToLower(enc) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}

func isLatin1(enc string) bool {
	switch strings.ToLower(enc) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return true
	}
	return false
}

// body reads declarations, then rules, to the end.
func (p *abnfParser) body() error {
	rules := false
	for {
		if err := p.space(); err != nil {
			return err
		}
		if p.eof() {
			return nil
		}
		line, col := p.line, p.col
		switch c := p.peek(); {
		case c == '$':
			rules = true
			if err := p.rule(false); err != nil {
				return err
			}
		case c == '{':
			// A header tag (section 5.3): ignored.
			if rules {
				return p.errf("tag declaration after the first rule")
			}
			if _, err := p.tag(); err != nil {
				return err
			}
			if err := p.expect(';', "after the header tag"); err != nil {
				return err
			}
		default:
			kw := p.word()
			switch kw {
			case "public", "private":
				rules = true
				if err := p.space(); err != nil {
					return err
				}
				if p.peek() != '$' {
					return p.errf("expected a rule name after %q, found %s", kw, p.found())
				}
				if err := p.rule(kw == "public"); err != nil {
					return err
				}
			case "":
				return p.errf("unexpected %s", p.found())
			default:
				if rules {
					return syntaxErr(line, col, "declaration %q after the first rule", kw)
				}
				if err := p.declaration(kw, line, col); err != nil {
					return err
				}
			}
		}
	}
}

// declaration reads one header declaration (section 5.2) after its
// keyword.
func (p *abnfParser) declaration(kw string, line, col int) error {
	g := p.b.g
	if err := p.space(); err != nil {
		return err
	}
	switch kw {
	case "language":
		g.lang = p.word()
	case "mode":
		switch v := p.word(); v {
		case "voice":
			g.mode = Voice
		case "dtmf":
			g.mode = DTMF
		default:
			return syntaxErr(line, col, "mode %q is neither voice nor dtmf", v)
		}
	case "root":
		if p.peek() != '$' {
			return p.errf("expected a rule name after root, found %s", p.found())
		}
		p.advance(1)
		g.root = p.word()
		p.b.rootLine, p.b.rootCol = line, col
	case "tag-format":
		v, err := p.angled()
		if err != nil {
			return err
		}
		g.tagFormat = v
	case "base", "lexicon":
		if _, err := p.angled(); err != nil {
			return err
		}
		if kw == "lexicon" {
			if err := p.space(); err != nil {
				return err
			}
			if p.peek() == '~' { // ~<media-type>
				p.advance(1)
				if _, err := p.angled(); err != nil {
					return err
				}
			}
		}
	case "meta", "http-equiv":
		if _, err := p.quoted(); err != nil {
			return err
		}
		if err := p.space(); err != nil {
			return err
		}
		if p.word() != "is" {
			return p.errf("expected \"is\" in %s declaration", kw)
		}
		if err := p.space(); err != nil {
			return err
		}
		if _, err := p.quoted(); err != nil {
			return err
		}
	default:
		return syntaxErr(line, col, "unknown declaration %q", kw)
	}
	return p.expect(';', "after the "+kw+" declaration")
}

// angled reads "<...>" (a URI or media type).
func (p *abnfParser) angled() (string, error) {
	if err := p.space(); err != nil {
		return "", err
	}
	if p.peek() != '<' {
		return "", p.errf("expected '<', found %s", p.found())
	}
	end := bytes.IndexByte(p.src[p.pos:], '>')
	if end < 0 {
		return "", p.errf("unterminated '<'")
	}
	v := string(p.src[p.pos+1 : p.pos+end])
	p.advance(end + 1)
	return strings.TrimSpace(v), nil
}

// quoted reads a double-quoted string; there are no escapes.
func (p *abnfParser) quoted() (string, error) {
	if p.peek() != '"' {
		return "", p.errf("expected '\"', found %s", p.found())
	}
	line, col := p.line, p.col
	end := bytes.IndexByte(p.src[p.pos+1:], '"')
	if end < 0 {
		return "", syntaxErr(line, col, "unterminated quoted string")
	}
	v := string(p.src[p.pos+1 : p.pos+1+end])
	p.advance(end + 2)
	return v, nil
}

// rule reads "$name = expansion;" (section 5.5), the scope already read.
func (p *abnfParser) rule(public bool) error {
	p.advance(1) // $
	nline, ncol := p.line, p.col
	id := p.word()
	if id == "" {
		return p.errf("expected a rule name after '$', found %s", p.found())
	}
	if err := p.expect('=', "after the rule name"); err != nil {
		return err
	}
	body, err := p.alternatives()
	if err != nil {
		return err
	}
	if err := p.expect(';', "at the end of rule $"+id); err != nil {
		return err
	}
	return p.b.addRule(id, public, body, nline, ncol)
}

// alternatives reads sequences separated by '|', each with an optional
// weight "/w/" (section 5.6).
func (p *abnfParser) alternatives() (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d at %d:%d", ErrTooComplex, MaxDepth, p.line, p.col)
	}
	if err := p.space(); err != nil {
		return nil, err
	}
	alt, err := p.b.node(kAlt, p.line, p.col)
	if err != nil {
		return nil, err
	}
	weighted := false
	for {
		if err := p.space(); err != nil {
			return nil, err
		}
		w := 1.0
		if p.peek() == '/' {
			if w, err = p.weight(); err != nil {
				return nil, err
			}
			weighted = true
		}
		seq, err := p.sequence()
		if err != nil {
			return nil, err
		}
		alt.kids = append(alt.kids, seq)
		alt.choice.weights = append(alt.choice.weights, w)
		if err := p.space(); err != nil {
			return nil, err
		}
		if p.peek() != '|' {
			break
		}
		p.advance(1)
	}
	if len(alt.kids) == 1 && !weighted {
		return alt.kids[0], nil
	}
	return alt, nil
}

// weight reads "/number/".
func (p *abnfParser) weight() (float64, error) {
	line, col := p.line, p.col
	p.advance(1)
	end := bytes.IndexByte(p.src[p.pos:], '/')
	if end < 0 {
		return 0, syntaxErr(line, col, "unterminated weight")
	}
	f, err := parseFloat(string(p.src[p.pos : p.pos+end]))
	if err != nil {
		return 0, syntaxErr(line, col, "weight: %v", err)
	}
	p.advance(end + 1)
	return f, nil
}

// sequence reads items up to '|', ';', ')' or ']'.
func (p *abnfParser) sequence() (*node, error) {
	seq, err := p.b.node(kSeq, p.line, p.col)
	if err != nil {
		return nil, err
	}
	for {
		if err := p.space(); err != nil {
			return nil, err
		}
		switch p.peek() {
		case '|', ';', ')', ']', 0:
			if len(seq.kids) == 0 && !p.eof() {
				return nil, p.errf("empty alternative before %s", p.found())
			}
			if p.eof() {
				return nil, p.errf("unexpected end of grammar in a rule")
			}
			return seq, nil
		}
		if p.peek() == '$' && p.ruleStart() {
			return nil, p.errf("missing ';' before the rule that starts here")
		}
		if err := p.item(seq); err != nil {
			return nil, err
		}
	}
}

// ruleStart reports whether "$name =" follows: a rule definition, where
// a sequence can only be because the previous rule lacks its ';'.
func (p *abnfParser) ruleStart() bool {
	save := *p
	defer func() { *p = save }()
	p.advance(1)
	if p.word() == "" || p.space() != nil {
		return false
	}
	return p.peek() == '='
}

// item reads one unit with its optional repeat and language (section
// 5.5, 5.7) and appends it to seq.
func (p *abnfParser) item(seq *node) error {
	line, col := p.line, p.col
	var n *node
	var err error
	switch c := p.peek(); c {
	case '(', '[':
		p.advance(1)
		if n, err = p.alternatives(); err != nil {
			return err
		}
		close := byte(')')
		if c == '[' {
			close = ']'
		}
		if err := p.expect(close, "to close the group"); err != nil {
			return err
		}
		if c == '[' {
			if n, err = p.b.wrapRepeat(n, 0, 1, -1, line, col); err != nil {
				return err
			}
		}
	case '{':
		text, err := p.tag()
		if err != nil {
			return err
		}
		if n, err = p.b.node(kTag, line, col); err != nil {
			return err
		}
		n.tag = text
	case '$':
		if n, err = p.ruleref(); err != nil {
			return err
		}
	case '"':
		text, err := p.quoted()
		if err != nil {
			return err
		}
		if n, err = p.tokenNode(text, line, col); err != nil {
			return err
		}
	default:
		if c == '/' {
			return p.errf("a weight may only start an alternative")
		}
		if strings.IndexByte(abnfReserved, c) >= 0 {
			return p.errf("unexpected %s", p.found())
		}
		if n, err = p.tokenNode(p.word(), line, col); err != nil {
			return err
		}
	}
	if err := p.suffixes(&n, line, col); err != nil {
		return err
	}
	seq.kids = append(seq.kids, n)
	return nil
}

// tokenNode turns one token into a word or a sequence of words.
func (p *abnfParser) tokenNode(text string, line, col int) (*node, error) {
	seq, err := p.b.node(kSeq, line, col)
	if err != nil {
		return nil, err
	}
	if err := p.b.addWords(seq, text, line, col); err != nil {
		return nil, err
	}
	if len(seq.kids) == 1 {
		return seq.kids[0], nil
	}
	return seq, nil
}

// suffixes reads a language attachment "!lang" and a repeat "<m-n>"
// after a unit.
func (p *abnfParser) suffixes(n **node, line, col int) error {
	if p.peek() == '!' {
		p.advance(1)
		if p.word() == "" {
			return p.errf("expected a language after '!'")
		}
	}
	save := *p
	if err := p.space(); err != nil {
		return err
	}
	if p.peek() != '<' {
		*p = save
		return nil
	}
	rline, rcol := p.line, p.col
	end := bytes.IndexByte(p.src[p.pos:], '>')
	if end < 0 {
		return p.errf("unterminated repeat")
	}
	spec := string(p.src[p.pos+1 : p.pos+end])
	p.advance(end + 1)
	prob := -1.0
	if i := strings.IndexByte(spec, '/'); i >= 0 {
		ps := strings.TrimSpace(spec[i:])
		if len(ps) < 2 || ps[len(ps)-1] != '/' {
			return syntaxErr(rline, rcol, "repeat probability %q is not /p/", ps)
		}
		f, err := parseFloat(ps[1 : len(ps)-1])
		if err != nil || f > 1 {
			return syntaxErr(rline, rcol, "repeat probability %q is not a probability", ps)
		}
		prob, spec = f, spec[:i]
	}
	min, max, err := parseRepeat(spec)
	if err != nil {
		if errors.Is(err, ErrTooComplex) {
			return fmt.Errorf("%w (at %d:%d)", err, rline, rcol)
		}
		return syntaxErr(rline, rcol, "%v", err)
	}
	*n, err = p.b.wrapRepeat(*n, min, max, prob, line, col)
	return err
}

// tag reads "{...}" or "{!{ ... }!}" (section 5.8) and returns its text.
func (p *abnfParser) tag() (string, error) {
	line, col := p.line, p.col
	open, close := "{", "}"
	if bytes.HasPrefix(p.src[p.pos:], []byte("{!{")) {
		open, close = "{!{", "}!}"
	}
	p.advance(len(open))
	end := bytes.Index(p.src[p.pos:], []byte(close))
	if end < 0 {
		return "", syntaxErr(line, col, "unterminated tag")
	}
	text := string(p.src[p.pos : p.pos+end])
	p.advance(end + len(close))
	return strings.TrimSpace(text), nil
}

// ruleref reads "$name", "$<uri>" or a special rule (section 5.4).
func (p *abnfParser) ruleref() (*node, error) {
	line, col := p.line, p.col
	p.advance(1)
	if p.peek() == '<' {
		uri, err := p.angled()
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(uri, "#") {
			return nil, fmt.Errorf("%w: external rule reference %q (at %d:%d)", ErrUnsupported, uri, line, col)
		}
		return p.localRef(uri[1:], line, col)
	}
	name := p.word()
	switch name {
	case "":
		return nil, p.errf("expected a rule name after '$', found %s", p.found())
	case "NULL", "VOID", "GARBAGE":
		return p.b.special(name, line, col)
	}
	return p.localRef(name, line, col)
}

func (p *abnfParser) localRef(name string, line, col int) (*node, error) {
	n, err := p.b.node(kRef, line, col)
	if err != nil {
		return nil, err
	}
	n.ref = name
	return n, nil
}
