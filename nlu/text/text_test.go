package text

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  Hello   World \n", "hello world"},
		{"Don\u2019t", "don't"},
		{"ﬁle", "file"},
		{"a\x00b\tc", "a b c"},
		{"bad\xffutf8", "badutf8"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"I've lost my card!", []string{"i've", "lost", "my", "card"}},
		{"'quoted' words, O'Brien's 24/7 line", []string{"quoted", "words", "o'brien's", "24", "7", "line"}},
		{"Café opens at 9:00", []string{"café", "opens", "at", "9", "00"}},
		{"...", nil},
	}
	for _, tc := range tests {
		if got := Tokens(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStem(t *testing.T) {
	tests := map[string]string{
		"running": "run", "cards": "card", "payments": "payment", "connection": "connect",
		"bank's": "bank", "": "", "generously": "generous",
	}
	for in, want := range tests {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStopwordAndTerms(t *testing.T) {
	if !Stopword("the") || Stopword("card") {
		t.Fatal("Stopword: the should be a stopword, card should not")
	}
	if got, want := Terms("How do I block my stolen cards?"), []string{"block", "stolen", "card"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Terms = %q, want %q", got, want)
	}
	if got := Terms("who are you"); len(got) != 3 {
		t.Errorf("Terms of all stopwords = %q, want 3 stems", got)
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"", "I've lost my card!", "Café 24/7", "\xff\xfe", "''''", "a\u0301b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokens(s) {
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("bad token %q from %q", tok, s)
			}
			_ = Stem(tok)
		}
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent on %q", s)
		}
	})
}
