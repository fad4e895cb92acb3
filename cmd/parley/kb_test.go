package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runKB(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"kb"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func TestKBCommands(t *testing.T) {
	data := t.TempDir()
	dd := "--data-dir=" + data
	out, errs, code := runKB(t, "import", dd, filepath.Join("..", "..", "scripts", "bank", "kb"))
	if code != 0 || !strings.Contains(out, "published: 12 files, 12 added") || !strings.Contains(errs, "parsed 12/12") {
		t.Fatalf("import: code %d\nstdout %s\nstderr %s", code, out, errs)
	}
	out, _, code = runKB(t, "import", dd, filepath.Join("..", "..", "scripts", "bank", "kb"))
	if code != 0 || !strings.Contains(out, "12 unchanged") {
		t.Fatalf("re-import: code %d %s", code, out)
	}
	out, _, code = runKB(t, "search", dd, "I", "lost", "my", "debit", "card")
	if code != 0 || !strings.Contains(out, "answer (confidence") || !strings.Contains(out, "source: lost-stolen-card.md") {
		t.Fatalf("search: code %d\n%s", code, out)
	}
	out, _, code = runKB(t, "search", dd, "what's the weather tomorrow")
	if code != 0 || !strings.Contains(out, "no confident answer") {
		t.Fatalf("unanswerable search: code %d\n%s", code, out)
	}
	out, _, code = runKB(t, "gaps", dd)
	if code != 0 || !strings.Contains(out, `"what's the weather tomorrow"`) {
		t.Fatalf("gaps: code %d\n%s", code, out)
	}

	// A draft is staged, searched with --draft, then published.
	src := t.TempDir()
	p := filepath.Join(src, "pets.md")
	if err := os.WriteFile(p, []byte("# Pet insurance\n\nWe now offer pet insurance for cats and dogs from 8 pounds a month.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errs, code = runKB(t, "import", "--draft", dd, p); code != 0 || !strings.Contains(out, "draft: 1 files, 1 added") {
		t.Fatalf("draft import: %d %s %s", code, out, errs)
	}
	if out, _, _ = runKB(t, "search", dd, "pet insurance for my dog"); strings.Contains(out, "source: pets.md") {
		t.Fatalf("draft visible before publish:\n%s", out)
	}
	if out, _, _ = runKB(t, "search", "--draft", dd, "pet insurance for my dog"); !strings.Contains(out, "source: pets.md") {
		t.Fatalf("draft search:\n%s", out)
	}
	if out, _, code = runKB(t, "publish", dd); code != 0 || out != "published 1 documents\n" {
		t.Fatalf("publish: %d %q", code, out)
	}
	if out, _, _ = runKB(t, "search", dd, "pet insurance for my dog"); !strings.Contains(out, "source: pets.md") {
		t.Fatalf("published search:\n%s", out)
	}

	// Bad input: a clear error and a non-zero exit.
	bad := filepath.Join(src, "blob.txt")
	if err := os.WriteFile(bad, []byte{0, 1, 2, 0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code = runKB(t, "import", dd, bad); code != 1 || !strings.Contains(errs, "binary or not UTF-8") {
		t.Fatalf("binary import: %d %s", code, errs)
	}
	if _, _, code = runKB(t, "frobnicate", dd); code != 2 {
		t.Fatalf("unknown subcommand exit %d", code)
	}
}

// TestKBScriptFlag: --script works on the knowledge base the bot uses for
// that script (data_dir/kb/NAME), where the gaps of its calls are logged.
func TestKBScriptFlag(t *testing.T) {
	data := t.TempDir()
	dd := "--data-dir=" + data
	if out, errs, code := runKB(t, "import", dd, "--script", "bank", filepath.Join("..", "..", "scripts", "bank", "kb")); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(data, "kb", "bank", "kb.db")); err != nil {
		t.Fatalf("the script's knowledge base is not where the bot opens it: %v", err)
	}
	if out, _, code := runKB(t, "search", dd, "--script", "bank", "I", "lost", "my", "card"); code != 0 || !strings.Contains(out, "lost-stolen-card.md") {
		t.Fatalf("search: %d %s", code, out)
	}
	if _, errs, code := runKB(t, "gaps", dd, "--script", "../etc"); code != 2 || !strings.Contains(errs, "not a path") {
		t.Fatalf("--script ../etc: %d %s", code, errs)
	}
}
