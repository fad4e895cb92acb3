package scripttest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

// TestShippedScripts runs every conversation test next to the shipped
// scripts (scripts/*/*.test.yaml), so `make test` runs them.
func TestShippedScripts(t *testing.T) {
	files, err := filepath.Glob("../../scripts/*/*.test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d script test files under scripts/, want the bank and isp tests", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			rep, err := Run(context.Background(), f, Options{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			rep.Write(&buf, false)
			t.Log("\n" + buf.String())
			if !rep.Passed() {
				t.Fatal("conversation tests failed")
			}
			if len(rep.Results) < 8 {
				t.Errorf("%d conversations; the sample scripts need meaningful coverage", len(rep.Results))
			}
		})
	}
}
