package sphinx

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// testGrammar is a speech.Grammar over fixed JSGF text.
type testGrammar string

func (g testGrammar) JSGF() (string, error) { return string(g), nil }
func (g testGrammar) Words() []string {
	p, err := parseJSGF(string(g))
	if err != nil {
		return nil
	}
	return p.vocabulary()
}

const (
	yesNoJSGF = `#JSGF V1.0 UTF-8 en-US;
grammar yesno;
// Confirmations.
public <yesno> = <yes> | <no>;
<yes> = yes [please] | yeah | correct | that's right {yes};
<no> = no [thanks] | nope | /2/ "not really";
`
	digitsJSGF = `#JSGF V1.0;
grammar digits;
/* A PIN: one or more digits. */
public <pin> = <digit>+;
<digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;
`
)

func TestParseJSGF(t *testing.T) {
	for _, tc := range []struct {
		name    string
		text    string
		want    string // combined JSGF rules after the two header lines
		vocab   string
		match   []string
		noMatch []string
	}{
		{
			name:    "yes no",
			text:    yesNoJSGF,
			want:    "public <r0> = <r1> | <r2>;\n<r1> = yes [ please ] | yeah | correct | that's right;\n<r2> = /1/ no [ thanks ] | /1/ nope | /2/ not really;\n",
			vocab:   "yes please yeah correct that's right no thanks nope not really",
			match:   []string{"yes", "yes please", "that's right", "not really", "no thanks"},
			noMatch: []string{"", "please", "yes yes", "really"},
		},
		{
			name:    "digits",
			text:    digitsJSGF,
			want:    "public <r0> = <r1>+;\n<r1> = zero | oh | one | two | three | four | five | six | seven | eight | nine;\n",
			match:   []string{"one", "one two three four", "oh oh seven"},
			noMatch: []string{"", "ten"},
		},
		{
			name:  "tokens become words",
			text:  "grammar g; public <a> = Hello, World! | \"New York\" | 42nd Street;",
			want:  "public <r0> = hello world | new york | forty second street;\n",
			match: []string{"new york", "forty second street"},
		},
		{
			name:    "null void and unused rules",
			text:    "grammar g; public <a> = <NULL> hi <b> | <VOID> bye | <c>; <b> = <NULL>; <c> = ok <d>*; <d> = <VOID>; <unused> = never;",
			want:    "public <r0> = hi | <r1>;\n<r1> = ok;\n",
			match:   []string{"hi", "ok"},
			noMatch: []string{"bye", "never", "ok ok"},
		},
		{
			name:    "optional alternative",
			text:    "grammar g; public <a> = please ( <NULL> | now | later ) go;",
			want:    "public <r0> = please [ now | later ] go;\n",
			match:   []string{"please go", "please now go"},
			noMatch: []string{"please now later go"},
		},
		{
			name:    "operators",
			text:    "grammar g; public <a> = (a b)* [c]+ d+ [e]*;",
			want:    "public <r0> = ( a b )* c* d+ e*;\n",
			match:   []string{"d", "a b a b c c d d e", "c d"},
			noMatch: []string{"a d", "", "e"},
		},
		{
			name:  "qualified references and recursion",
			text:  "grammar g; public <list> = <g.item> [and <list>]; <item> = red | green;",
			want:  "public <r0> = <r1> [ and <r0> ];\n<r1> = red | green;\n",
			match: []string{"red", "red and green and red"},
		},
		{
			name:  "zero weight drops an alternative",
			text:  "grammar g; public <a> = /0/ never | /1.5/ sometimes | /1e2/ often;",
			want:  "public <r0> = /1.5/ sometimes | /100/ often;\n",
			match: []string{"often"}, noMatch: []string{"never"},
		},
		{
			name:  "comments tags and BOM",
			text:  "\uFEFF#JSGF V1.0;\n// c\ngrammar g; /* x */ public <a> = {start} go {tag} /* inline */ home; // end",
			want:  "public <r0> = go home;\n",
			match: []string{"go home"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := parseJSGF(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			got := g.String()
			if want := "#JSGF V1.0;\ngrammar parley;\n" + tc.want; got != want {
				t.Errorf("combined:\n%s\nwant:\n%s", got, want)
			}
			if tc.vocab != "" {
				if v := strings.Join(g.vocabulary(), " "); v != tc.vocab {
					t.Errorf("vocabulary %q, want %q", v, tc.vocab)
				}
			}
			for _, s := range tc.match {
				if !g.matches(strings.Fields(s)) {
					t.Errorf("does not match %q", s)
				}
			}
			for _, s := range tc.noMatch {
				if g.matches(strings.Fields(s)) {
					t.Errorf("matches %q", s)
				}
			}
			// What String writes parses back to the same grammar.
			again, err := parseJSGF(got)
			if err != nil {
				t.Fatalf("reparse: %v", err)
			}
			if got2 := again.String(); got2 != got {
				t.Errorf("not a fixed point:\n%s\n%s", got, got2)
			}
		})
	}
}

func TestParseJSGFErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "want the grammar declaration"},
		{"no grammar name", "grammar ;", "want a grammar name"},
		{"no public rule", "grammar g; <a> = x;", "no public rule"},
		{"undefined rule", "grammar g; public <a> = <b>;", "undefined rule <b>"},
		{"import", "grammar g; import <other.*>; public <a> = x;", "imports are not supported"},
		{"unterminated rule", "grammar g; public <a> = x", `want ";"`},
		{"unbalanced group", "grammar g; public <a> = ( x ;", `want ")"`},
		{"stray close", "grammar g; public <a> = x );", `want ";"`},
		{"empty alternative", "grammar g; public <a> = x | ;", "empty expansion"},
		{"empty group", "grammar g; public <a> = ( );", "empty expansion"},
		{"duplicate rule", "grammar g; public <a> = x; <a> = y;", "defined twice"},
		{"bad weight", "grammar g; public <a> = /heavy/ x;", "bad weight"},
		{"negative weight", "grammar g; public <a> = /-1/ x;", "bad weight"},
		{"unterminated comment", "grammar g; /* public <a> = x;", "unterminated comment"},
		{"unterminated quote", `grammar g; public <a> = "x;`, "unterminated quoted"},
		{"unterminated tag", "grammar g; public <a> = x {tag;", "unterminated tag"},
		{"unterminated header", "#JSGF V1.0", "unterminated #JSGF"},
		{"only nothing", "grammar g; public <a> = <NULL>;", "matches no word"},
		{"only punctuation", "grammar g; public <a> = ?! | ...;", "matches no word"},
		{"void", "grammar g; public <a> = <VOID> x;", "never matches"},
		{"reserved name", "grammar g; public <NULL> = x;", "bad rule name"},
		{"lone operator", "grammar g; public <a> = * x;", `unexpected "*"`},
		{"too deep", "grammar g; public <a> = " + strings.Repeat("(", 200) + "x" + strings.Repeat(")", 200) + ";", "nested more than"},
		{"too big", "grammar g; public <a> = " + strings.Repeat("x ", maxGrammarBytes) + ";", "bytes, more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSGF(tc.text)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, errJSGF) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want errJSGF containing %q", err, tc.want)
			}
		})
	}
}

func TestJSGFLineNumbers(t *testing.T) {
	_, err := parseJSGF("grammar g;\npublic <a> = x;\n<b> = ( y;\n")
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("error %v, want one at line 3", err)
	}
}

func TestTestGrammarWords(t *testing.T) {
	if got := testGrammar(digitsJSGF).Words(); !slices.Contains(got, "oh") || len(got) != 11 {
		t.Fatalf("Words() = %v", got)
	}
}
