package nlsml

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		in   *Result
		want string
	}{
		{"recognition", &Result{Grammar: "session:request1@form-level.store", Interpretations: []Interpretation{{
			Grammar: "session:request1@form-level.store", Confidence: 0.873,
			Instance: map[string]any{"Person": map[string]any{"Name": "Andre Roy"}, "n": 2, "ok": true},
			Input:    Input{Mode: "speech", Text: "may I speak to Andre Roy", Confidence: 0.9},
		}}}, `<?xml version="1.0"?>
<result xmlns="urn:ietf:params:xml:ns:mrcpv2" grammar="session:request1@form-level.store">
  <interpretation confidence="0.87">
    <instance><Person><Name>Andre Roy</Name></Person><n>2</n><ok>true</ok></instance>
    <input mode="speech" confidence="0.90">may I speak to Andre Roy</input>
  </interpretation>
</result>
`},
		{"n-best with own grammar, list and nil", &Result{Grammar: "g", Interpretations: []Interpretation{
			{Confidence: 1, Instance: "1 & 2 <3>", Input: Input{Mode: "dtmf", Text: "12", Confidence: 1}},
			{Grammar: `h"i`, Confidence: 0.005, Instance: map[string]any{"x": []any{"a", nil, 1.5}}, Input: Input{Text: "x"}},
		}}, `<?xml version="1.0"?>
<result xmlns="urn:ietf:params:xml:ns:mrcpv2" grammar="g">
  <interpretation confidence="1.00">
    <instance>1 &amp; 2 &lt;3&gt;</instance>
    <input mode="dtmf" confidence="1.00">12</input>
  </interpretation>
  <interpretation grammar="h&quot;i" confidence="0.01">
    <instance><x>a</x><x/><x>1.5</x></instance>
    <input confidence="0.00">x</input>
  </interpretation>
</result>
`},
		{"noinput", NoInput(), `<?xml version="1.0"?>
<result xmlns="urn:ietf:params:xml:ns:mrcpv2">
  <interpretation confidence="0.00">
    <input><noinput/></input>
  </interpretation>
</result>
`},
		{"nomatch", NoMatch("blah"), `<?xml version="1.0"?>
<result xmlns="urn:ietf:params:xml:ns:mrcpv2">
  <interpretation confidence="0.00">
    <input confidence="0.00"><nomatch/>blah</input>
  </interpretation>
</result>
`},
		{"no interpretations", &Result{}, "<?xml version=\"1.0\"?>\n<result xmlns=\"urn:ietf:params:xml:ns:mrcpv2\">\n</result>\n"},
		{"invalid characters replaced", &Result{Interpretations: []Interpretation{{Instance: "a\x00b\xffc", Input: Input{Text: "\r"}}}},
			"<?xml version=\"1.0\"?>\n<result xmlns=\"urn:ietf:params:xml:ns:mrcpv2\">\n  <interpretation confidence=\"0.00\">\n" +
				"    <instance>a\uFFFDb\uFFFDc</instance>\n    <input>&#xD;</input>\n  </interpretation>\n</result>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.in)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("Marshal =\n%s\nwant\n%s", got, tc.want)
			}
			if _, err := Parse(got); err != nil {
				t.Errorf("Parse(Marshal) = %v", err)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	tests := []struct {
		name string
		in   *Result
	}{
		{"nil", nil},
		{"confidence above 1", &Result{Interpretations: []Interpretation{{Confidence: 1.01}}}},
		{"negative confidence", &Result{Interpretations: []Interpretation{{Confidence: -0.5}}}},
		{"NaN confidence", &Result{Interpretations: []Interpretation{{Confidence: math.NaN()}}}},
		{"input confidence", &Result{Interpretations: []Interpretation{{Input: Input{Text: "a", Confidence: 2}}}}},
		{"bad key", &Result{Interpretations: []Interpretation{{Instance: map[string]any{"a b": "x"}}}}},
		{"colon key", &Result{Interpretations: []Interpretation{{Instance: map[string]any{"ex:a": "x"}}}}},
		{"empty key", &Result{Interpretations: []Interpretation{{Instance: map[string]string{"": "x"}}}}},
		{"digit first", &Result{Interpretations: []Interpretation{{Instance: map[string]any{"1a": "x"}}}}},
		{"unsupported type", &Result{Interpretations: []Interpretation{{Instance: struct{}{}}}}},
		{"top-level list", &Result{Interpretations: []Interpretation{{Instance: []any{"a"}}}}},
		{"list of lists", &Result{Interpretations: []Interpretation{{Instance: map[string]any{"a": []any{[]any{"b"}}}}}}},
		{"infinite number", &Result{Interpretations: []Interpretation{{Instance: math.Inf(1)}}}},
		{"cycle", &Result{Interpretations: []Interpretation{{Instance: cyclic}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte("keep")
			out, err := tc.in.AppendTo(prefix)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("AppendTo = %q, %v; want ErrInvalid", out, err)
			}
			if string(out) != "keep" {
				t.Errorf("AppendTo changed the buffer to %q", out)
			}
		})
	}
}

func TestMarshalNames(t *testing.T) {
	for _, k := range []string{"a", "_x", "a.b-c_1", "Zürich", "名前", "été"} {
		out, err := Marshal(&Result{Interpretations: []Interpretation{{Instance: map[string]any{k: "v"}}}})
		if err != nil {
			t.Errorf("key %q: %v", k, err)
			continue
		}
		r, err := Parse(out)
		if err != nil || !reflect.DeepEqual(r.Interpretations[0].Instance, map[string]any{k: "v"}) {
			t.Errorf("key %q: Parse = %v, %v", k, r, err)
		}
	}
}

// TestRoundTrip checks that results in the form Parse returns (strings
// trimmed, texts collapsed, confidences in hundredths, best first) come
// back from Marshal and Parse unchanged.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		r := randomResult(rng)
		out, err := Marshal(r)
		if err != nil {
			t.Fatalf("case %d: Marshal(%#v): %v", i, r, err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("case %d: Parse: %v\n%s", i, err, out)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("case %d: round trip\n got %#v\nwant %#v\n%s", i, back, r, out)
		}
	}
}

var words = []string{"yes", "no", "a & b", "<tag>", `"q"`, "Zürich", "日本", "x]]>y", "'", "1.5", "true", "tab\there"}

func randomText(rng *rand.Rand) string {
	n := rng.IntN(4)
	var w []string
	for range n {
		w = append(w, words[rng.IntN(len(words))])
	}
	return strings.Join(strings.Fields(strings.Join(w, " ")), " ")
}

func randomValue(rng *rand.Rand, depth int) any {
	switch k := rng.IntN(4); {
	case k == 0 || depth > 3:
		s := randomText(rng)
		if s == "" {
			s = "v"
		}
		return s
	default:
		m := map[string]any{}
		for j := range rng.IntN(4) + 1 {
			key := []string{"a", "b_1", "city", "été"}[j]
			if rng.IntN(4) == 0 {
				m[key] = []any{randomValue(rng, depth+1), randomValue(rng, depth+1), ""}
			} else {
				m[key] = randomValue(rng, depth+1)
			}
		}
		return m
	}
}

func randomResult(rng *rand.Rand) *Result {
	r := &Result{Grammar: []string{"", "session:g1", "builtin:dtmf/digits", "a&b"}[rng.IntN(4)]}
	for range rng.IntN(4) {
		in := Interpretation{Grammar: r.Grammar, Confidence: float64(rng.IntN(101)) / 100}
		if rng.IntN(3) == 0 {
			in.Grammar = "other:" + randomText(rng)
		}
		if rng.IntN(3) > 0 {
			in.Instance = randomValue(rng, 0)
		}
		in.Input = Input{Mode: []string{"", "speech", "dtmf"}[rng.IntN(3)], Text: randomText(rng)}
		in.Input.Confidence = in.Confidence
		if in.Input.Text != "" && rng.IntN(2) == 0 {
			in.Input.Confidence = float64(rng.IntN(101)) / 100
		}
		switch rng.IntN(6) {
		case 0:
			in.Input.NoInput = true
		case 1:
			in.Input.NoMatch = true
		}
		r.Interpretations = append(r.Interpretations, in)
	}
	slices.SortStableFunc(r.Interpretations, func(a, b Interpretation) int {
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	return r
}
