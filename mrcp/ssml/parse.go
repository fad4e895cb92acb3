package ssml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/parley-cc/parley/mrcp/internal/charset"
)

// Limits that Parse enforces.
const (
	// MaxSize is the largest body Parse reads, in octets.
	MaxSize = 1 << 20
	// MaxDepth is the deepest nesting of elements, counting <speak>.
	MaxDepth = 64
	// MaxItems is the most items a Document may flatten into.
	MaxItems = 10000
)

// Media types Parse reads.
const (
	// ContentTypeSSML is SSML (RFC 6787 section 8.5).
	ContentTypeSSML = "application/ssml+xml"
	// ContentTypePlain is plain text.
	ContentTypePlain = "text/plain"
)

// Parse reads a SPEAK body of the given content type, "application/ssml+xml"
// (SSML 1.0 or 1.1) or "text/plain" (one Text item with the default
// prosody); parameters of the content type, such as charset, are ignored.
// The MRCPv1 name "application/synthesis+ssml" is read as SSML. Other
// types give an error wrapping ErrUnsupported.
//
// Items with no xml:lang in force have Lang "" and say-as is then
// expanded as English; use ParseLang to give a default language.
func Parse(contentType string, body []byte) (*Document, error) {
	return ParseLang(contentType, body, "")
}

// ParseLang is Parse with a default language (typically the MRCP
// Speech-Language header) for text that no xml:lang covers; it is also
// the Document's Lang when <speak> has no xml:lang.
func ParseLang(contentType string, body []byte, lang string) (*Document, error) {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if len(body) > MaxSize {
		return nil, fmt.Errorf("%w: %d octets, limit %d", ErrTooLarge, len(body), MaxSize)
	}
	switch mt {
	case ContentTypeSSML, "application/synthesis+ssml":
		return parseSSML(body, lang)
	case ContentTypePlain:
		return parsePlain(body, lang), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupported, contentType)
}

func parsePlain(body []byte, lang string) *Document {
	doc := &Document{Lang: lang}
	text := collapse(strings.ToValidUTF8(string(body), "\uFFFD"))
	if text != "" {
		doc.Items = []Item{{Kind: Text, Text: text, Source: text, Lang: lang, Prosody: DefaultProsody}}
	}
	return doc
}

func parseSSML(body []byte, lang string) (*Document, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charset.Reader
	b := newBuilder(lang)
	for !b.done {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				msg := "no <speak> element"
				if b.started {
					msg = "unexpected end of document"
				}
				return nil, syntaxError(body, d.InputOffset(), msg)
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, syntaxError(body, d.InputOffset(), se.Msg)
			}
			return nil, syntaxError(body, d.InputOffset(), err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			err = b.start(t)
		case xml.EndElement:
			err = b.end()
		case xml.CharData:
			err = b.text(string(t))
		case xml.Directive:
			err = checkDirective(t)
		}
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return nil, err
			}
			return nil, syntaxError(body, d.InputOffset(), err.Error())
		}
	}
	return b.doc, nil
}

// checkDirective accepts a DOCTYPE that only names a DTD, as SSML examples
// carry, and refuses one with an internal subset, where entities are
// declared, and any other declaration.
func checkDirective(t xml.Directive) error {
	s := strings.TrimSpace(string(t))
	if len(s) >= 7 && strings.EqualFold(s[:7], "DOCTYPE") {
		if strings.ContainsAny(s, "[<") {
			return errors.New("DOCTYPE with an internal subset (entity declarations) is not accepted")
		}
		return nil
	}
	return fmt.Errorf("declaration <!%.20s> is not accepted", s)
}

func syntaxError(body []byte, off int64, msg string) *SyntaxError {
	if off < 0 {
		off = 0
	}
	if off > int64(len(body)) {
		off = int64(len(body))
	}
	before := body[:off]
	line := 1 + bytes.Count(before, []byte{'\n'})
	col := 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return &SyntaxError{Line: line, Col: col, Msg: msg}
}

// collapse trims s and turns every run of white space into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
