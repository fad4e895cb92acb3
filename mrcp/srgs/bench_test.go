package srgs_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

// namesXML is a directory grammar: "call <name> [please]" over n names,
// each with a tag, in the XML form.
func namesXML(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" xml:lang="en-US" root="call" tag-format="semantics/1.0">
<rule id="call" scope="public"><item repeat="0-1">call</item><ruleref uri="#name"/><item repeat="0-1">please</item><tag>out.id = rules.name;</tag></rule>
<rule id="name"><one-of>
`)
	for i := range n {
		s := strconv.Itoa(i)
		b.WriteString(`<item>person` + s + ` smith<tag>out = "` + s + `";</tag></item>` + "\n")
	}
	b.WriteString("</one-of></rule></grammar>\n")
	return []byte(b.String())
}

func readSpec(b *testing.B, name string) []byte {
	body, err := os.ReadFile("testdata/spec/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name, ct string
		body     []byte
	}{
		{"basiccmd-xml", srgs.ContentTypeXML, readSpec(b, "basiccmd.grxml")},
		{"basiccmd-abnf", srgs.ContentTypeABNF, readSpec(b, "basiccmd.abnf")},
		{"names1000-xml", srgs.ContentTypeXML, namesXML(1000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if _, err := srgs.Parse(bc.ct, bc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("builtin-dtmf-digits", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := srgs.Builtin("builtin:dtmf/digits?minlength=4;maxlength=8"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	basic, err := srgs.Parse(srgs.ContentTypeABNF, readSpec(b, "basiccmd.abnf"))
	if err != nil {
		b.Fatal(err)
	}
	names, err := srgs.Parse(srgs.ContentTypeXML, namesXML(1000))
	if err != nil {
		b.Fatal(err)
	}
	dtmf, _ := srgs.Builtin("builtin:dtmf/digits?minlength=4;maxlength=16")
	spoken, _ := srgs.Builtin("builtin:speech/digits")
	for _, bc := range []struct {
		name  string
		g     *srgs.Grammar
		input string
	}{
		{"basiccmd", basic, "could you please open the window thanks"},
		{"basiccmd-nomatch", basic, "could you please open the door thanks"},
		{"names1000", names, "call person999 smith please"},
		{"dtmf-digits-16", dtmf, "1234567890123456"},
		{"speech-digits-10", spoken, "one two three four five six seven eight nine zero"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.g.Match(bc.input)
			}
		})
	}
	// The most work Match does before it gives up: a hostile grammar
	// on the longest input.
	hostile, err := srgs.Parse(srgs.ContentTypeABNF, []byte("#ABNF 1.0;\npublic $s = ("+strings.Repeat("a | a a | ", 400)+"a)<1-> b;"))
	if err != nil {
		b.Fatal(err)
	}
	longest := strings.Repeat("a ", srgs.MaxInputWords-1) + "b"
	b.Run("hostile-gives-up", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			hostile.Match(longest)
		}
	})
	b.Run("dtmf-prefix-8", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dtmf.Prefix("12345678")
		}
	})
}

func BenchmarkJSGF(b *testing.B) {
	names, err := srgs.Parse(srgs.ContentTypeXML, namesXML(1000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := names.JSGF(); err != nil {
			b.Fatal(err)
		}
	}
}
