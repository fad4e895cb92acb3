package srgs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

const jsgfHead = "#JSGF V1.0;\n\ngrammar parley;\n\n"

func TestJSGF(t *testing.T) {
	tests := []struct {
		name, abnf, want string
	}{
		{"words lower case", `public $a = Hello "New York" World;`,
			"public <a> = hello new york world;\n"},
		{"alternatives and weights", `public $a = /10/ open | /2.5/ close | /0/ never;`,
			"public <a> = ( /10/ open | /2.5/ close );\n"},
		{"unit weights are dropped", `public $a = /1/ open | /1/ close;`,
			"public <a> = ( open | close );\n"},
		{"repeats", `public $a = a<0-1> b<0-> c<1-> d<3-> e<2-4> f<0> g<2>;`,
			"public <a> = [ a ] b* c+ d d d+ e e [ e [ e ] ] g g;\n"},
		{"repeat of groups", `public $a = (x y)<1-> (p | q)<0-2> ([r])<2>;`,
			"public <a> = ( x y )+ [ ( p | q ) [ ( p | q ) ] ] [ r ] [ r ];\n"},
		{"optional alternative", `public $a = yes | $NULL | no {out = 1;};`,
			"public <a> = [ yes | no ];\n"},
		{"garbage and tags are dropped", `public $a = $GARBAGE {x} yes $GARBAGE;`,
			"public <a> = yes;\n"},
		{"void alternatives are dropped", `public $a = yes | no $VOID | $v;` + "\n$v = maybe $VOID;",
			"public <a> = yes;\n"},
		{"rules in use only, names sanitized", "root $main;\npublic $main = $café $cafè;\n$café = x;\n$cafè = y;\n$unused = z;\n$eps = $NULL;",
			"public <main> = <caf_> <caf__2>;\n<caf_> = x;\n<caf__2> = y;\n"},
		{"empty rules vanish", "root $main;\npublic $main = $eps go $eps;\n$eps = $NULL {tag};",
			"public <main> = go;\n"},
		{"right recursion", "root $list;\npublic $list = item [and $list];",
			"public <list> = item [ and <list> ];\n"},
		{"names like special rules", "root $NULLx;\npublic $NULLx = $VOIDy;\n$VOIDy = z;",
			"public <NULLx> = <VOIDy>;\n<VOIDy> = z;\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := srgs.Parse(srgs.ContentTypeABNF, []byte("#ABNF 1.0 UTF-8;\n"+tc.abnf))
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.JSGF()
			if err != nil {
				t.Fatal(err)
			}
			if got != jsgfHead+tc.want {
				t.Errorf("JSGF() =\n%s\nwant\n%s", got, jsgfHead+tc.want)
			}
		})
	}
}

func TestJSGFErrors(t *testing.T) {
	for _, tc := range []struct {
		name, abnf string
		want       error
	}{
		{"void root", "public $a = yes $VOID;", srgs.ErrEmpty},
		{"void through a rule", "public $a = $b | $c;\n$b = x $VOID;\n$c = $VOID;", srgs.ErrEmpty},
		{"only silence", "public $a = $NULL | $GARBAGE;", srgs.ErrUnsupported},
		{"dtmf", "mode dtmf;\npublic $a = 1 2 3;", srgs.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := srgs.Parse(srgs.ContentTypeABNF, []byte("#ABNF 1.0;\n"+tc.abnf))
			if err != nil {
				t.Fatal(err)
			}
			if s, err := g.JSGF(); !errors.Is(err, tc.want) {
				t.Errorf("JSGF() = %q, %v; want error wrapping %v", s, err, tc.want)
			}
		})
	}
}

func TestJSGFTooLarge(t *testing.T) {
	long := strings.Repeat("w", 100000)
	g, err := srgs.Parse(srgs.ContentTypeABNF, []byte("#ABNF 1.0;\npublic $a = "+long+"<0-1000>;"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.JSGF(); !errors.Is(err, srgs.ErrTooComplex) {
		t.Errorf("JSGF() error = %v, want ErrTooComplex", err)
	}
}
