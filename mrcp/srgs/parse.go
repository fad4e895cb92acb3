package srgs

import (
	"fmt"
	"mime"
	"strings"
)

// Content types of the two SRGS 1.0 forms (RFC 6787 section 9.5.2).
const (
	// ContentTypeXML is the XML form (SRGS section 4).
	ContentTypeXML = "application/srgs+xml"
	// ContentTypeABNF is the augmented BNF form (SRGS section 5).
	ContentTypeABNF = "application/srgs"
)

// Parse reads a grammar in the form its content type names:
// application/srgs+xml (XML form) or application/srgs (ABNF form), as
// carried by an MRCPv2 DEFINE-GRAMMAR or RECOGNIZE body. Parameters of
// the content type (charset) are ignored: grammars are read as UTF-8.
//
// Errors wrap ErrSyntax (as a *SyntaxError with a line and column),
// ErrUnsupported (another content type, external rule references, left
// recursion) or ErrTooComplex (a limit exceeded; see MaxBodySize and the
// other limits). Parse never fetches anything.
func Parse(contentType string, body []byte) (*Grammar, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Be lenient with odd parameters; the type itself decides.
		mt, _, _ = strings.Cut(contentType, ";")
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: body of %d bytes exceeds %d", ErrTooComplex, len(body), MaxBodySize)
	}
	switch mt {
	case ContentTypeXML:
		return parseXML(body)
	case ContentTypeABNF:
		return parseABNF(body)
	}
	return nil, fmt.Errorf("%w: content type %q is not an SRGS grammar", ErrUnsupported, contentType)
}
