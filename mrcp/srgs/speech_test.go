package srgs_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/srgs"
)

// A *Grammar is what the speech engines take as a grammar.
var _ speech.Grammar = (*srgs.Grammar)(nil)

func TestSpeechGrammar(t *testing.T) {
	g, err := srgs.Builtin("builtin:speech/boolean")
	if err != nil {
		t.Fatal(err)
	}
	req := speech.RecogRequest{Grammars: []speech.Grammar{g}}
	jsgf, err := req.Grammars[0].JSGF()
	if err != nil || !strings.HasPrefix(jsgf, "#JSGF V1.0;") {
		t.Fatalf("JSGF() = %q, %v", jsgf, err)
	}
	if w := req.Grammars[0].Words(); !slices.Contains(w, "yes") || !slices.Contains(w, "nope") {
		t.Errorf("Words() = %v", w)
	}
}
