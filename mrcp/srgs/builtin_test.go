package srgs_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

func TestBuiltin(t *testing.T) {
	type io struct {
		input string
		want  string // instance; "" = no match
	}
	tests := []struct {
		uri   string
		mode  srgs.Mode
		cases []io
	}{
		{"builtin:dtmf/digits", srgs.DTMF, []io{{"123", "123"}, {"0 9 8", "098"}, {"5", "5"}, {"", ""}, {"12#", ""}, {"1*", ""}}},
		{"builtin:dtmf/digits?length=4", srgs.DTMF, []io{{"1234", "1234"}, {"123", ""}, {"12345", ""}}},
		{"builtin:dtmf/digits?minlength=2;maxlength=3", srgs.DTMF, []io{{"1", ""}, {"12", "12"}, {"123", "123"}, {"1234", ""}}},
		{"builtin:dtmf/digits;minlength=2&maxlength=3", srgs.DTMF, []io{{"1", ""}, {"12", "12"}, {"1234", ""}}},
		{"BUILTIN:DTMF/Digits?maxlength=2", srgs.DTMF, []io{{"1", "1"}, {"12", "12"}, {"123", ""}}},
		{"builtin:dtmf/boolean", srgs.DTMF, []io{{"1", "true"}, {"2", "false"}, {"3", ""}, {"12", ""}}},
		{"builtin:speech/boolean", srgs.Voice, []io{{"yes", "true"}, {"Yeah.", "true"}, {"no thanks", "false"}, {"nope", "false"}, {"maybe", ""}, {"yes no", ""}}},
		{"builtin:speech/digits", srgs.Voice, []io{{"one two three", "123"}, {"Oh, nine, zero.", "090"}, {"seven", "7"}, {"one hundred", ""}}},
		{"builtin:speech/digits?length=3", srgs.Voice, []io{{"one two three", "123"}, {"one two", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.uri, func(t *testing.T) {
			g, err := srgs.Builtin(tc.uri)
			if err != nil {
				t.Fatal(err)
			}
			if g.Mode() != tc.mode || g.Transcribe() {
				t.Errorf("Mode() = %v, Transcribe() = %v", g.Mode(), g.Transcribe())
			}
			for _, c := range tc.cases {
				m, ok := g.Match(c.input)
				switch {
				case c.want == "" && ok:
					t.Errorf("Match(%q) = %#v, want no match", c.input, m.Instance)
				case c.want != "" && !ok:
					t.Errorf("Match(%q): no match, want %q", c.input, c.want)
				case ok && m.Instance != c.want:
					t.Errorf("Match(%q) = %#v, want %q", c.input, m.Instance, c.want)
				}
			}
		})
	}
}

// TestBuiltinDigitsPrefix is how a DTMF collector decides to stop: with
// length=4, after four keys the input is complete and nothing can follow.
func TestBuiltinDigitsPrefix(t *testing.T) {
	g, err := srgs.Builtin("builtin:dtmf/digits?length=4")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		input            string
		complete, viable bool
	}{
		{"", false, true},
		{"1", false, true},
		{"123", false, true},
		{"1234", true, false},
		{"12345", false, false},
		{"12#", false, false},
	} {
		if c, v := g.Prefix(tc.input); c != tc.complete || v != tc.viable {
			t.Errorf("Prefix(%q) = %v,%v, want %v,%v", tc.input, c, v, tc.complete, tc.viable)
		}
	}
	g, _ = srgs.Builtin("builtin:dtmf/digits?minlength=2")
	if c, v := g.Prefix("12"); !c || !v {
		t.Errorf("minlength=2: Prefix(12) = %v,%v, want true,true", c, v)
	}
}

func TestBuiltinTranscribe(t *testing.T) {
	g, err := srgs.Builtin("builtin:speech/transcribe")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Transcribe() || g.Root() != "" || len(g.Words()) != 0 || g.Mode() != srgs.Voice {
		t.Errorf("Transcribe() = %v, Root() = %q, Words() = %v", g.Transcribe(), g.Root(), g.Words())
	}
	if _, err := g.JSGF(); !errors.Is(err, srgs.ErrUnsupported) {
		t.Errorf("JSGF() error = %v, want ErrUnsupported", err)
	}
	m, ok := g.Match("Book me a table, for two!")
	if !ok || m.Instance != "book me a table for two" || m.Text != "book me a table for two" {
		t.Errorf("Match = %+v, %v", m, ok)
	}
	if _, ok := g.Match(" "); ok {
		t.Error("Match of nothing succeeded")
	}
	if c, v := g.Prefix("hello"); !c || !v {
		t.Errorf("Prefix = %v,%v, want true,true", c, v)
	}
}

func TestBuiltinWords(t *testing.T) {
	g, err := srgs.Builtin("builtin:speech/digits")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"eight", "five", "four", "nine", "oh", "one", "seven", "six", "three", "two", "zero"}
	if got := g.Words(); !slices.Equal(got, want) {
		t.Errorf("Words() = %v, want %v", got, want)
	}
	g, _ = srgs.Builtin("builtin:dtmf/digits")
	if got := g.Words(); !slices.Equal(got, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
		t.Errorf("dtmf Words() = %v", got)
	}
}

func TestBuiltinErrors(t *testing.T) {
	for _, tc := range []struct {
		uri  string
		want error
	}{
		{"builtin:dtmf/letters", srgs.ErrUnsupported},
		{"builtin:speech/date", srgs.ErrUnsupported},
		{"http://example.com/g.grxml", srgs.ErrUnsupported},
		{"builtin:dtmf/digits?length=x", srgs.ErrSyntax},
		{"builtin:dtmf/digits?length=-1", srgs.ErrSyntax},
		{"builtin:dtmf/digits?length=0", srgs.ErrSyntax},
		{"builtin:dtmf/digits?minlength=4;maxlength=2", srgs.ErrSyntax},
		{"builtin:dtmf/digits?length=3;minlength=2", srgs.ErrSyntax},
		{"builtin:dtmf/digits?length=5000", srgs.ErrTooComplex},
		{"builtin:dtmf/digits?colour=blue", srgs.ErrUnsupported},
		{"builtin:speech/boolean?y=1", srgs.ErrUnsupported},
		{"builtin:speech/transcribe?lang=en", srgs.ErrUnsupported},
	} {
		if g, err := srgs.Builtin(tc.uri); !errors.Is(err, tc.want) {
			t.Errorf("Builtin(%q) = %v, %v; want error wrapping %v", tc.uri, g, err, tc.want)
		}
	}
}
