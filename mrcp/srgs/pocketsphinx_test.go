package srgs_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/srgs"
)

const (
	psModel = "/usr/share/pocketsphinx/model/en-us/en-us"
	psDict  = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
)

// TestPocketSphinx renders grammars as JSGF, has the real PocketSphinx
// (5prealpha, as Debian ships it) load them and recognize a phrase that
// espeak-ng speaks, then matches its hypothesis against the grammar: the
// JSGF must be accepted, constrain recognition to the grammar, and
// round-trip into the expected semantic instance.
func TestPocketSphinx(t *testing.T) {
	mediatest.RequireTools(t, "espeak-ng", "sox", "pocketsphinx_continuous")
	for _, f := range []string{psModel, psDict} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("PocketSphinx model: %v: run make deps", err)
		}
	}
	yesNo := `<?xml version="1.0" encoding="UTF-8"?>
<grammar xmlns="http://www.w3.org/2001/06/grammar" version="1.0" xml:lang="en-US"
         root="answer" tag-format="semantics/1.0">
  <rule id="answer" scope="public">
    <one-of>
      <item weight="2">Yes <item repeat="0-1">please</item> <tag>out = "yes";</tag></item>
      <item>No <item repeat="0-1">thanks</item> <tag>out = "no";</tag></item>
    </one-of>
  </rule>
</grammar>`
	basicCmd, err := os.ReadFile("testdata/spec/basiccmd.abnf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		grammar func() (*srgs.Grammar, error)
		say     string
		want    string // JSON of the instance
	}{
		{"yes no", func() (*srgs.Grammar, error) { return srgs.Parse(srgs.ContentTypeXML, []byte(yesNo)) }, "yes please", `"yes"`},
		{"basic command", func() (*srgs.Grammar, error) { return srgs.Parse(srgs.ContentTypeABNF, basicCmd) },
			"please open the window", `{"action":"open","object":"the window"}`},
		{"spoken digits", func() (*srgs.Grammar, error) { return srgs.Builtin("builtin:speech/digits?length=3") },
			"nine five one", `"951"`},
	}
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := tc.grammar()
			if err != nil {
				t.Fatal(err)
			}
			jsgf, err := g.JSGF()
			if err != nil {
				t.Fatal(err)
			}
			base := filepath.Join(dir, string(rune('a'+i)))
			if err := os.WriteFile(base+".jsgf", []byte(jsgf), 0o644); err != nil {
				t.Fatal(err)
			}
			mediatest.Run(t, "espeak-ng", "-v", "en-us", "-w", base+".wav", tc.say)
			mediatest.Run(t, "sox", base+".wav", "-r", "16000", "-c", "1", "-b", "16", base+"16.wav")
			hyp := recognize(t, base+"16.wav", base+".jsgf")
			if hyp != tc.say {
				t.Fatalf("PocketSphinx heard %q, want %q; grammar:\n%s", hyp, tc.say, jsgf)
			}
			m, ok := g.Match(hyp)
			if !ok {
				t.Fatalf("hypothesis %q does not match the grammar", hyp)
			}
			if got, _ := json.Marshal(m.Instance); string(got) != tc.want {
				t.Errorf("instance = %s, want %s", got, tc.want)
			}
		})
	}
}

// recognize runs pocketsphinx_continuous on a 16 kHz WAV file with a
// JSGF grammar and returns its hypothesis.
func recognize(t *testing.T, wav, jsgf string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	log := filepath.Join(filepath.Dir(wav), "ps.log")
	cmd := exec.CommandContext(ctx, "pocketsphinx_continuous",
		"-infile", wav, "-jsgf", jsgf, "-hmm", psModel, "-dict", psDict, "-logfn", log)
	out, err := cmd.Output()
	if err != nil {
		logText, _ := os.ReadFile(log)
		t.Fatalf("pocketsphinx_continuous: %v\n%s", err, tail(string(logText), 2000))
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
