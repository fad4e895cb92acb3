package corpus

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, fails only with ErrPhrase or a
// read error, and that what it accepts formats back into a list it parses
// to the same phrases.
func FuzzParse(f *testing.F) {
	if path, err := PhrasesFile(); err == nil {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(string(b[:min(len(b), 2000)]))
		}
	}
	for _, s := range []string{
		"", "id\tintent\ttext\n", "id\tintent\ttext\nb-1\tbalance\tcheck my balance\n",
		"# c\r\nid\tintent\ttext\r\nx\ty\tz z\r\n", "id\tintent\ttext\nx\ty\t\n", "id\tintent\ttext\nx\ty\tz\nx\ty\tz\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := Parse(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrPhrase) {
				t.Fatalf("Parse error %v is not ErrPhrase", err)
			}
			return
		}
		var b strings.Builder
		b.WriteString(header + "\n")
		for _, p := range ps {
			if ValidText(p.Text) != nil {
				t.Fatalf("accepted invalid text %q", p.Text)
			}
			b.WriteString(p.ID + "\t" + p.Intent + "\t" + p.Text + "\n")
		}
		again, err := Parse(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if !slices.Equal(ps, again) {
			t.Fatalf("reparse = %v, want %v", again, ps)
		}
	})
}

// FuzzWER checks the distance's metric properties on arbitrary text.
func FuzzWER(f *testing.F) {
	f.Add("check my balance", "check the balance")
	f.Add("four five six seven", "4567")
	f.Add("", "hello")
	f.Add("Don't, stop!", "dont stop")
	f.Fuzz(func(t *testing.T, ref, hyp string) {
		e, n := WER(ref, hyp)
		r, h := Normalize(ref), Normalize(hyp)
		if n != len(r) {
			t.Fatalf("words %d, want %d", n, len(r))
		}
		if e < max(len(r), len(h))-min(len(r), len(h)) || e > max(len(r), len(h)) {
			t.Fatalf("errors %d outside [%d, %d]", e, max(len(r), len(h))-min(len(r), len(h)), max(len(r), len(h)))
		}
		if back, _ := WER(hyp, ref); back != e {
			t.Fatalf("WER not symmetric: %d vs %d", e, back)
		}
		if self, _ := WER(ref, ref); self != 0 {
			t.Fatalf("WER(ref, ref) = %d", self)
		}
		for _, w := range r {
			if w == "" || strings.ContainsAny(w, " \t\n") {
				t.Fatalf("Normalize gave word %q", w)
			}
		}
	})
}
