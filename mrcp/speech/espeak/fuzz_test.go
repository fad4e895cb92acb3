package espeak

import (
	"strings"
	"testing"

	"github.com/parley-cc/parley/mrcp/speech/internal/speechtest"
)

// FuzzParseLanguages checks that any bytes parse without panic into
// non-empty tags that encode back to a list that parses the same.
func FuzzParseLanguages(f *testing.F) {
	for _, s := range []string{"", "\x00", "\x02en-us\x00\x03en\x00\x00", "\x05de\x00", "\x05\x00\x03fr", "\x01a\x00\x02"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		langs := parseLanguages(b)
		var enc []byte
		for _, l := range langs {
			if l.tag == "" || strings.IndexByte(l.tag, 0) >= 0 || l.priority <= 0 || l.priority > 255 {
				t.Fatalf("bad entry %+v from %q", l, b)
			}
			enc = append(append(append(enc, byte(l.priority)), l.tag...), 0)
		}
		again := parseLanguages(append(enc, 0))
		if len(again) != len(langs) {
			t.Fatalf("re-encoded %q parses to %v, not %v", enc, again, langs)
		}
		for i := range langs {
			if again[i] != langs[i] {
				t.Fatalf("re-encoded %q parses to %v, not %v", enc, again, langs)
			}
		}
	})
}

// FuzzBCP47 checks that tag normalization is idempotent and changes only
// case and separators.
func FuzzBCP47(f *testing.F) {
	for _, s := range []string{"en-us", "cmn-latn-pinyin", "en-gb-x-rp", "chr-US-Qaaa-x-west", "a_b-", "x-x-x", "ÿ-ĳ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := bcp47(s)
		if again := bcp47(got); again != got {
			t.Fatalf("bcp47(%q) = %q, but bcp47 of that = %q", s, got, again)
		}
		fields := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' })
		if want := strings.Join(fields, "-"); !strings.EqualFold(got, want) {
			t.Fatalf("bcp47(%q) = %q: more than case changed (%q)", s, got, want)
		}
	})
}

// FuzzLookup checks voice name lookup on any name: no panic, and a voice
// found is found again by its own name.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"en-us", "EN_US+F3", "espeak-ng/de", "de+denis", "+", "de++f3", "a+b+c", ""} {
		f.Add(s)
	}
	c := testCatalog(f, "f3")
	f.Fuzz(func(t *testing.T, name string) {
		v := c.lookup(name)
		if v == nil {
			return
		}
		if again := c.lookup(v.Name); again == nil || again.Name != v.Name || again.id != v.id {
			t.Fatalf("lookup(%q) = %s, lookup of that = %v", name, v.Name, again)
		}
	})
}

// FuzzSynthesize feeds arbitrary text to espeak-ng itself.
func FuzzSynthesize(f *testing.F) {
	speechtest.FuzzSynthesize(f, newEngine(f), "en-us")
}
