package ssml

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, in  string
		line, col int
	}{
		{"empty", "", 1, 1},
		{"only text", "hello", 1, 6},
		{"only a declaration", `<?xml version="1.0"?>`, 1, 22},
		{"wrong root", "\n  <html>x</html>", 2, 9},
		{"mismatched", "<speak>\n  <p>one</s></speak>", 2, 13},
		{"unclosed", "<speak>\n<p>", 2, 4},
		{"bad attribute", `<speak><break time=1s/></speak>`, 1, 21},
		{"undefined entity", "<speak>caf&eacute;</speak>", 1, 19},
		{"internal subset", `<!DOCTYPE speak [<!ENTITY a "b">]><speak>&a;</speak>`, 1, 35},
		{"billion laughs", `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<speak>&lol3;</speak>`, 6, 3},
		{"external entity", `<!DOCTYPE speak [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><speak>&xxe;</speak>`, 1, 61},
		{"entity declaration", `<!ENTITY a "b"><speak/>`, 1, 16},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC"?><speak/>`, 1, 40},
		{"column counts characters", "<speak>ééé</x>", 1, 15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(ContentTypeSSML, []byte(tc.in))
			if d != nil {
				t.Errorf("document %+v with error", d)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse = %v, want ErrSyntax", err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%T is not a *SyntaxError", err)
			}
			if se.Line != tc.line || se.Col != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", se.Line, se.Col, tc.line, tc.col, err)
			}
			if !strings.HasPrefix(err.Error(), "ssml: syntax error at line ") || se.Msg == "" {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func TestAccepted(t *testing.T) {
	for _, in := range []string{
		`<!DOCTYPE speak PUBLIC "-//W3C//DTD SYNTHESIS 1.0//EN" "http://www.w3.org/TR/speech-synthesis/synthesis.dtd"><speak>hi</speak>`,
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><speak>caf\xe9</speak>",
		`<speak>hi</speak>trailing ignored`,
		"\xEF\xBB\xBF<?xml version=\"1.0\"?><speak>hi</speak>",
		`<ssml:speak xmlns:ssml="http://www.w3.org/2001/10/synthesis">hi</ssml:speak>`,
	} {
		d, err := Parse(ContentTypeSSML, []byte(in))
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if p := d.PlainText(); p != "hi" && p != "café" {
			t.Errorf("Parse(%q) says %q", in, p)
		}
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"size", "<speak>" + strings.Repeat("a", MaxSize) + "</speak>"},
		{"depth", "<speak>" + strings.Repeat("<p>", MaxDepth) + strings.Repeat("</p>", MaxDepth) + "</speak>"},
		{"items", "<speak>" + strings.Repeat(`<mark name="m"/>`, MaxItems+1) + "</speak>"},
		{"items from boundaries", "<speak>" + strings.Repeat(`<s>a</s>`, MaxItems/2+1) + "</speak>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(ContentTypeSSML, []byte(tc.in))
			if !errors.Is(err, ErrTooLarge) || d != nil {
				t.Fatalf("Parse = %v, %v; want ErrTooLarge", d, err)
			}
		})
	}
	if _, err := Parse(ContentTypePlain, make([]byte, MaxSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("text/plain over MaxSize: %v", err)
	}
	ok := "<speak>" + strings.Repeat("<p>", MaxDepth-1) + "x" + strings.Repeat("</p>", MaxDepth-1) + "</speak>"
	if _, err := Parse(ContentTypeSSML, []byte(ok)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	if _, err := Parse(ContentTypeSSML, []byte("<speak>"+strings.Repeat(`<mark name="m"/>`, MaxItems)+"</speak>")); err != nil {
		t.Errorf("%d items: %v", MaxItems, err)
	}
}

func TestUnsupported(t *testing.T) {
	for _, ct := range []string{"", "text/uri-list", "application/xml", "text/html; charset=utf-8", "application/ssml"} {
		d, err := Parse(ct, []byte("<speak>hi</speak>"))
		if !errors.Is(err, ErrUnsupported) || d != nil {
			t.Errorf("Parse(%q) = %v, %v; want ErrUnsupported", ct, d, err)
		}
	}
}
