package script

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLoadValid(t *testing.T) {
	for _, path := range []string{"testdata/mini.yaml", "../../scripts/bank/bank.yaml", "../../scripts/isp/isp.yaml"} {
		t.Run(path, func(t *testing.T) {
			s, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if s.StartStep() == nil || s.StartStep().ID.Name != s.Steps[0].ID.Name {
				t.Errorf("start step = %v, want the first step", s.StartStep())
			}
			for _, st := range s.Steps {
				if st.Kind() == "" {
					t.Errorf("step %s has no kind", st.ID.Name)
				}
			}
		})
	}
}

// mutate applies a textual edit to the mini script.
func mutate(t *testing.T, old, new string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("mini.yaml has no %q", old)
	}
	return []byte(strings.Replace(string(data), old, new, 1))
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           []string // each must appear as a line of the error
	}{
		{"unknown step", "intents: {agree: bye, refuse: bye}", "intents: {agree: bye, refuse: byebye}",
			[]string{`mini.yaml:25: step "question": unknown step "byebye"`}},
		{"unreachable step", "intents: {agree: bye, refuse: bye}", "intents: {agree: start, refuse: start}",
			[]string{`mini.yaml:26: step "bye" is unreachable`}},
		{"undefined prompt", "prompt: ask", "prompt: asks",
			[]string{`mini.yaml:24: step "question": undefined prompt "asks"`}},
		{"undefined placeholder", "Goodbye, {who}.", "Goodbye, {whom}.",
			[]string{`mini.yaml:10: prompt "bye": undefined slot or variable {whom}`}},
		{"too few examples", "examples: [yes, yes please, sure, okay then, sounds good, go ahead]", "examples: [yes, sure]",
			[]string{`mini.yaml:14: intent "agree" has 2 examples; at least 5 are needed`}},
		{"duplicate id", "  - id: bye\n", "  - id: question\n",
			[]string{`mini.yaml:26: duplicate step id "question" (first at line 22)`}},
		{"unknown field", "    next: question", "    nxt: question",
			[]string{`mini.yaml:21: unknown field "nxt" in step (steps)`}},
		{"undefined intent", "intents: {agree: bye, refuse: bye}", "intents: {agree: bye, maybe: bye}",
			[]string{`mini.yaml:25: step "question": undefined intent "maybe"`}},
		{"several kinds", "    ask:\n", "    collect: {slot: pin, prompt: ask}\n    ask:\n",
			[]string{`mini.yaml:22: step "question" has several kinds (ask, collect)`}},
		{"undefined slot", "  - id: bye\n", "  - id: c\n    collect: {slot: pin, prompt: ask}\n    next: bye\n  - id: bye\n",
			[]string{`mini.yaml:27: step "c": undefined slot "pin"`, `step "c" is unreachable`}},
		{"bad duration", `language: en-US`, "language: en-US\nsettings: {no_input_timeout: soon}",
			[]string{`mini.yaml:4: bad duration "soon"`}},
		{"yaml syntax", "name: mini", "name: [mini",
			[]string{"mini.yaml:"}},
		{"bad expression", "  - id: bye\n", "  - id: b\n    branch: {cases: [{if: 'slots.x +', goto: bye}], else: bye}\n  - id: bye\n",
			[]string{`mini.yaml:27: step "b": case 1:`, `step "b" is unreachable`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("mini.yaml", mutate(t, tc.old, tc.new))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}

func TestLoadListsAllErrors(t *testing.T) {
	data := mutate(t, "intents: {agree: bye, refuse: bye}", "intents: {agree: nowhere, nope: bye}")
	_, err := Parse("mini.yaml", data)
	var list *Errors
	if !errors.As(err, &list) {
		t.Fatalf("error %v is not *Errors", err)
	}
	if len(list.List) < 2 {
		t.Fatalf("got %d errors, want the unknown step and the undefined intent: %v", len(list.List), err)
	}
}

func TestScheduleIsOpen(t *testing.T) {
	s, err := Parse("h.yaml", mutate(t, "steps:", `hours:
  shop:
    time_zone: Europe/London
    weekly: {mon-fri: "09:00-12:30, 13:30-17:00", sat: "10:00-14:00"}
    holidays: ["2026-12-25"]
steps:`))
	if err != nil {
		t.Fatal(err)
	}
	h := s.Hours["shop"]
	lon, _ := time.LoadLocation("Europe/London")
	tests := []struct {
		at            time.Time
		open, holiday bool
	}{
		{time.Date(2026, 11, 23, 9, 0, 0, 0, lon), true, false},
		{time.Date(2026, 11, 23, 12, 45, 0, 0, lon), false, false},
		{time.Date(2026, 11, 28, 13, 59, 0, 0, lon), true, false},
		{time.Date(2026, 11, 29, 11, 0, 0, 0, lon), false, false},
		{time.Date(2026, 12, 25, 10, 0, 0, 0, lon), false, true},
		{time.Date(2026, 7, 1, 8, 30, 0, 0, time.UTC), true, false}, // 09:30 BST
	}
	for _, tc := range tests {
		open, hol := h.IsOpen(tc.at)
		if open != tc.open || hol != tc.holiday {
			t.Errorf("IsOpen(%s) = %v, %v; want %v, %v", tc.at, open, hol, tc.open, tc.holiday)
		}
	}
}

func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/mini.yaml", "../../scripts/bank/bank.yaml", "../../scripts/isp/isp.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("steps: [{id: a, say: {prompt: x}, next: a}]"))
	f.Add([]byte("name: x\nhours: {h: {weekly: {sun-sat: '00:00-24:00'}}}"))
	f.Add([]byte("- a\n- b"))
	f.Add([]byte("a: &x [*x]"))
	f.Add([]byte("steps: &x [*x]"))
	f.Add([]byte("prompts: &p {a: *p}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var list *Errors
			if !errors.As(err, &list) || len(list.List) == 0 {
				t.Fatalf("error %v is not a non-empty *Errors", err)
			}
			return
		}
		if s.StartStep() == nil {
			t.Fatal("a valid script has no start step")
		}
	})
}
