package srgs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

const hdr = `<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" root="a">` + "\n"

func TestParseErrors(t *testing.T) {
	deep := "#ABNF 1.0;\n$a = " + strings.Repeat("(", srgs.MaxDepth+1) + "x" + strings.Repeat(")", srgs.MaxDepth+1) + ";\n"
	deepXML := hdr + `<rule id="a">` + strings.Repeat("<item>", srgs.MaxDepth+1) + "x" + strings.Repeat("</item>", srgs.MaxDepth+1) + "</rule></grammar>"
	manyRules := "#ABNF 1.0;\n"
	for i := 0; i <= srgs.MaxRules; i++ {
		manyRules += "$r" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i) + " = x;\n"
	}
	tests := []struct {
		name      string
		ct        string
		body      string
		want      error
		line, col int // for ErrSyntax; 0 = not checked
	}{
		// XML form
		{"xml mismatched end tag", srgs.ContentTypeXML, hdr + `<rule id="a">yes</rul></grammar>`, srgs.ErrSyntax, 2, 23},
		{"xml undefined rule", srgs.ContentTypeXML, hdr + "<rule id=\"a\">\n  yes <ruleref uri=\"#nope\"/>\n</rule></grammar>", srgs.ErrSyntax, 3, 7},
		{"xml bad repeat", srgs.ContentTypeXML, hdr + "<rule id=\"a\">\n<item repeat=\"x\">yes</item></rule></grammar>", srgs.ErrSyntax, 3, 1},
		{"xml repeat upside down", srgs.ContentTypeXML, hdr + "<rule id=\"a\"><item repeat=\"3-2\">yes</item></rule></grammar>", srgs.ErrSyntax, 2, 14},
		{"xml root element", srgs.ContentTypeXML, "<?xml version=\"1.0\"?>\n<speak/>", srgs.ErrSyntax, 2, 1},
		{"xml no grammar", srgs.ContentTypeXML, "<?xml version=\"1.0\"?>\n", srgs.ErrSyntax, 0, 0},
		{"xml text in one-of", srgs.ContentTypeXML, hdr + "<rule id=\"a\"><one-of>yes</one-of></rule></grammar>", srgs.ErrSyntax, 2, 22},
		{"xml empty one-of", srgs.ContentTypeXML, hdr + "<rule id=\"a\"><one-of/></rule></grammar>", srgs.ErrSyntax, 2, 14},
		{"xml duplicate rule", srgs.ContentTypeXML, hdr + "<rule id=\"a\">x</rule>\n<rule id=\"a\">y</rule></grammar>", srgs.ErrSyntax, 3, 1},
		{"xml rule without id", srgs.ContentTypeXML, hdr + "<rule>x</rule></grammar>", srgs.ErrSyntax, 2, 1},
		{"xml bad rule name", srgs.ContentTypeXML, hdr + "<rule id=\"a-b\">x</rule></grammar>", srgs.ErrSyntax, 2, 1},
		{"xml undefined root", srgs.ContentTypeXML, hdr + "<rule id=\"b\">x</rule></grammar>", srgs.ErrSyntax, 1, 1},
		{"xml no rules", srgs.ContentTypeXML, hdr + "</grammar>", srgs.ErrSyntax, 0, 0},
		{"xml bad mode", srgs.ContentTypeXML, `<grammar mode="video"><rule id="a">x</rule></grammar>`, srgs.ErrSyntax, 1, 1},
		{"xml dtmf word", srgs.ContentTypeXML, "<grammar mode=\"dtmf\">\n<rule id=\"a\">1 hello</rule></grammar>", srgs.ErrSyntax, 2, 14},
		{"xml unknown special", srgs.ContentTypeXML, hdr + "<rule id=\"a\"><ruleref special=\"ALL\"/></rule></grammar>", srgs.ErrSyntax, 2, 14},
		{"xml element in tag", srgs.ContentTypeXML, hdr + "<rule id=\"a\"><tag><b/></tag></rule></grammar>", srgs.ErrSyntax, 2, 19},
		{"xml trailing element", srgs.ContentTypeXML, hdr + "<rule id=\"a\">x</rule></grammar>\n<x/>", srgs.ErrSyntax, 3, 1},
		{"xml bad weight", srgs.ContentTypeXML, hdr + "<rule id=\"a\"><one-of><item weight=\"-1\">x</item></one-of></rule></grammar>", srgs.ErrSyntax, 2, 22},
		{"xml unknown entity", srgs.ContentTypeXML, hdr + "<rule id=\"a\">&nbsp;</rule></grammar>", srgs.ErrSyntax, 2, 0},
		{"xml external ruleref", srgs.ContentTypeXML, hdr + `<rule id="a"><ruleref uri="http://example.com/g.grxml#r"/></rule></grammar>`, srgs.ErrUnsupported, 0, 0},
		{"xml version 2", srgs.ContentTypeXML, `<grammar version="2.0"><rule id="a">x</rule></grammar>`, srgs.ErrUnsupported, 0, 0},
		{"xml encoding", srgs.ContentTypeXML, `<?xml version="1.0" encoding="EBCDIC"?><grammar><rule id="a">x</rule></grammar>`, srgs.ErrUnsupported, 0, 0},
		{"xml left recursion", srgs.ContentTypeXML, hdr + `<rule id="a"><item repeat="0-1">x</item><ruleref uri="#a"/> y</rule></grammar>`, srgs.ErrUnsupported, 0, 0},
		{"xml repeat too large", srgs.ContentTypeXML, hdr + `<rule id="a"><item repeat="0-5000">x</item></rule></grammar>`, srgs.ErrTooComplex, 0, 0},
		{"xml too deep", srgs.ContentTypeXML, deepXML, srgs.ErrTooComplex, 0, 0},
		{"xml expansion", srgs.ContentTypeXML, hdr + `<rule id="a"><item repeat="1000"><item repeat="1000">x</item></item></rule></grammar>`, srgs.ErrTooComplex, 0, 0},

		// ABNF form
		{"abnf no header", srgs.ContentTypeABNF, "$a = x;", srgs.ErrSyntax, 1, 1},
		{"abnf header without semicolon", srgs.ContentTypeABNF, "#ABNF 1.0\n$a = x;", srgs.ErrSyntax, 2, 1},
		{"abnf missing semicolon", srgs.ContentTypeABNF, "#ABNF 1.0 UTF-8;\nroot $a;\n$a = yes no\n$b = x;", srgs.ErrSyntax, 4, 1},
		{"abnf empty alternative", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x | ;", srgs.ErrSyntax, 2, 10},
		{"abnf undefined rule", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x\n  $b;", srgs.ErrSyntax, 3, 3},
		{"abnf bad repeat", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x<5-2>;", srgs.ErrSyntax, 2, 7},
		{"abnf bad repeat prob", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x<0-1 /2/>;", srgs.ErrSyntax, 2, 7},
		{"abnf unterminated tag", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x {out = 1;\n", srgs.ErrSyntax, 2, 8},
		{"abnf unterminated comment", srgs.ContentTypeABNF, "#ABNF 1.0;\n/* x\n$a = x;", srgs.ErrSyntax, 2, 1},
		{"abnf unknown declaration", srgs.ContentTypeABNF, "#ABNF 1.0;\nvolume 11;\n$a = x;", srgs.ErrSyntax, 2, 1},
		{"abnf declaration after rule", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x;\nroot $a;", srgs.ErrSyntax, 3, 1},
		{"abnf bad weight", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = /x/ a | b;", srgs.ErrSyntax, 2, 6},
		{"abnf weight mid-sequence", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = a /2/ b;", srgs.ErrSyntax, 2, 8},
		{"abnf unclosed group", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = (a | b;", srgs.ErrSyntax, 2, 12},
		{"abnf special rule name", srgs.ContentTypeABNF, "#ABNF 1.0;\n$NULL = x;", srgs.ErrSyntax, 2, 2},
		{"abnf duplicate", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x;\n$a = y;", srgs.ErrSyntax, 3, 2},
		{"abnf bad mode", srgs.ContentTypeABNF, "#ABNF 1.0;\nmode fax;\n$a = x;", srgs.ErrSyntax, 2, 1},
		{"abnf unterminated quote", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = \"new york;", srgs.ErrSyntax, 2, 6},
		{"abnf not utf-8", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = \xff;", srgs.ErrSyntax, 0, 0},
		{"abnf dtmf word", srgs.ContentTypeABNF, "#ABNF 1.0;\nmode dtmf;\n$a = 1 two;", srgs.ErrSyntax, 3, 8},
		{"abnf version", srgs.ContentTypeABNF, "#ABNF 2.0;\n$a = x;", srgs.ErrUnsupported, 0, 0},
		{"abnf encoding", srgs.ContentTypeABNF, "#ABNF 1.0 UTF-16;\n$a = x;", srgs.ErrUnsupported, 0, 0},
		{"abnf external ref", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = $<http://example.com/g.gram#r>;", srgs.ErrUnsupported, 0, 0},
		{"abnf left recursion", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = $b x;\n$b = [y] $a;", srgs.ErrUnsupported, 0, 0},
		{"abnf repeat too large", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x<0-99999999999>;", srgs.ErrTooComplex, 0, 0},
		{"abnf too deep", srgs.ContentTypeABNF, deep, srgs.ErrTooComplex, 0, 0},
		{"abnf too many rules", srgs.ContentTypeABNF, manyRules, srgs.ErrTooComplex, 0, 0},
		{"abnf expansion", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = ((x y z)<1000>)<1000>;", srgs.ErrTooComplex, 0, 0},

		// neither
		{"content type", "application/jsgf", "#JSGF V1.0;", srgs.ErrUnsupported, 0, 0},
		{"too large", srgs.ContentTypeABNF, "#ABNF 1.0;\n$a = x;" + strings.Repeat(" ", srgs.MaxBodySize), srgs.ErrTooComplex, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := srgs.Parse(tc.ct, []byte(tc.body))
			if err == nil {
				t.Fatalf("Parse succeeded:\n%s", g.ABNF())
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse error %q does not wrap %v", err, tc.want)
			}
			if tc.want != srgs.ErrSyntax {
				return
			}
			var se *srgs.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error %q is not a *SyntaxError", err)
			}
			if tc.line != 0 && (se.Line != tc.line || tc.col != 0 && se.Col != tc.col) {
				t.Errorf("error at %d:%d, want %d:%d (%v)", se.Line, se.Col, tc.line, tc.col, err)
			}
		})
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func TestSyntaxErrorText(t *testing.T) {
	_, err := srgs.Parse(srgs.ContentTypeABNF, []byte("#ABNF 1.0;\n$a = x |;"))
	if got, want := err.Error(), `srgs: syntax error at 2:9: empty alternative before ';'`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
