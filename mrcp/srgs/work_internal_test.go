package srgs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkMargin checks that ordinary grammars and inputs (the spec
// examples, a long list of names) use a small part of matchBudget, so
// the budget only ever stops hostile grammars.
func TestWorkMargin(t *testing.T) {
	type job struct {
		g  *Grammar
		in string
	}
	var jobs []job
	files, _ := filepath.Glob("testdata/spec/*.abnf")
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Parse(ContentTypeABNF, body)
		if err != nil {
			t.Fatal(err)
		}
		cases, _ := os.ReadFile(strings.TrimSuffix(f, ".abnf") + ".cases")
		for _, line := range strings.Split(string(cases), "\n") {
			if in, _, ok := strings.Cut(line, " => "); ok {
				jobs = append(jobs, job{g, in})
			}
		}
	}
	var names strings.Builder
	names.WriteString("#ABNF 1.0;\npublic $who = [call | dial] $name [please];\n$name = first")
	for i := range 5000 {
		names.WriteString(" | name" + itoa(i) + " {out = \"" + itoa(i) + "\";}")
	}
	names.WriteString(";\n")
	g, err := Parse(ContentTypeABNF, []byte(names.String()))
	if err != nil {
		t.Fatal(err)
	}
	jobs = append(jobs, job{g, "call name4999 please"}, job{g, "name0"})
	maxWork := 0
	for _, j := range jobs {
		m := newMatcher(j.g, j.g.splitInput(j.in))
		if m.ruleEnds(j.g.rootI, 0).has(m.n) {
			var evs []event
			m.deriveRule(j.g.rootI, 0, m.n, &evs)
		}
		maxWork = max(maxWork, m.work)
		if m.work > matchBudget/50 {
			t.Errorf("%s %q: work %d, more than a 50th of the budget", j.g.root, j.in, m.work)
		}
	}
	t.Logf("most work: %d units of %d", maxWork, matchBudget)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
