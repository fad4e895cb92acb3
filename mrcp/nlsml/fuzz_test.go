package nlsml

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, fails only with its
// sentinels, and that whatever it reads Marshal writes, and the written
// form is a fixed point: it parses to a result that marshals to the same
// octets.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<result><interpretation confidence="50"><instance><a>1</a><a>2</a></instance><input><input>x</input><noinput/></input></interpretation><nomatch/></result>`))
	f.Add([]byte(`<result><interpretation><input mode=" dtmf ">1<input confidence="0.2">2</input><nomatch>3</nomatch></input></interpretation></result>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			if r != nil {
				t.Fatalf("result and error: %v", err)
			}
			return
		}
		out, err := Marshal(r)
		if err != nil {
			t.Fatalf("Marshal of a parsed result: %v\n%#v", err, r)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse of marshalled result: %v\n%s", err, out)
		}
		again, err := Marshal(back)
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not a fixed point:\n%s\n%s", out, again)
		}
	})
}

// FuzzRoundTrip builds a result from the fuzzer's strings and checks that
// Parse returns it from Marshal's output, up to the white space and
// characters XML cannot carry, or that Marshal refuses it for a key that
// is not an XML name.
func FuzzRoundTrip(f *testing.F) {
	f.Add("session:g", "speech", "hello world", "city", "Paris", uint8(87), uint8(80), uint8(0))
	f.Add("", "dtmf", "1 2 3", "a", "b", uint8(100), uint8(100), uint8(1))
	f.Add("g&<>\"'", "", " x\ty\n ", "é", " v ", uint8(0), uint8(5), uint8(2))
	f.Fuzz(func(t *testing.T, grammar, mode, text, key, val string, conf, inConf, flags uint8) {
		c := float64(conf%101) / 100
		ic := float64(inConf%101) / 100
		r := &Result{Grammar: grammar, Interpretations: []Interpretation{{
			Grammar:    grammar,
			Confidence: c,
			Instance:   map[string]any{key: val, "list": []any{val, "x"}},
			Input:      Input{Mode: mode, Text: text, Confidence: ic, NoInput: flags&1 != 0, NoMatch: flags&2 != 0},
		}}}
		out, err := Marshal(r)
		if !isName(key) || key == "list" {
			if key != "list" && !errors.Is(err, ErrInvalid) {
				t.Fatalf("key %q: Marshal = %v, want ErrInvalid", key, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse: %v\n%s", err, out)
		}
		g := xmlClean(grammar)
		want := &Result{Grammar: g, Interpretations: []Interpretation{{
			Grammar:    g,
			Confidence: c,
			Instance:   map[string]any{key: strings.TrimSpace(xmlClean(val)), "list": []any{strings.TrimSpace(xmlClean(val)), "x"}},
			Input: Input{
				Mode:    strings.TrimSpace(xmlClean(mode)),
				Text:    strings.Join(strings.Fields(xmlClean(text)), " "),
				NoInput: flags&1 != 0, NoMatch: flags&2 != 0,
			},
		}}}
		want.Interpretations[0].Input.Confidence = c
		if want.Interpretations[0].Input.Text != "" {
			want.Interpretations[0].Input.Confidence = ic
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip\n got %#v\nwant %#v\n%s", back, want, out)
		}
	})
}

// xmlClean is s as XML carries it: invalid UTF-8 and characters outside
// XML's Char production replaced by U+FFFD, byte by byte.
func xmlClean(s string) string {
	var sb strings.Builder
	for _, r := range s { // each invalid byte decodes as U+FFFD
		if !isXMLChar(r) {
			r = utf8.RuneError
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
