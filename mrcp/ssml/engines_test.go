package ssml

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

// TestEnginesSpellLetters runs the spelled-out text through the real
// engines' text front ends: both espeak-ng and flite must read each letter
// by its name. A bare "A" followed by a letter is the article to espeak-ng
// ("a#"); that is why spell writes "A.".
func TestEnginesSpellLetters(t *testing.T) {
	text := normalize("en-US", SayAs{InterpretAs: "characters"}, "abc")
	if text != "A. B C" {
		t.Fatalf("spelled %q", text)
	}
	espeak := mediatest.RequireTool(t, "espeak-ng")
	out, err := exec.Command(espeak, "-q", "-x", "-v", "en-us", text).CombinedOutput()
	if err != nil {
		t.Fatalf("espeak-ng: %v\n%s", err, out)
	}
	if ph := string(out); !strings.Contains(ph, "'eI") || strings.Contains(ph, "a#") {
		t.Errorf("espeak-ng reads %q as %q, want the letter name 'eI", text, ph)
	}
	bare, err := exec.Command(espeak, "-q", "-x", "-v", "en-us", "A B C").CombinedOutput()
	if err != nil {
		t.Fatalf("espeak-ng: %v\n%s", err, bare)
	}
	if !strings.Contains(string(bare), "a#") {
		t.Logf("espeak-ng now reads a bare A as a letter (%q); spell could write plain A", bare)
	}

	flite := mediatest.RequireTool(t, "flite")
	cmd := exec.Command(flite, "-ps", "-o", "/dev/null")
	cmd.Stdin = strings.NewReader(text + " " + normalize("en-US", SayAs{InterpretAs: "time"}, "3:45pm"))
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("flite: %v\n%s", err, out)
	}
	if ph := strings.Join(strings.Fields(string(out)), " "); !strings.Contains(ph, "ey") || !strings.Contains(ph, "b iy s iy") || !strings.Contains(ph, "p iy eh m") {
		t.Errorf("flite reads %q as %q, want ey, b iy s iy and p iy eh m", text, ph)
	}
}
