package corpus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Phrase is one caller phrase of a script: what to say and the intent it
// expresses.
type Phrase struct {
	// ID is unique within the list ("balance-01").
	ID string
	// Intent is the intent the phrase expresses ("balance", "yes").
	Intent string
	// Text is lower-case words separated by single spaces.
	Text string
}

// Limits Parse enforces.
const (
	// MaxLine is the longest line Parse accepts, in bytes.
	MaxLine = 4096
	// MaxPhrases is the most phrases Parse accepts.
	MaxPhrases = 100000
)

// header is the first line of a phrase list.
const header = "id\tintent\ttext"

var (
	// ErrPhrase means a phrase list is malformed: a bad header, a row
	// without three fields, an invalid ID, intent or text, or a repeated
	// ID.
	ErrPhrase = errors.New("corpus: invalid phrase list")
	// ErrNoModule means no go.mod was found above the working directory.
	ErrNoModule = errors.New("corpus: no go.mod above the working directory")
)

// Load reads the phrase list at path (see Parse).
func Load(path string) ([]Phrase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load phrases: %w", err)
	}
	defer f.Close()
	ps, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return ps, nil
}

// Parse reads a phrase list: a header line "id<TAB>intent<TAB>text", then
// one phrase per line with those three tab-separated fields. Blank lines
// and lines starting with '#' are ignored; a trailing CR is removed. IDs
// are letters, digits and "-_."; intents are lower-case letters, digits
// and '_'; texts are as ValidText requires. It fails with ErrPhrase
// (wrapped, with the line number) at the first bad line.
func Parse(r io.Reader) ([]Phrase, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), MaxLine)
	var (
		out    []Phrase
		seen   = map[string]int{}
		lineNo int
		gotHdr bool
	)
	for sc.Scan() {
		lineNo++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !gotHdr {
			if line != header {
				return nil, fmt.Errorf("%w: line %d: header is %q, want %q", ErrPhrase, lineNo, line, header)
			}
			gotHdr = true
			continue
		}
		p, err := parseRow(line)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrPhrase, lineNo, err)
		}
		if prev, dup := seen[p.ID]; dup {
			return nil, fmt.Errorf("%w: line %d: id %q already on line %d", ErrPhrase, lineNo, p.ID, prev)
		}
		if len(out) == MaxPhrases {
			return nil, fmt.Errorf("%w: more than %d phrases", ErrPhrase, MaxPhrases)
		}
		seen[p.ID] = lineNo
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: line %d longer than %d bytes", ErrPhrase, lineNo+1, MaxLine)
		}
		return nil, fmt.Errorf("read phrases: %w", err)
	}
	if !gotHdr {
		return nil, fmt.Errorf("%w: no header line", ErrPhrase)
	}
	return out, nil
}

// parseRow parses and checks one data line.
func parseRow(line string) (Phrase, error) {
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		return Phrase{}, fmt.Errorf("%d fields, want 3", len(f))
	}
	p := Phrase{ID: f[0], Intent: f[1], Text: f[2]}
	if !validName(p.ID, "-_.", true) {
		return Phrase{}, fmt.Errorf("bad id %q", p.ID)
	}
	if !validName(p.Intent, "_", false) {
		return Phrase{}, fmt.Errorf("bad intent %q", p.Intent)
	}
	if err := ValidText(p.Text); err != nil {
		return Phrase{}, fmt.Errorf("id %s: %w", p.ID, err)
	}
	return p, nil
}

// validName reports whether s is 1 to 64 ASCII letters (lower case unless
// upper is set), digits and bytes of extra.
func validName(s, extra string, upper bool) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			upper && c >= 'A' && c <= 'Z' || strings.IndexByte(extra, c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// ValidText checks that s is a phrase text: one or more words of the
// letters a-z separated by single spaces, at most 500 bytes. Anything else
// (digits, punctuation, capitals, stray spaces) would make the spoken
// words differ from the reference, so Parse and Build refuse it.
func ValidText(s string) error {
	if s == "" {
		return errors.New("empty text")
	}
	if len(s) > 500 {
		return fmt.Errorf("text of %d bytes, more than 500", len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			return fmt.Errorf("text %q: byte %q at %d is not a lower-case letter or a single inner space", s, c, i)
		}
	}
	return nil
}

// ModuleRoot returns the directory of the go.mod that encloses the working
// directory, so tests anywhere in the module find its testdata.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !st.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoModule
		}
		dir = parent
	}
}

// PhrasesFile returns the path of the module's phrase list,
// testdata/speech/phrases.tsv under ModuleRoot.
func PhrasesFile() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "testdata", "speech", "phrases.tsv"), nil
}

// DefaultCacheDir returns where a corpus built for repeated measurements
// is kept between runs: parley/speech-corpus under the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache on Linux). Tests that need only a
// few utterances use t.TempDir() instead.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("corpus cache: %w", err)
	}
	return filepath.Join(dir, "parley", "speech-corpus"), nil
}
