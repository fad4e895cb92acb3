package srgs_test

import (
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

func TestEncodings(t *testing.T) {
	tests := []struct {
		name, ct string
		body     string
		input    string
	}{
		{"xml with BOM", srgs.ContentTypeXML, "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?><grammar><rule id=\"a\">café</rule></grammar>", "Café"},
		{"xml latin-1", srgs.ContentTypeXML, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><grammar><rule id=\"a\">caf\xe9</rule></grammar>", "café"},
		{"abnf with BOM", srgs.ContentTypeABNF, "\xef\xbb\xbf#ABNF 1.0 UTF-8;\n$a = café;", "CAFÉ"},
		{"abnf latin-1", srgs.ContentTypeABNF, "#ABNF 1.0 ISO-8859-1;\n$a = caf\xe9;", "café"},
		{"abnf leading blank line", srgs.ContentTypeABNF, "\r\n#ABNF 1.0;\n$a = café;", "café"},
		{"content type case and parameters", "Application/SRGS+XML; charset=\"utf-8\"", "<grammar><rule id=\"a\">café</rule></grammar>", "café"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := srgs.Parse(tc.ct, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if m, ok := g.Match(tc.input); !ok || m.Instance != "café" {
				t.Errorf("Match(%q) = %+v, %v", tc.input, m, ok)
			}
		})
	}
}
