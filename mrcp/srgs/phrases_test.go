package srgs_test

import (
	"slices"
	"testing"

	"github.com/parley-cc/parley/mrcp/srgs"
)

func TestPhrases(t *testing.T) {
	g := mustABNF(t, "root $a;\npublic $a = [please] ($verb the $thing | /5/ quit);\n$verb = open | close;\n$thing = door | window<1-> | $VOID;")
	got := g.Phrases(100)
	for _, want := range []string{"quit", "open the door", "close the window", "please quit", "open the window window"} {
		if !slices.Contains(got, want) {
			t.Errorf("Phrases lacks %q: %q", want, got)
		}
	}
	if got[0] != "quit" {
		t.Errorf("first phrase %q, want the heaviest alternative, quit", got[0])
	}
	for _, p := range got {
		if _, ok := g.Match(p); !ok {
			t.Errorf("phrase %q does not match", p)
		}
	}
	if n := len(g.Phrases(3)); n != 3 {
		t.Errorf("Phrases(3) gave %d", n)
	}
	rec := mustABNF(t, "root $list;\npublic $list = apples [and $list];")
	if got := rec.Phrases(10); !slices.Equal(got, []string{"apples", "apples and apples"}) {
		t.Errorf("recursive Phrases = %q", got)
	}
	d, _ := srgs.Builtin("builtin:dtmf/digits?length=2")
	if got := d.Phrases(3); !slices.Equal(got, []string{"0 0", "0 1", "0 2"}) {
		t.Errorf("dtmf Phrases = %q", got)
	}
	tr, _ := srgs.Builtin("builtin:speech/transcribe")
	if tr.Phrases(10) != nil {
		t.Error("transcribe has phrases")
	}
	void := mustABNF(t, "public $a = x $VOID;")
	if got := void.Phrases(10); len(got) != 0 {
		t.Errorf("void Phrases = %q", got)
	}
}
