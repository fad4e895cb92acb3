package speechtest

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
)

// writeWAV writes pcm as a mono WAV file at rate Hz.
func writeWAV(path string, pcm []int16, rate int) error {
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: rate})
	if err != nil {
		return err
	}
	_, err = w.Write(pcm)
	return errors.Join(err, w.Close())
}

// Recognize runs PocketSphinx's generic US English model over 16 kHz pcm
// and returns the words it heard, lower case. It fails t if
// pocketsphinx_continuous is missing or fails.
func Recognize(t testing.TB, pcm []int16) []string {
	t.Helper()
	ps := mediatest.RequireTool(t, "pocketsphinx_continuous")
	path := filepath.Join(t.TempDir(), "x16k.wav")
	if err := writeWAV(path, pcm, 16000); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	out, err := exec.Command(ps, "-infile", path, "-logfn", "/dev/null").Output()
	if err != nil {
		t.Fatalf("pocketsphinx_continuous: %v", err)
	}
	return strings.Fields(strings.ToLower(string(out)))
}

// Recall returns how many of want's words occur in got.
func Recall(want string, got []string) int {
	n := 0
	for _, w := range strings.Fields(want) {
		if slices.Contains(got, w) {
			n++
		}
	}
	return n
}
