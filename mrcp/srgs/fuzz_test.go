package srgs_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

// seedFiles adds every testdata/spec file with the extension to f.
func seedFiles(f *testing.F, ext string) {
	files, _ := filepath.Glob("testdata/spec/*" + ext)
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkGrammar exercises a parsed grammar: nothing may panic, every
// error must wrap a sentinel, and the ABNF rendering must parse back to
// the same rendering.
func checkGrammar(t *testing.T, g *srgs.Grammar) {
	t.Helper()
	if _, err := g.JSGF(); err != nil && !errors.Is(err, srgs.ErrUnsupported) && !errors.Is(err, srgs.ErrEmpty) && !errors.Is(err, srgs.ErrTooComplex) {
		t.Fatalf("JSGF: %v", err)
	}
	for _, p := range g.Phrases(5) {
		if _, ok := g.Match(p); !ok {
			t.Fatalf("phrase %q does not match", p)
		}
	}
	words := g.Words()
	input := strings.Join(words, " ")
	m, ok := g.Match(input)
	if complete, _ := g.Prefix(input); complete != ok {
		t.Fatalf("Prefix(%q) complete = %v, Match = %v", input, complete, ok)
	}
	if ok && m.Rule != g.Root() {
		t.Fatalf("Rule %q, root %q", m.Rule, g.Root())
	}
	abnf := g.ABNF()
	if strings.Contains(abnf, "}!}") && strings.Count(abnf, "{!{") > 0 {
		return // a tag containing "}!}" has no ABNF form
	}
	g2, err := srgs.Parse(srgs.ContentTypeABNF, []byte(abnf))
	if err != nil {
		t.Fatalf("reparse of rendering: %v\n%s", err, abnf)
	}
	if got := g2.ABNF(); got != abnf {
		t.Fatalf("rendering does not round-trip:\n%s\n---\n%s", abnf, got)
	}
	if m2, ok2 := g2.Match(input); ok2 != ok || ok && instanceJSONLoose(m.Instance) != instanceJSONLoose(m2.Instance) {
		t.Fatalf("rendered grammar matches %q differently: %v %v", input, m, m2)
	}
}

func checkParseErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, srgs.ErrSyntax) && !errors.Is(err, srgs.ErrUnsupported) && !errors.Is(err, srgs.ErrTooComplex) {
		t.Fatalf("error wraps no sentinel: %v", err)
	}
	var se *srgs.SyntaxError
	if errors.Is(err, srgs.ErrSyntax) && !errors.As(err, &se) {
		t.Fatalf("syntax error is not a *SyntaxError: %v", err)
	}
}

func FuzzParseXML(f *testing.F) {
	seedFiles(f, ".grxml")
	f.Add([]byte(`<grammar root="a"><rule id="a"><item repeat="2-">x</item><ruleref special="GARBAGE"/></rule></grammar>`))
	f.Add([]byte(`<grammar mode="dtmf"><rule id="a"><one-of><item weight="2">1</item><item>*#</item></one-of></rule></grammar>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		g, err := srgs.Parse(srgs.ContentTypeXML, body)
		if err != nil {
			checkParseErr(t, err)
			return
		}
		checkGrammar(t, g)
	})
}

func FuzzParseABNF(f *testing.F) {
	seedFiles(f, ".abnf")
	f.Add([]byte("#ABNF 1.0;\npublic $a = (x | y)<2-> [$GARBAGE] {out = 1;};"))
	f.Add([]byte("#ABNF 1.0;\nmode dtmf;\n$a = 1 | /2/ * # | $a2;\n$a2 = 2<0-3 /0.5/>;"))
	f.Fuzz(func(t *testing.T, body []byte) {
		g, err := srgs.Parse(srgs.ContentTypeABNF, body)
		if err != nil {
			checkParseErr(t, err)
			return
		}
		checkGrammar(t, g)
	})
}

// FuzzMatch matches arbitrary input against arbitrary ABNF grammars and
// checks that Match and Prefix agree.
func FuzzMatch(f *testing.F) {
	for _, path := range []string{"basiccmd", "repeats", "special", "drink", "pin"} {
		b, err := os.ReadFile("testdata/spec/" + path + ".abnf")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "please open the window")
		f.Add(string(b), "1234#")
	}
	f.Add("#ABNF 1.0;\npublic $a = ($GARBAGE a)<1-> b;", "a a x a b")
	f.Fuzz(func(t *testing.T, grammar, input string) {
		g, err := srgs.Parse(srgs.ContentTypeABNF, []byte(grammar))
		if err != nil {
			return
		}
		m, ok := g.Match(input)
		complete, viable := g.Prefix(input)
		if complete != ok {
			t.Fatalf("Prefix(%q) complete = %v, Match = %v", input, complete, ok)
		}
		if ok {
			instanceJSONLoose(m.Instance)
		}
		if viable {
			return
		}
		// Nothing can follow input that is not viable: no word of the
		// grammar extends it to a match.
		words := g.Words()
		for _, w := range words[:min(len(words), 20)] {
			if _, ok := g.Match(input + " " + w); ok {
				t.Fatalf("Prefix(%q) says nothing can follow, but %q matches", input, input+" "+w)
			}
		}
	})
}

// instanceJSONLoose renders an instance for comparison, failing on
// values outside the documented types.
func instanceJSONLoose(v any) string {
	switch v := v.(type) {
	case string:
		return "s:" + v
	case float64, bool:
		return "v"
	case map[string]any:
		var b strings.Builder
		b.WriteString("{")
		for _, k := range sortedKeys(v) {
			b.WriteString(k + "=" + instanceJSONLoose(v[k]) + ",")
		}
		return b.String() + "}"
	}
	panic("instance of unexpected type")
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
