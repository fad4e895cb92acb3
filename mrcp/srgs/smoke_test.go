package srgs_test

import (
	"testing"

	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/srgs"
)

var _ speech.Grammar = (*srgs.Grammar)(nil)

func TestSmoke(t *testing.T) {
	xml := `<?xml version="1.0"?>
<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" xml:lang="en-US" root="yn" tag-format="semantics/1.0">
  <rule id="yn" scope="public">
    <one-of>
      <item>yes <item repeat="0-1">please</item><tag>out = "yes";</tag></item>
      <item>no<tag>out = "no";</tag></item>
    </one-of>
  </rule>
</grammar>`
	g, err := srgs.Parse("application/srgs+xml; charset=utf-8", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := g.Match("Yes, please!")
	if !ok || m.Instance != "yes" {
		t.Fatalf("match = %+v %v", m, ok)
	}
	c, v := g.Prefix("yes")
	if !c || !v {
		t.Fatalf("prefix yes = %v %v", c, v)
	}
	js, err := g.JSGF()
	t.Log(js, err, g.Words(), g.Lang())
	abnf := "#ABNF 1.0 UTF-8;\nroot $yn;\ntag-format <semantics/1.0>;\npublic $yn = yes [please] {out=\"yes\";} | no {out=\"no\";};\n"
	g2, err := srgs.Parse("application/srgs", []byte(abnf))
	if err != nil {
		t.Fatal(err)
	}
	m, ok = g2.Match("yes please")
	if !ok || m.Instance != "yes" {
		t.Fatalf("match = %+v %v", m, ok)
	}
	d, err := srgs.Builtin("builtin:dtmf/digits?minlength=2;maxlength=4")
	if err != nil {
		t.Fatal(err)
	}
	m, ok = d.Match("1 2 3")
	t.Logf("%+v %v", m, ok)
	c, v = d.Prefix("1234")
	t.Log(c, v)
	s, _ := srgs.Builtin("builtin:speech/digits")
	m, ok = s.Match("one two oh")
	t.Logf("%+v %v", m, ok)
}
