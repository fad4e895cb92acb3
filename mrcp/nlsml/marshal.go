package nlsml

import (
	"encoding/xml"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marshal writes r as an RFC 6787 NLSML document: an XML declaration and
// a <result> in the MRCPv2 namespace, one <interpretation> per entry with
// its confidence as a decimal from 0.00 to 1.00, the <instance> when it is
// not nil, and the <input>, which holds <noinput/> or <nomatch/> when
// those are set. Strings are XML-escaped; characters XML cannot carry
// become U+FFFD.
func Marshal(r *Result) ([]byte, error) {
	return r.AppendTo(make([]byte, 0, 256))
}

// AppendTo appends the NLSML document of r to b, as Marshal writes it.
// On error it returns b unchanged.
func (r *Result) AppendTo(b []byte) ([]byte, error) {
	if r == nil {
		return b, fmt.Errorf("%w: nil result", ErrInvalid)
	}
	out := append(b, "<?xml version=\"1.0\"?>\n<result xmlns=\""+Namespace+"\""...)
	if r.Grammar != "" {
		out = appendAttr(out, "grammar", r.Grammar)
	}
	out = append(out, ">\n"...)
	for i := range r.Interpretations {
		var err error
		out, err = r.appendInterpretation(out, &r.Interpretations[i])
		if err != nil {
			return b, fmt.Errorf("interpretation %d: %w", i, err)
		}
	}
	return append(out, "</result>\n"...), nil
}

func (r *Result) appendInterpretation(b []byte, in *Interpretation) ([]byte, error) {
	b = append(b, "  <interpretation"...)
	if in.Grammar != "" && in.Grammar != r.Grammar {
		b = appendAttr(b, "grammar", in.Grammar)
	}
	b, err := appendConfidence(b, in.Confidence)
	if err != nil {
		return b, err
	}
	b = append(b, ">\n"...)
	if in.Instance != nil {
		b = append(b, "    <instance>"...)
		if b, err = appendValue(b, in.Instance, 1); err != nil {
			return b, fmt.Errorf("instance: %w", err)
		}
		b = append(b, "</instance>\n"...)
	}
	if b, err = appendInput(b, &in.Input); err != nil {
		return b, err
	}
	return append(b, "  </interpretation>\n"...), nil
}

func appendInput(b []byte, in *Input) ([]byte, error) {
	b = append(b, "    <input"...)
	if in.Mode != "" {
		b = appendAttr(b, "mode", in.Mode)
	}
	if hasWords(in.Text) {
		var err error
		if b, err = appendConfidence(b, in.Confidence); err != nil {
			return b, fmt.Errorf("input: %w", err)
		}
	}
	b = append(b, '>')
	if in.NoInput {
		b = append(b, "<noinput/>"...)
	}
	if in.NoMatch {
		b = append(b, "<nomatch/>"...)
	}
	b = appendText(b, in.Text)
	return append(b, "</input>\n"...), nil
}

// hasWords reports whether s, as appendText writes it, holds more than
// white space: whether Parse will read a Text from it.
func hasWords(s string) bool {
	for _, r := range s {
		if !isXMLChar(r) || !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

func appendConfidence(b []byte, c float64) ([]byte, error) {
	if !(c >= 0 && c <= 1) {
		return b, fmt.Errorf("%w: confidence %v outside 0..1", ErrInvalid, c)
	}
	b = append(b, " confidence=\""...)
	b = strconv.AppendFloat(b, c, 'f', 2, 64)
	return append(b, '"'), nil
}

// appendValue writes an instance value as element content; depth counts
// the enclosing <instance> as 1.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > MaxDepth-2 {
		return b, fmt.Errorf("%w: instance nested deeper than %d", ErrInvalid, MaxDepth-2)
	}
	switch v := v.(type) {
	case nil:
		return b, nil
	case string:
		return appendText(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case float64:
		return appendFloat(b, v, 64)
	case float32:
		return appendFloat(b, float64(v), 32)
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case map[string]string:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if !isName(k) {
				return b, fmt.Errorf("%w: key %q is not an XML name", ErrInvalid, k)
			}
			b = appendElem(b, k, v[k])
		}
		return b, nil
	case map[string]any:
		var err error
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if !isName(k) {
				return b, fmt.Errorf("%w: key %q is not an XML name", ErrInvalid, k)
			}
			if b, err = appendField(b, k, v[k], depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	default:
		return b, fmt.Errorf("%w: instance value of type %T", ErrInvalid, v)
	}
}

// appendField writes map entry k: one element, or one per entry of a
// []any, which is how repeated elements are read.
func appendField(b []byte, k string, v any, depth int) ([]byte, error) {
	list, ok := v.([]any)
	if !ok {
		return appendChild(b, k, v, depth)
	}
	var err error
	for _, e := range list {
		if _, nested := e.([]any); nested {
			return b, fmt.Errorf("%w: key %q holds a list of lists", ErrInvalid, k)
		}
		if b, err = appendChild(b, k, e, depth); err != nil {
			return b, err
		}
	}
	return b, nil
}

func appendChild(b []byte, k string, v any, depth int) ([]byte, error) {
	if v == nil {
		return append(append(append(b, '<'), k...), "/>"...), nil
	}
	b = append(append(append(b, '<'), k...), '>')
	b, err := appendValue(b, v, depth)
	if err != nil {
		return b, fmt.Errorf("%s: %w", k, err)
	}
	return append(append(append(b, "</"...), k...), '>'), nil
}

func appendElem(b []byte, k, text string) []byte {
	b = append(append(append(b, '<'), k...), '>')
	b = appendText(b, text)
	return append(append(append(b, "</"...), k...), '>')
}

func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%w: instance number %v", ErrInvalid, f)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits), nil
}

// isName reports whether s can be an element name in the default
// namespace: an XML name without a colon. Names outside ASCII are checked
// with encoding/xml, so that Parse reads back whatever Marshal writes.
func isName(s string) bool {
	if s == "" {
		return false
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			ascii = false
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	if ascii {
		return true
	}
	if !utf8.ValidString(s) {
		return false
	}
	tok, err := xml.NewDecoder(strings.NewReader("<" + s + "/>")).Token()
	se, ok := tok.(xml.StartElement)
	return err == nil && ok && se.Name.Space == "" && se.Name.Local == s
}

func appendAttr(b []byte, name, val string) []byte {
	b = append(append(append(b, ' '), name...), "=\""...)
	b = appendEscaped(b, val, true)
	return append(b, '"')
}

func appendText(b []byte, s string) []byte { return appendEscaped(b, s, false) }

// appendEscaped writes s escaped for XML character data, or for a
// double-quoted attribute value when attr is set. Invalid UTF-8 and
// characters outside XML's Char production become U+FFFD.
func appendEscaped(b []byte, s string, attr bool) []byte {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			r = unicode.ReplacementChar
		}
		i += n
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '"' && attr:
			b = append(b, "&quot;"...)
		case r == '\t' && attr:
			b = append(b, "&#x9;"...)
		case r == '\n' && attr:
			b = append(b, "&#xA;"...)
		case r == '\r':
			b = append(b, "&#xD;"...)
		case !isXMLChar(r):
			b = utf8.AppendRune(b, unicode.ReplacementChar)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// isXMLChar is the Char production of XML 1.0 section 2.2.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
