package nlsml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parley-cc/parley/mrcp/internal/charset"
)

// node is an element of the parsed tree, or a run of character data when
// name is "".
type node struct {
	name  string
	attrs []xml.Attr
	kids  []*node
	text  string
}

// attr returns the value of the attribute with the local name, or "" and
// false.
func (n *node) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// directText is the concatenated character data directly inside n.
func (n *node) directText() string {
	var sb strings.Builder
	for _, k := range n.kids {
		if k.name == "" {
			sb.WriteString(k.text)
		}
	}
	return sb.String()
}

// hasElems reports whether n has child elements.
func (n *node) hasElems() bool {
	for _, k := range n.kids {
		if k.name != "" {
			return true
		}
	}
	return false
}

// readTree parses body into its root element.
func readTree(body []byte) (*node, error) {
	if len(body) > MaxSize {
		return nil, fmt.Errorf("%w: %d octets, limit %d", ErrTooLarge, len(body), MaxSize)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charset.Reader
	var stack []*node
	var root *node
	for root == nil || len(stack) > 0 {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if root == nil {
					return nil, fmt.Errorf("%w: no root element", ErrSyntax)
				}
				return nil, fmt.Errorf("%w: unexpected end of document", ErrSyntax)
			}
			return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= MaxDepth {
				return nil, fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, MaxDepth)
			}
			n := &node{name: t.Name.Local, attrs: t.Attr}
			if len(stack) == 0 {
				root = n
			} else {
				top := stack[len(stack)-1]
				top.kids = append(top.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.kids = append(top.kids, &node{text: string(t)})
			}
		}
	}
	return root, nil
}
