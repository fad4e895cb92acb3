package srgs

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parley-cc/parley/mrcp/internal/charset"
)

// nsSRGS is the SRGS 1.0 XML namespace (section 4.3).
const nsSRGS = "http://www.w3.org/2001/06/grammar"

// nsXML is the namespace of the xml: prefix (xml:lang, xml:base).
const nsXML = "http://www.w3.org/XML/1998/namespace"

// xmlParser reads the XML form of SRGS 1.0 (section 4) with
// encoding/xml's tokenizer, which expands only the predefined entities
// and never fetches anything.
type xmlParser struct {
	d     *xml.Decoder
	b     *builder
	depth int
	// start of the token last returned by next
	line, col int
}

func parseXML(body []byte) (*Grammar, error) {
	// encoding/xml takes a byte order mark for text.
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = func(name string, r io.Reader) (io.Reader, error) {
		switch {
		case isUTF8(name):
			return r, nil
		case isLatin1(name):
			b, err := io.ReadAll(r)
			return bytes.NewReader(charset.Latin1ToUTF8(b)), err
		}
		return nil, fmt.Errorf("%w: encoding %q (only UTF-8 and ISO-8859-1)", ErrUnsupported, name)
	}
	p := &xmlParser{d: d, b: newBuilder()}
	if err := p.document(); err != nil {
		return nil, err
	}
	return p.b.finish()
}

// next returns the next token, remembering where it starts.
func (p *xmlParser) next() (xml.Token, error) {
	p.line, p.col = p.d.InputPos()
	tok, err := p.d.Token()
	if err == nil {
		return tok, nil
	}
	if errors.Is(err, ErrUnsupported) {
		return nil, err
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line, col := p.d.InputPos()
		return nil, syntaxErr(line, col, "%s", se.Msg)
	}
	if err == io.EOF {
		line, col := p.d.InputPos()
		return nil, syntaxErr(line, col, "unexpected end of grammar")
	}
	line, col := p.d.InputPos()
	return nil, syntaxErr(line, col, "%v", err)
}

func (p *xmlParser) errf(format string, args ...any) error {
	return syntaxErr(p.line, p.col, format, args...)
}

func (p *xmlParser) document() error {
	for {
		tok, err := p.next()
		if err != nil {
			if se, ok := err.(*SyntaxError); ok && se.Msg == "unexpected end of grammar" {
				return syntaxErr(se.Line, se.Col, "no <grammar> element")
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !isSRGS(t.Name, "grammar") {
				return p.errf("root element is <%s>, not <grammar>", t.Name.Local)
			}
			if err := p.grammar(t); err != nil {
				return err
			}
			return p.trailer()
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return p.errf("text before <grammar>")
			}
		}
	}
}

// trailer checks that only comments and white space follow </grammar>.
func (p *xmlParser) trailer() error {
	for {
		p.line, p.col = p.d.InputPos()
		tok, err := p.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.errf("after </grammar>: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return p.errf("element <%s> after </grammar>", t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return p.errf("text after </grammar>")
			}
		}
	}
}

// isSRGS reports whether name is local in the SRGS namespace or in no
// namespace (many grammars in the wild omit xmlns).
func isSRGS(name xml.Name, local string) bool {
	return name.Local == local && (name.Space == nsSRGS || name.Space == "")
}

func foreign(name xml.Name) bool {
	return name.Space != "" && name.Space != nsSRGS
}

func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && (a.Name.Space == "" || a.Name.Space == nsSRGS) {
			return a.Value, true
		}
	}
	return "", false
}

func xmlAttr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && (a.Name.Space == nsXML || a.Name.Space == "xml") {
			return a.Value, true
		}
	}
	return "", false
}

// grammar reads the <grammar> element (section 4.3).
func (p *xmlParser) grammar(e xml.StartElement) error {
	g := p.b.g
	if v, ok := attr(e, "version"); ok && strings.TrimSpace(v) != "1.0" {
		return fmt.Errorf("%w: SRGS version %q", ErrUnsupported, v)
	}
	if v, ok := attr(e, "mode"); ok {
		switch strings.TrimSpace(v) {
		case "voice":
			g.mode = Voice
		case "dtmf":
			g.mode = DTMF
		default:
			return p.errf("mode %q is neither voice nor dtmf", v)
		}
	}
	if v, ok := attr(e, "root"); ok {
		g.root = strings.TrimSpace(v)
		p.b.rootLine, p.b.rootCol = p.line, p.col
	}
	if v, ok := attr(e, "tag-format"); ok {
		g.tagFormat = strings.TrimSpace(v)
	}
	if v, ok := xmlAttr(e, "lang"); ok {
		g.lang = strings.TrimSpace(v)
	}
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return p.errf("text directly inside <grammar>")
			}
		case xml.StartElement:
			if err := p.grammarChild(t); err != nil {
				return err
			}
		}
	}
}

func (p *xmlParser) grammarChild(e xml.StartElement) error {
	if foreign(e.Name) {
		return p.skip()
	}
	switch e.Name.Local {
	case "rule":
		return p.rule(e)
	case "meta", "metadata", "lexicon", "tag":
		// Header declarations: metadata, pronunciation lexicons and
		// the grammar-level tag are ignored.
		return p.skip()
	}
	return p.errf("<%s> is not allowed inside <grammar>", e.Name.Local)
}

// skip consumes the element just started, whatever it holds.
func (p *xmlParser) skip() error {
	for depth := 1; depth > 0; {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// rule reads a <rule> element (section 3.1).
func (p *xmlParser) rule(e xml.StartElement) error {
	line, col := p.line, p.col
	id, ok := attr(e, "id")
	if !ok {
		return p.errf("<rule> without id")
	}
	public := false
	if v, ok := attr(e, "scope"); ok {
		switch strings.TrimSpace(v) {
		case "public":
			public = true
		case "private":
		default:
			return p.errf("rule %q: scope %q is neither public nor private", id, v)
		}
	}
	body, err := p.seq(line, col)
	if err != nil {
		return err
	}
	return p.b.addRule(strings.TrimSpace(id), public, body, line, col)
}

// seq reads rule expansions up to the end of the current element and
// returns them as a sequence.
func (p *xmlParser) seq(line, col int) (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d at %d:%d", ErrTooComplex, MaxDepth, p.line, p.col)
	}
	seq, err := p.b.node(kSeq, line, col)
	if err != nil {
		return nil, err
	}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return seq, nil
		case xml.CharData:
			if err := p.text(seq, string(t)); err != nil {
				return nil, err
			}
		case xml.StartElement:
			if err := p.expansion(seq, t); err != nil {
				return nil, err
			}
		}
	}
}

// text adds the tokens of character data to seq (section 2.1): white
// space separates tokens, and a double-quoted string is one token.
func (p *xmlParser) text(seq *node, s string) error {
	line, col := p.line, p.col
	for s != "" {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			break
		}
		var tok string
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return syntaxErr(line, col, "unterminated quoted token")
			}
			tok, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexAny(s, " \t\r\n\"")
			if end < 0 {
				end = len(s)
			}
			tok, s = s[:end], s[end:]
		}
		if err := p.b.addWords(seq, tok, line, col); err != nil {
			return err
		}
	}
	return nil
}

// expansion reads one element inside a rule, item or token.
func (p *xmlParser) expansion(seq *node, e xml.StartElement) error {
	if foreign(e.Name) {
		return p.skip()
	}
	line, col := p.line, p.col
	var n *node
	var err error
	switch e.Name.Local {
	case "token":
		text, err := p.textOnly("token")
		if err != nil {
			return err
		}
		return p.b.addWords(seq, text, line, col)
	case "item":
		n, err = p.item(e)
	case "one-of":
		n, err = p.oneOf(line, col)
	case "ruleref":
		n, err = p.ruleref(e)
	case "tag":
		var text string
		if text, err = p.textOnly("tag"); err == nil {
			if n, err = p.b.node(kTag, line, col); err == nil {
				n.tag = strings.TrimSpace(text)
			}
		}
	case "example":
		return p.skip()
	default:
		return p.errf("<%s> is not allowed inside a rule", e.Name.Local)
	}
	if err != nil {
		return err
	}
	seq.kids = append(seq.kids, n)
	return nil
}

// textOnly reads the text of an element that may hold nothing else.
func (p *xmlParser) textOnly(name string) (string, error) {
	var sb strings.Builder
	for {
		tok, err := p.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return sb.String(), nil
		case xml.CharData:
			sb.Write(t)
		case xml.StartElement:
			return "", p.errf("<%s> inside <%s>", t.Name.Local, name)
		}
	}
}

// item reads an <item> (section 2.3) with its repeat (2.5) and, inside
// <one-of>, its weight (2.4.1), which oneOf reads.
func (p *xmlParser) item(e xml.StartElement) (*node, error) {
	line, col := p.line, p.col
	min, max, prob := 1, 1, -1.0
	if v, ok := attr(e, "repeat"); ok {
		var err error
		if min, max, err = parseRepeat(v); err != nil {
			if errors.Is(err, ErrTooComplex) {
				return nil, fmt.Errorf("%w (at %d:%d)", err, line, col)
			}
			return nil, syntaxErr(line, col, "%v", err)
		}
	}
	if v, ok := attr(e, "repeat-prob"); ok {
		f, err := parseFloat(v)
		if err != nil || f > 1 {
			return nil, syntaxErr(line, col, "repeat-prob %q is not a probability", v)
		}
		prob = f
	}
	body, err := p.seq(line, col)
	if err != nil {
		return nil, err
	}
	return p.b.wrapRepeat(body, min, max, prob, line, col)
}

// oneOf reads a <one-of> (section 2.4): items only, each with an
// optional weight.
func (p *xmlParser) oneOf(line, col int) (*node, error) {
	alt, err := p.b.node(kAlt, line, col)
	if err != nil {
		return nil, err
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d at %d:%d", ErrTooComplex, MaxDepth, line, col)
	}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if len(alt.kids) == 0 {
				return nil, syntaxErr(line, col, "<one-of> without <item>")
			}
			return alt, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, p.errf("text directly inside <one-of>")
			}
		case xml.StartElement:
			if foreign(t.Name) {
				if err := p.skip(); err != nil {
					return nil, err
				}
				continue
			}
			if t.Name.Local != "item" {
				return nil, p.errf("<%s> inside <one-of>: only <item> is allowed", t.Name.Local)
			}
			w := 1.0
			if v, ok := attr(t, "weight"); ok {
				if w, err = parseFloat(v); err != nil {
					return nil, p.errf("weight: %v", err)
				}
			}
			n, err := p.item(t)
			if err != nil {
				return nil, err
			}
			alt.kids = append(alt.kids, n)
			alt.choice.weights = append(alt.choice.weights, w)
		}
	}
}

// ruleref reads a <ruleref> (section 2.2): a local reference "#id" or a
// special rule. External grammars are not fetched.
func (p *xmlParser) ruleref(e xml.StartElement) (*node, error) {
	line, col := p.line, p.col
	uri, hasURI := attr(e, "uri")
	special, hasSpecial := attr(e, "special")
	if text, err := p.textOnly("ruleref"); err != nil {
		return nil, err
	} else if strings.TrimSpace(text) != "" {
		return nil, syntaxErr(line, col, "<ruleref> must be empty")
	}
	switch {
	case hasURI && hasSpecial:
		return nil, syntaxErr(line, col, "<ruleref> with both uri and special")
	case hasSpecial:
		return p.b.special(strings.TrimSpace(special), line, col)
	case hasURI:
		uri = strings.TrimSpace(uri)
		if !strings.HasPrefix(uri, "#") {
			return nil, fmt.Errorf("%w: external rule reference %q (at %d:%d)", ErrUnsupported, uri, line, col)
		}
		n, err := p.b.node(kRef, line, col)
		if err != nil {
			return nil, err
		}
		n.ref = uri[1:]
		return n, nil
	}
	return nil, syntaxErr(line, col, "<ruleref> without uri or special")
}

// special returns the node of a special rule (section 2.2.3).
func (b *builder) special(name string, line, col int) (*node, error) {
	var k kind
	switch name {
	case "NULL":
		k = kNull
	case "VOID":
		k = kVoid
	case "GARBAGE":
		k = kGarbage
	default:
		return nil, syntaxErr(line, col, "unknown special rule %q", name)
	}
	return b.node(k, line, col)
}
