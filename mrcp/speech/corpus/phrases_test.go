package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     int // phrases, or -1 for ErrPhrase
	}{
		{"header only", "id\tintent\ttext\n", 0},
		{"one", "id\tintent\ttext\nb-1\tbalance\tcheck my balance\n", 1},
		{"comments blanks crlf", "# corpus\r\n\r\nid\tintent\ttext\r\n# x\r\nb-1\tbalance\tcheck my balance\r\n\r\nn-1\tno\tno\r\n", 2},
		{"no trailing newline", "id\tintent\ttext\nb-1\tbalance\tcheck my balance", 1},
		{"empty input", "", -1},
		{"wrong header", "id\ttext\tintent\n", -1},
		{"two fields", "id\tintent\ttext\nb-1\tbalance\n", -1},
		{"four fields", "id\tintent\ttext\nb-1\tbalance\tx\ty\n", -1},
		{"duplicate id", "id\tintent\ttext\nb-1\tbalance\tx\nb-1\tno\tno\n", -1},
		{"capitals", "id\tintent\ttext\nb-1\tbalance\tCheck my balance\n", -1},
		{"punctuation", "id\tintent\ttext\nb-1\tbalance\tcheck my balance.\n", -1},
		{"digits", "id\tintent\ttext\nd-1\tdigits\t4567\n", -1},
		{"double space", "id\tintent\ttext\nb-1\tbalance\tcheck  my balance\n", -1},
		{"leading space", "id\tintent\ttext\nb-1\tbalance\t check\n", -1},
		{"trailing space", "id\tintent\ttext\nb-1\tbalance\tcheck \n", -1},
		{"empty text", "id\tintent\ttext\nb-1\tbalance\t\n", -1},
		{"empty id", "id\tintent\ttext\n\tbalance\tcheck\n", -1},
		{"bad intent", "id\tintent\ttext\nb-1\tBal ance\tcheck\n", -1},
		{"long line", "id\tintent\ttext\nb-1\tbalance\t" + strings.Repeat("a", MaxLine) + "\n", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := Parse(strings.NewReader(tc.in))
			switch {
			case tc.want < 0 && !errors.Is(err, ErrPhrase):
				t.Fatalf("Parse = %v, %v; want ErrPhrase", ps, err)
			case tc.want >= 0 && err != nil:
				t.Fatalf("Parse: %v", err)
			case tc.want >= 0 && len(ps) != tc.want:
				t.Fatalf("Parse = %d phrases, want %d", len(ps), tc.want)
			}
		})
	}
}

// TestPhrasesFile checks the module's phrase list: enough phrases for the
// issue's hundred utterances, every intent of the sample scripts present.
func TestPhrasesFile(t *testing.T) {
	path, err := PhrasesFile()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 120 {
		t.Errorf("%d phrases, want at least 120", len(ps))
	}
	count := map[string]int{}
	for _, p := range ps {
		count[p.Intent]++
	}
	for _, intent := range []string{"balance", "verify", "lost_card", "payment", "hours", "agent",
		"order_status", "return", "yes", "no", "digits", "amount", "date"} {
		if count[intent] < 8 {
			t.Errorf("intent %s has %d phrases, want at least 8", intent, count[intent])
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing.tsv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.tsv")
	if err := os.WriteFile(bad, []byte("id\tintent\ttext\nx\ty\tZ\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); !errors.Is(err, ErrPhrase) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Load(bad) = %v, want ErrPhrase at line 2", err)
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "module github.com/parley-cc/parley") {
		t.Errorf("%s/go.mod is not Parley's", root)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/tmp/xdg")
	dir, err := DefaultCacheDir()
	if err != nil || dir != "/tmp/xdg/parley/speech-corpus" {
		t.Errorf("DefaultCacheDir = %q, %v", dir, err)
	}
}
