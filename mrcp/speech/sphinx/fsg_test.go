package sphinx

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// fsgModel is a compiled FSG read back from its text, to check what it
// accepts.
type fsgModel struct {
	states, start, final int
	arcs                 []fsgArc
}

func parseFSG(text string) (*fsgModel, error) {
	m := &fsgModel{states: -1}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) < 5 || lines[0] != "FSG_BEGIN parley" || lines[len(lines)-1] != "FSG_END" {
		return nil, fmt.Errorf("bad FSG framing")
	}
	for _, ln := range lines[1 : len(lines)-1] {
		f := strings.Fields(ln)
		switch {
		case len(f) == 2 && f[0] == "NUM_STATES":
			m.states, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "START_STATE":
			m.start, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "FINAL_STATE":
			m.final, _ = strconv.Atoi(f[1])
		case (len(f) == 4 || len(f) == 5) && f[0] == "TRANSITION":
			from, err1 := strconv.Atoi(f[1])
			to, err2 := strconv.Atoi(f[2])
			p, err3 := strconv.ParseFloat(f[3], 64)
			if err1 != nil || err2 != nil || err3 != nil || p <= 0 || p > 1 ||
				from < 0 || to < 0 || from >= m.states || to >= m.states {
				return nil, fmt.Errorf("bad transition %q", ln)
			}
			a := fsgArc{from: from, to: to, prob: p}
			if len(f) == 5 {
				a.word = f[4]
			}
			m.arcs = append(m.arcs, a)
		default:
			return nil, fmt.Errorf("bad line %q", ln)
		}
	}
	return m, nil
}

// accepts runs the FSG as an NFA with null transitions.
func (m *fsgModel) accepts(ws []string) bool {
	cur := m.closure(map[int]bool{m.start: true})
	for _, w := range ws {
		next := map[int]bool{}
		for _, a := range m.arcs {
			if a.word == w && cur[a.from] {
				next[a.to] = true
			}
		}
		cur = m.closure(next)
	}
	return cur[m.final]
}

func (m *fsgModel) closure(set map[int]bool) map[int]bool {
	for changed := true; changed; {
		changed = false
		for _, a := range m.arcs {
			if a.word == "" && set[a.from] && !set[a.to] {
				set[a.to], changed = true, true
			}
		}
	}
	return set
}

func compileTest(t *testing.T, garbage float64, texts ...string) *fsgModel {
	t.Helper()
	var gs []*jsgfGrammar
	for _, text := range texts {
		g, err := parseJSGF(text)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	text, err := compileFSG(gs, garbage)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseFSG(text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	return m
}

func TestCompileFSG(t *testing.T) {
	for _, tc := range []struct {
		name    string
		texts   []string
		garbage float64
		accept  []string
		reject  []string
	}{
		{
			name:   "yes no and digits",
			texts:  []string{yesNoJSGF, digitsJSGF},
			accept: []string{"yes", "no thanks", "not really", "one", "one two three", "oh oh seven"},
			// PocketSphinx's own compiler accepts these: a loop back to
			// the shared start state.
			reject: []string{"one yes", "one two no thanks", "yes one", ""},
		},
		{
			name:   "loops stay inside their expansion",
			texts:  []string{"grammar g; public <a> = (<b> | <c>) [please]; <b> = yes | no; <c> = <d>+; <d> = one | two;"},
			accept: []string{"yes please", "one two please", "two"},
			reject: []string{"one yes please", "one yes", "please"},
		},
		{
			name:   "star in a sequence",
			texts:  []string{"grammar g; public <a> = start (x | y)* end | other;"},
			accept: []string{"start end", "start x y x end", "other"},
			reject: []string{"start x other", "x end", "start other"},
		},
		{
			name:   "optional tail does not let the head repeat",
			texts:  []string{"grammar g; public <a> = [a b+] c;"},
			accept: []string{"c", "a b c", "a b b c"},
			reject: []string{"b c", "a c"},
		},
		{
			name:   "right recursion up to the bound",
			texts:  []string{"grammar g; public <list> = item [and <list>];"},
			accept: []string{"item", "item and item", strings.TrimSpace(strings.Repeat("item and ", maxRecursion) + "item")},
			reject: []string{strings.TrimSpace(strings.Repeat("item and ", maxRecursion+1) + "item"), "and item"},
		},
		{
			name:    "garbage loop",
			texts:   []string{yesNoJSGF},
			garbage: 0.5,
			accept:  []string{"yes", "_y _eh _s", "_aa"},
			reject:  []string{"yes _s", "_aa yes", ""},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := compileTest(t, tc.garbage, tc.texts...)
			for _, s := range tc.accept {
				if !m.accepts(strings.Fields(s)) {
					t.Errorf("rejects %q", s)
				}
			}
			for _, s := range tc.reject {
				if m.accepts(strings.Fields(s)) {
					t.Errorf("accepts %q", s)
				}
			}
		})
	}
}

func TestCompileFSGWeights(t *testing.T) {
	m := compileTest(t, 0, "grammar g; public <a> = /4/ yes | /1/ <no>; <no> = no | nope | nah | no way;")
	var fromStart, others []float64
	for _, a := range m.arcs {
		switch {
		case a.word == "" && a.from == m.start:
			fromStart = append(fromStart, a.prob)
		case a.word == "" && a.prob < 1:
			others = append(others, a.prob)
		}
	}
	// The weights, a rule reference's included, over their sum; the
	// rule's own four alternatives a quarter each.
	if fmt.Sprint(fromStart) != "[0.8 0.2]" || fmt.Sprint(others) != "[0.25 0.25 0.25 0.25]" {
		t.Fatalf("alternative probabilities %v and %v", fromStart, others)
	}
}

func TestCompileFSGLimits(t *testing.T) {
	// Each rule doubles the one below it: 2^20 copies of a word.
	var b strings.Builder
	b.WriteString("grammar g; public <r0> = <r1> <r1>;")
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "<r%d> = <r%d> <r%d>;", i, i+1, i+1)
	}
	b.WriteString("<r20> = x;")
	g, err := parseJSGF(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := compileFSG([]*jsgfGrammar{g}, 0); err == nil || !strings.Contains(err.Error(), "states") {
		t.Fatalf("exponential grammar: %v, want a state limit error", err)
	}
}

func TestPhoneLoopFSG(t *testing.T) {
	m, err := parseFSG(phoneLoopFSG())
	if err != nil {
		t.Fatal(err)
	}
	if m.accepts([]string{"_hh", "_ax"}) || !m.accepts([]string{"_hh", "_ah"}) || m.accepts(nil) {
		t.Fatal("phone loop accepts the wrong sequences")
	}
}
