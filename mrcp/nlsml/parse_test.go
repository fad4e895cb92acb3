package nlsml

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseFiles(t *testing.T) {
	tests := []struct {
		file string
		want *Result
	}{
		{"rfc6787-yes-no.xml", &Result{Grammar: "http://theYesNoGrammar", Interpretations: []Interpretation{{
			Grammar: "http://theYesNoGrammar", Confidence: 1,
			Instance: map[string]any{"response": "yes"},
			Input:    Input{Text: "OK", Confidence: 1},
		}}}},
		{"rfc6787-andre-roy.xml", &Result{Grammar: "session:request1@form-level.store", Interpretations: []Interpretation{{
			Grammar: "session:request1@form-level.store", Confidence: 1,
			Instance: map[string]any{"Person": map[string]any{"Name": "Andre Roy"}},
			Input:    Input{Text: "may I speak to Andre Roy", Confidence: 1},
		}}}},
		{"rfc6787-enrollment.xml", &Result{Grammar: "Personal-Grammar-URI"}},
		{"unimrcp-digits.xml", &Result{Interpretations: []Interpretation{{
			Grammar: "session:request1@form-level.store", Confidence: 0.97, Instance: "1 2 3 4",
			Input: Input{Mode: "speech", Text: "one two three four", Confidence: 0.97},
		}}}},
		{"unimrcp-dtmf.xml", &Result{Grammar: "builtin:dtmf/digits", Interpretations: []Interpretation{{
			Grammar: "builtin:dtmf/digits", Confidence: 1, Instance: "1234#",
			Input: Input{Mode: "dtmf", Text: "1 2 3 4 #", Confidence: 1},
		}}}},
		{"unimrcp-nbest.xml", &Result{Grammar: "session:menu", Interpretations: []Interpretation{{
			Grammar: "session:yesno", Confidence: 0.87,
			Instance: map[string]any{"intent": "sales", "product": []any{"fibre", "mobile"}},
			Input:    Input{Mode: "speech", Text: "sales for fibre and mobile", Confidence: 0.85},
		}, {
			Grammar: "session:menu", Confidence: 0.42,
			Instance: map[string]any{"intent": "billing"},
			Input:    Input{Mode: "speech", Text: "build", Confidence: 0.42},
		}}}},
		{"legacy-w3c-draft.xml", &Result{Grammar: "http://example.com/flight.grxml", Interpretations: []Interpretation{{
			Grammar: "http://example.com/flight.grxml", Confidence: 0.75,
			Instance: map[string]any{"airline": map[string]any{"to_city": "Montréal", "from_city": "Zürich"}},
			Input:    Input{Mode: "speech", Text: "from zurich to montreal", Confidence: 0.6},
		}, {
			Grammar: "http://example.com/flight.grxml", Confidence: 0.2,
			Instance: map[string]any{"airline": map[string]any{"to_city": "Montreal", "from_city": "Munich"}},
			Input:    Input{Mode: "speech", Text: "from munich to montreal", Confidence: 0.2},
		}}}},
		{"legacy-nuance.xml", &Result{Interpretations: []Interpretation{{
			Grammar: "session:main", Confidence: 0.92,
			Instance: map[string]any{"SWI_literal": "yes please", "SWI_grammarName": "session:main", "SWI_meaning": "{yes}", "answer": "yes"},
			Input:    Input{Mode: "speech", Text: "yes please", Confidence: 0.92},
		}}}},
		{"legacy-noinput.xml", &Result{Interpretations: []Interpretation{{Input: Input{NoInput: true}}}}},
		{"legacy-nomatch.xml", &Result{Interpretations: []Interpretation{{
			Input: Input{Mode: "speech", Text: "banana bread", NoMatch: true},
		}}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse =\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

func TestParseVariants(t *testing.T) {
	tests := []struct {
		name, in string
		want     *Result
	}{
		{"prefixed elements", `<m:result xmlns:m="urn:ietf:params:xml:ns:mrcpv2"><m:interpretation confidence="0.5"><m:instance>x</m:instance><m:input>y</m:input></m:interpretation></m:result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 0.5, Instance: "x", Input: Input{Text: "y", Confidence: 0.5}}}}},
		{"confidence 1 is certain, not one percent", `<result><interpretation confidence="1"><input>a</input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Input: Input{Text: "a", Confidence: 1}}}}},
		{"legacy 100", `<result><interpretation confidence="100"><input confidence="55">a</input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Input: Input{Text: "a", Confidence: 0.55}}}}},
		{"confidence with spaces", `<result><interpretation confidence=" 0.25 "><input>a</input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 0.25, Input: Input{Text: "a", Confidence: 0.25}}}}},
		{"noinput at result level", `<result><noinput/></result>`,
			&Result{Interpretations: []Interpretation{{Input: Input{NoInput: true}}}}},
		{"nomatch at result level applies to all", `<result grammar="g"><interpretation><input>x</input></interpretation><nomatch/></result>`,
			&Result{Grammar: "g", Interpretations: []Interpretation{{Grammar: "g", Confidence: 1, Input: Input{Text: "x", Confidence: 1, NoMatch: true}}}}},
		{"noinput in nested input", `<result><interpretation><input><input><noinput/></input></input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Input: Input{NoInput: true}}}}},
		{"nomatch inside input with text", `<result><interpretation confidence="0.1"><input mode="speech" confidence="0.3"><nomatch/>mumble</input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 0.1, Input: Input{Mode: "speech", Text: "mumble", Confidence: 0.3, NoMatch: true}}}}},
		{"nested input mode from inner", `<result><interpretation><input><input mode="dtmf">1</input><input mode="dtmf">2</input></input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Input: Input{Mode: "dtmf", Text: "1 2", Confidence: 1}}}}},
		{"empty instance is nil", `<result><interpretation><instance>  </instance><input>a</input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Input: Input{Text: "a", Confidence: 1}}}}},
		{"empty nested element is empty string", `<result><interpretation><instance><a/><b></b></instance></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Instance: map[string]any{"a": "", "b": ""}, Input: Input{Confidence: 1}}}}},
		{"repeated elements three times", `<result><interpretation><instance><n>1</n><n><x>2</x></n><n>3</n></instance></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Instance: map[string]any{"n": []any{"1", map[string]any{"x": "2"}, "3"}}, Input: Input{Confidence: 1}}}}},
		{"text beside elements dropped", `<result><interpretation><instance>junk<a>1</a>more</instance></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Instance: map[string]any{"a": "1"}, Input: Input{Confidence: 1}}}}},
		{"escaped text", `<result><interpretation><instance>a &amp; b &lt;c&gt;</instance><input>R&amp;D</input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Instance: "a & b <c>", Input: Input{Text: "R&D", Confidence: 1}}}}},
		{"CDATA", `<result><interpretation><instance><![CDATA[<x>]]></instance></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Instance: "<x>", Input: Input{Confidence: 1}}}}},
		{"equal confidences keep order", `<result><interpretation confidence="0.5"><input>a</input></interpretation><interpretation confidence="0.5"><input>b</input></interpretation><interpretation confidence="0.9"><input>c</input></interpretation></result>`,
			&Result{Interpretations: []Interpretation{
				{Confidence: 0.9, Input: Input{Text: "c", Confidence: 0.9}},
				{Confidence: 0.5, Input: Input{Text: "a", Confidence: 0.5}},
				{Confidence: 0.5, Input: Input{Text: "b", Confidence: 0.5}},
			}}},
		{"unknown elements ignored", `<result><foo/><interpretation><x-model/><input>a</input><bar>b</bar></interpretation></result>`,
			&Result{Interpretations: []Interpretation{{Confidence: 1, Input: Input{Text: "a", Confidence: 1}}}}},
		{"latin-1 bytes", "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><result><interpretation><input>caf\xe9</input></interpretation></result>",
			&Result{Interpretations: []Interpretation{{Confidence: 1, Input: Input{Text: "café", Confidence: 1}}}}},
		{"doctype without entities ignored", `<!DOCTYPE result SYSTEM "nlsml.dtd"><result/>`, &Result{}},
		{"empty result", `<result/>`, &Result{}},
		{"byte order mark and leading white space", "\xEF\xBB\xBF\r\n <?xml version=\"1.0\"?><result/>", &Result{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse =\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep := "<result>" + strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth) + "</result>"
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrSyntax},
		{"not xml", "hello", ErrSyntax},
		{"wrong root", `<speak/>`, ErrSyntax},
		{"unclosed", `<result><interpretation>`, ErrSyntax},
		{"mismatched", `<result></interpretation>`, ErrSyntax},
		{"bad confidence", `<result><interpretation confidence="high"/></result>`, ErrSyntax},
		{"negative confidence", `<result><interpretation confidence="-0.1"/></result>`, ErrSyntax},
		{"confidence over 100", `<result><interpretation confidence="101"/></result>`, ErrSyntax},
		{"NaN confidence", `<result><interpretation confidence="NaN"/></result>`, ErrSyntax},
		{"bad input confidence", `<result><interpretation><input confidence="x">a</input></interpretation></result>`, ErrSyntax},
		{"bad nested input confidence", `<result><interpretation><input><input confidence="x">a</input></input></interpretation></result>`, ErrSyntax},
		{"undeclared entity", `<result><interpretation><input>&nbsp;</input></interpretation></result>`, ErrSyntax},
		{"internal entity not expanded", `<!DOCTYPE result [<!ENTITY a "aaaa">]><result><interpretation><input>&a;</input></interpretation></result>`, ErrSyntax},
		{"external entity not fetched", `<!DOCTYPE result [<!ENTITY x SYSTEM "file:///etc/passwd">]><result><interpretation><instance>&x;</instance></interpretation></result>`, ErrSyntax},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC"?><result/>`, ErrSyntax},
		{"too deep", deep, ErrTooLarge},
		{"too large", "<result>" + strings.Repeat(" ", MaxSize) + "</result>", ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.in))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse = %v, %v; want %v", r, err, tc.want)
			}
			if r != nil {
				t.Errorf("result %v with error", r)
			}
		})
	}
	// Just within the depth limit parses.
	ok := "<result>" + strings.Repeat("<a>", MaxDepth-1) + strings.Repeat("</a>", MaxDepth-1) + "</result>"
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
}

func TestHelpers(t *testing.T) {
	if r := NoInput(); !r.NoInput() || r.NoMatch() {
		t.Errorf("NoInput() = %+v", r)
	}
	if r := NoMatch("mumble"); r.NoInput() || !r.NoMatch() || r.Interpretations[0].Input.Text != "mumble" {
		t.Errorf("NoMatch() = %+v", r)
	}
	var nilResult *Result
	if _, ok := nilResult.Best(); ok || nilResult.NoInput() || nilResult.NoMatch() {
		t.Error("nil result has a best interpretation")
	}
	if _, ok := (&Result{}).Best(); ok {
		t.Error("empty result has a best interpretation")
	}
}
