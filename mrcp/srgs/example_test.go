package srgs_test

import (
	"fmt"

	"github.com/parley-cc/parley/mrcp/srgs"
)

func ExampleParse() {
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0"
         xml:lang="en-US" root="drink" tag-format="semantics/1.0">
  <rule id="drink" scope="public">
    <item repeat="0-1"><ruleref uri="#size"/><tag>out.size = rules.size;</tag></item>
    <one-of>
      <item>coffee<tag>out.kind = "coffee";</tag></item>
      <item>iced tea<tag>out.kind = "tea";</tag></item>
    </one-of>
  </rule>
  <rule id="size"><one-of><item>small</item><item>large</item></one-of></rule>
</grammar>`)
	g, err := srgs.Parse("application/srgs+xml", body)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, ok := g.Match("Large iced tea.")
	fmt.Println(ok, m.Text, m.Instance)
	jsgf, _ := g.JSGF()
	fmt.Print(jsgf)
	// Output:
	// true large iced tea map[kind:tea size:large]
	// #JSGF V1.0;
	//
	// grammar parley;
	//
	// public <drink> = [ <size> ] ( coffee | iced tea );
	// <size> = ( small | large );
}

func ExampleParse_abnf() {
	body := []byte(`#ABNF 1.0 UTF-8;
language en-US;
root $yesno;
tag-format <semantics/1.0-literals>;
public $yesno = (yes | yeah) [please] {YES} | no [thanks] {NO};
`)
	g, err := srgs.Parse("application/srgs", body)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, said := range []string{"yeah please", "no", "maybe"} {
		m, ok := g.Match(said)
		if !ok {
			fmt.Printf("%q: no match\n", said)
			continue
		}
		fmt.Printf("%q: %v\n", said, m.Instance)
	}
	fmt.Println(g.Words())
	// Output:
	// "yeah please": YES
	// "no": NO
	// "maybe": no match
	// [no please thanks yeah yes]
}

// A DTMF collector asks Prefix after every key: it stops when the keys
// are a complete match that nothing can extend, and reports a no-match
// as soon as no continuation is possible.
func ExampleGrammar_Prefix() {
	g, err := srgs.Builtin("builtin:dtmf/digits?minlength=2;maxlength=4")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, keys := range []string{"1", "12", "1234", "12#"} {
		complete, viable := g.Prefix(keys)
		fmt.Println(keys, complete, viable)
	}
	m, _ := g.Match("1 2 3")
	fmt.Println(m.Instance)
	// Output:
	// 1 false true
	// 12 true true
	// 1234 true false
	// 12# false false
	// 123
}
