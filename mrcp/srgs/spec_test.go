package srgs_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

// specCase is one line of a testdata/spec/*.cases file.
type specCase struct {
	line     int
	input    string
	prefix   bool   // a "?>" line
	instance string // JSON, or "-" for no match
	complete bool
	viable   bool
}

func readCases(t *testing.T, path string) []specCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []specCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if in, want, ok := strings.Cut(line, " => "); ok {
			cases = append(cases, specCase{line: n, input: strings.TrimSpace(in), instance: strings.TrimSpace(want)})
			continue
		}
		in, want, ok := strings.Cut(line, " ?> ")
		c, v, ok2 := strings.Cut(strings.TrimSpace(want), ",")
		if !ok || !ok2 {
			t.Fatalf("%s:%d: no \" => \" or \" ?> \"", path, n)
		}
		cases = append(cases, specCase{line: n, input: strings.TrimSpace(in), prefix: true, complete: c == "true", viable: v == "true"})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func parseFile(t *testing.T, path string) *srgs.Grammar {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ct := srgs.ContentTypeXML
	if strings.HasSuffix(path, ".abnf") {
		ct = srgs.ContentTypeABNF
	}
	g, err := srgs.Parse(ct, body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}

func instanceJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("instance %#v: %v", v, err)
	}
	return string(b)
}

// TestSpecExamples runs every testdata/spec example in both forms, and
// the ABNF rendering of each, against its cases: the forms must agree
// with each other and with the expected results.
func TestSpecExamples(t *testing.T) {
	files, err := filepath.Glob("testdata/spec/*.cases")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, casesPath := range files {
		name := strings.TrimSuffix(filepath.Base(casesPath), ".cases")
		t.Run(name, func(t *testing.T) {
			base := strings.TrimSuffix(casesPath, ".cases")
			xml := parseFile(t, base+".grxml")
			abnf := parseFile(t, base+".abnf")
			round, err := srgs.Parse(srgs.ContentTypeABNF, []byte(xml.ABNF()))
			if err != nil {
				t.Fatalf("reparse of ABNF rendering: %v\n%s", err, xml.ABNF())
			}
			if xml.ABNF() != abnf.ABNF() {
				t.Errorf("the two forms differ:\nXML:\n%s\nABNF:\n%s", xml.ABNF(), abnf.ABNF())
			}
			if round.ABNF() != xml.ABNF() {
				t.Errorf("ABNF rendering does not round-trip:\n%s\n%s", xml.ABNF(), round.ABNF())
			}
			forms := map[string]*srgs.Grammar{"xml": xml, "abnf": abnf, "rendered": round}
			for _, c := range readCases(t, casesPath) {
				for form, g := range forms {
					checkCase(t, form, name, g, c)
				}
			}
		})
	}
}

func checkCase(t *testing.T, form, name string, g *srgs.Grammar, c specCase) {
	t.Helper()
	if c.prefix {
		complete, viable := g.Prefix(c.input)
		if complete != c.complete || viable != c.viable {
			t.Errorf("%s %s.cases:%d: Prefix(%q) = %v,%v, want %v,%v", form, name, c.line, c.input, complete, viable, c.complete, c.viable)
		}
		return
	}
	m, ok := g.Match(c.input)
	switch {
	case c.instance == "-" && ok:
		t.Errorf("%s %s.cases:%d: Match(%q) = %s, want no match", form, name, c.line, c.input, instanceJSON(t, m.Instance))
	case c.instance == "-":
	case !ok:
		t.Errorf("%s %s.cases:%d: Match(%q): no match, want %s", form, name, c.line, c.input, c.instance)
	default:
		if got := instanceJSON(t, m.Instance); got != c.instance {
			t.Errorf("%s %s.cases:%d: Match(%q) = %s, want %s", form, name, c.line, c.input, got, c.instance)
		}
		if m.Rule != g.Root() {
			t.Errorf("%s %s.cases:%d: Rule = %q, want %q", form, name, c.line, m.Rule, g.Root())
		}
	}
	// Prefix agrees with Match on completeness.
	if complete, _ := g.Prefix(c.input); complete != ok {
		t.Errorf("%s %s.cases:%d: Prefix(%q) complete = %v, Match = %v", form, name, c.line, c.input, complete, ok)
	}
}
