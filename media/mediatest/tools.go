package mediatest

import (
	"os/exec"
	"testing"
)

// RequireTool returns the path of a Debian tool a test runs for real (sox,
// ffmpeg, opusdec, espeak-ng, ...), failing the test when it is missing:
// these tests never skip, `make deps` installs the tools.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not in PATH: run make deps", name)
	}
	return path
}

// RequireTools is RequireTool for several tools.
func RequireTools(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		RequireTool(t, name)
	}
}

// Run runs a required tool with args and fails the test, showing its
// output, when it fails.
func Run(t testing.TB, name string, args ...string) {
	t.Helper()
	RequireTool(t, name)
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
