package srgs_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp/srgs"
)

func mustABNF(t testing.TB, body string) *srgs.Grammar {
	t.Helper()
	g, err := srgs.Parse(srgs.ContentTypeABNF, []byte("#ABNF 1.0 UTF-8;\n"+body))
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	return g
}

func TestMatchInstances(t *testing.T) {
	tests := []struct {
		name, abnf, input, want string // want: JSON, "-" for no match
	}{
		{"heaviest alternative wins", "tag-format <semantics/1.0>;\npublic $a = /1/ go {out=\"low\";} | /5/ go {out=\"high\";} | go {out=\"plain\";};", "go", `"high"`},
		{"first of equal weights", "tag-format <semantics/1.0>;\npublic $a = go {out=\"first\";} | go {out=\"second\";};", "go", `"first"`},
		{"weight only if it fits", "tag-format <semantics/1.0>;\npublic $a = /9/ go home {out=1;} | /1/ go {out=2;};", "go", `2`},
		{"apostrophes and hyphens", "public $a = don't stop twenty-one;", "Don’t STOP twenty one", `"don't stop twenty one"`},
		{"numbers add, strings join", "tag-format <semantics/1.0>;\npublic $a = x {out = 1; out += 2;} y {out.s = \"a\" + 1 + true;};", "x y", `{"s":"a1true"}`},
		{"sum then field", "tag-format <semantics/1.0>;\npublic $a = x {out = 1; out += 2.5;};", "x", `3.5`},
		{"nested fields", "tag-format <semantics/1.0>;\npublic $a = x {out.a.b = \"deep\"; out.a.c = out.a.b;};", "x", `{"a":{"b":"deep","c":"deep"}}`},
		{"object copies, no cycles", "tag-format <semantics/1.0>;\npublic $a = x {out.v = 1; out.self = out; out.self.v = 2;};", "x", `{"self":{"v":2},"v":1}`},
		{"undefined reference assigns nothing", "tag-format <semantics/1.0>;\npublic $a = x {out.a = rules.nope; out.b = rules.latest(); out.c = 1;};", "x", `{"c":1}`},
		{"unknown script is a literal", "tag-format <semantics/1.0>;\npublic $a = x {out = compute(1);};", "x", `"out = compute(1);"`},
		{"literal format", "tag-format <semantics/1.0-literals>;\npublic $a = x {out = \"quoted\";};", "x", `"out = \"quoted\";"`},
		{"no tag format: scripts run", "public $a = x {out = 'yes';};", "x", `"yes"`},
		{"no tag format: other text is literal", "public $a = x {CITY_BOS};", "x", `"CITY_BOS"`},
		{"last tag wins in literals", "tag-format <semantics/1.0-literals>;\npublic $a = x {one} y {two};", "x y", `"two"`},
		{"rule text by default", "public $a = $b c;\n$b = Big [Red];", "big red c", `"big red"`},
		{"latest of several references", "tag-format <semantics/1.0>;\npublic $a = $b $c {out = rules.latest() + rules.b;};\n$b = x {out = \"B\";};\n$c = y {out = \"C\";};", "x y", `"CB"`},
		{"escapes in strings", "tag-format <semantics/1.0>;\npublic $a = x {out = 'it\\'s' + \"\\\"q\\\"\";};", "x", `"it's\"q\""`},
		{"comments in scripts", "tag-format <semantics/1.0>;\npublic $a = x {!{ out = 1; // one\n /* two */ out += 1; }!};", "x", `2`},
		{"statements on lines", "tag-format <semantics/1.0>;\npublic $a = x {!{ out.a = 1\n out.b = 'two' }!};", "x", `{"a":1,"b":"two"}`},
		{"empty script keeps the default", "tag-format <semantics/1.0>;\npublic $a = x {} {/* nothing */};", "x", `"x"`},
		{"empty literal is empty", "tag-format <semantics/1.0-literals>;\npublic $a = x {};", "x", `""`},
		{"negative number", "tag-format <semantics/1.0>;\npublic $a = x {out = -4;};", "x", `-4`},
		{"repeat of a reference, latest each time", "tag-format <semantics/1.0>;\npublic $a = ($d {out += rules.d;})<1->;\n$d = one {out = \"1\";} | two {out = \"2\";};", "one two two", `"122"`},
		{"garbage in the middle", "public $a = call $GARBAGE now;", "call my mother now", `"call my mother now"`},
		{"empty input against nullable root", "public $a = [x];", "", `""`},
		{"punctuation only is empty input", "public $a = x;", "?!", `-`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustABNF(t, tc.abnf)
			m, ok := g.Match(tc.input)
			if tc.want == "-" {
				if ok {
					t.Fatalf("Match(%q) = %#v, want no match", tc.input, m.Instance)
				}
				return
			}
			if !ok {
				t.Fatalf("Match(%q): no match", tc.input)
			}
			if got := instanceJSON(t, m.Instance); got != tc.want {
				t.Errorf("Match(%q) = %s, want %s", tc.input, got, tc.want)
			}
		})
	}
}

func TestMatchValueLimits(t *testing.T) {
	// Doubling a string 1,000 times or copying an object into itself
	// would need unbounded memory; the values stop growing instead.
	g := mustABNF(t, "tag-format <semantics/1.0>;\npublic $a = {out = \"xx\";} (x {out += out;})<1-1000>;")
	in := strings.TrimSpace(strings.Repeat("x ", 200))
	m, ok := g.Match(in)
	if !ok {
		t.Fatal("no match")
	}
	if s, _ := m.Instance.(string); len(s) == 0 || len(s) > 64<<10 {
		t.Errorf("instance of %d bytes", len(s))
	}
	g = mustABNF(t, "tag-format <semantics/1.0>;\npublic $a = (x {out.a = out; out.b = out;})<1-1000>;")
	start := time.Now()
	m, ok = g.Match(in)
	if !ok {
		t.Fatal("no match")
	}
	if _, err := json.Marshal(m.Instance); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Match took %v", d)
	}
}

func TestMatchText(t *testing.T) {
	g := mustABNF(t, "mode dtmf;\npublic $a = 1 * # A d;")
	m, ok := g.Match(" 1*#ad ")
	if !ok || m.Text != "1 * # A D" || m.Rule != "a" {
		t.Fatalf("Match = %+v, %v", m, ok)
	}
	// Characters that are not keys are ignored.
	if _, ok := g.Match("1-*-#-A-D"); !ok {
		t.Error("separators between keys not ignored")
	}
	v := mustABNF(t, "public $a = hello world;")
	if m, ok := v.Match("  Hello,   WORLD!! "); !ok || m.Text != "hello world" {
		t.Fatalf("Match = %+v, %v", m, ok)
	}
}

func TestAccessors(t *testing.T) {
	x, err := srgs.Parse("application/srgs+xml;charset=UTF-8", []byte(`<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" xml:lang="fr-CA" mode="dtmf" tag-format="semantics/1.0">
<rule id="priv">1</rule><rule id="pub" scope="public">2 <ruleref uri="#priv"/></rule><rule id="other" scope="public">3</rule></grammar>`))
	if err != nil {
		t.Fatal(err)
	}
	if x.Mode() != srgs.DTMF || x.Mode().String() != "dtmf" || x.Lang() != "fr-CA" || x.TagFormat() != "semantics/1.0" {
		t.Errorf("Mode %v Lang %q TagFormat %q", x.Mode(), x.Lang(), x.TagFormat())
	}
	// Without a root attribute the first public rule is the root.
	if x.Root() != "pub" || !slices.Equal(x.Rules(), []string{"priv", "pub", "other"}) {
		t.Errorf("Root %q Rules %v", x.Root(), x.Rules())
	}
	if w := x.Words(); !slices.Equal(w, []string{"1", "2"}) {
		t.Errorf("Words() = %v (only rules reachable from the root)", w)
	}
	w := x.Words()
	w[0] = "changed"
	if x.Words()[0] != "1" {
		t.Error("Words() returns the grammar's own slice")
	}
	if got, want := x.String(), "srgs(dtmf fr-CA root=pub rules=3)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if tr, _ := srgs.Builtin("builtin:speech/transcribe"); tr.String() != "srgs(transcribe)" {
		t.Errorf("String() = %q", tr.String())
	}
	a := mustABNF(t, "$first = x;\n$second = y;")
	if a.Root() != "first" || a.Mode() != srgs.Voice || a.Mode().String() != "voice" || a.Lang() != "" {
		t.Errorf("Root %q Mode %v Lang %q", a.Root(), a.Mode(), a.Lang())
	}
}

func TestWordsVocabulary(t *testing.T) {
	g := mustABNF(t, "root $a;\npublic $a = Yes | YES please | $b | \"New York\";\n$b = no [thank you];\n$c = unused;")
	want := []string{"new", "no", "please", "thank", "yes", "york", "you"}
	if got := g.Words(); !slices.Equal(got, want) {
		t.Errorf("Words() = %v, want %v", got, want)
	}
}

// TestMatchBounded runs grammars that are exponential for a naive
// backtracking matcher, on the longest input, within a time bound.
func TestMatchBounded(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("a ", srgs.MaxInputWords-1))
	tests := []struct{ name, abnf string }{
		{"nested stars", "public $s = ((a | a a)<0->)<0-> b;"},
		{"garbage everywhere", "public $s = ($GARBAGE a $GARBAGE)<1-> b;"},
		{"ambiguous recursion", "public $s = a $s | a a $s | $GARBAGE b;"},
		{"many alternatives", "public $s = (" + strings.Repeat("a | a a | ", 20) + "a)<1-> b;"},
		{"long repeat of nullable", "public $s = ([a] [a] [a])<1000> b;"},
		{"nested nullable repeats", "public $s = (([a]<0-30>)<0-30>)<0-30> b;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustABNF(t, tc.abnf)
			start := time.Now()
			if _, ok := g.Match(long); ok {
				t.Error("matched input without the final b")
			}
			if c, v := g.Prefix(long); c || !v {
				t.Errorf("Prefix = %v,%v, want false,true", c, v)
			}
			if _, ok := g.Match(long + " b"); !ok {
				t.Error("no match with the final b")
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// These need more work than Match may do: it gives up quickly.
	for _, src := range []string{
		"public $s = (" + strings.Repeat("a | a a | ", 400) + "a)<1-> b;",
		"public $s = ($t a)<1-> b;\n$t = ({out = 1;}<1000>)<100>;",
	} {
		g := mustABNF(t, src)
		start := time.Now()
		g.Match(long + " b")
		g.Prefix(long + " b")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("giving up took %v", d)
		}
	}

	g := mustABNF(t, "public $s = a<0->;")
	if _, ok := g.Match(long + " a"); !ok {
		t.Errorf("no match of %d words", srgs.MaxInputWords)
	}
	if _, ok := g.Match(long + " a a"); ok {
		t.Errorf("match of %d words, above MaxInputWords", srgs.MaxInputWords+1)
	}
}

func TestConcurrentMatch(t *testing.T) {
	g := mustABNF(t, "tag-format <semantics/1.0>;\npublic $a = ($d {out += rules.d;})<1->;\n$d = one {out = \"1\";} | two {out = \"2\";};")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				in := strings.Repeat("one two ", i+1) + strings.Repeat("one ", j%5)
				m, ok := g.Match(in)
				want := strings.Repeat("12", i+1) + strings.Repeat("1", j%5)
				if !ok || m.Instance != want {
					errs <- fmt.Errorf("Match(%q) = %v, %v", in, m, ok)
					return
				}
				g.Prefix(in)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
