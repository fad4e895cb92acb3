package corpus

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"Hello World", []string{"hello", "world"}},
		{"Twenty-five, please.", []string{"twenty", "five", "please"}},
		{"don't 'quote' me", []string{"don't", "quote", "me"}},
		{"I'd like £50!", []string{"i'd", "like", "50"}},
		{"  four\tfive\nsix  ", []string{"four", "five", "six"}},
		{"Ça va? Ünïcode", []string{"ça", "va", "ünïcode"}},
		{"'''", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := Normalize(tc.in)
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWER(t *testing.T) {
	tests := []struct {
		name, ref, hyp string
		errs, words    int
	}{
		{"identical", "check my balance", "check my balance", 0, 3},
		{"normalized equal", "check my balance", "Check my balance.", 0, 3},
		{"one substitution", "check my balance", "check the balance", 1, 3},
		{"one deletion", "check my balance", "check balance", 1, 3},
		{"one insertion", "check my balance", "check my bank balance", 1, 3},
		{"empty hypothesis", "four five six seven", "", 4, 4},
		{"empty reference", "", "hello there", 2, 0},
		{"both empty", "", "", 0, 0},
		{"all wrong, longer", "yes", "no thank you", 3, 1},
		{"sub and del", "a b c d e", "a x c e", 2, 5},
		{"transposition is two", "four five", "five four", 2, 2},
		{"digits are not words", "four five six seven", "4567", 4, 4},
		{"insert at both ends", "my card", "i lost my card today", 3, 2},
		{"kitten sitting", "k i t t e n", "s i t t i n g", 3, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, n := WER(tc.ref, tc.hyp)
			if e != tc.errs || n != tc.words {
				t.Errorf("WER(%q, %q) = %d, %d; want %d, %d", tc.ref, tc.hyp, e, n, tc.errs, tc.words)
			}
		})
	}
}

func TestScore(t *testing.T) {
	var s Score
	if s.WER() != 0 || s.SentenceAccuracy() != 0 {
		t.Fatalf("empty score: WER %v, accuracy %v; want 0, 0", s.WER(), s.SentenceAccuracy())
	}
	s.Add("check my balance", "check my balance")   // 0/3
	s.Add("i have lost my card", "i lost my card")  // 1/5
	s.Add("yes", "yes please")                      // 1/1
	s.Add("four five six seven", "four five six 7") // 1/4
	want := Score{Sentences: 4, SentencesCorrect: 1, Words: 13, WordErrors: 3}
	if s != want {
		t.Fatalf("score = %+v, want %+v", s, want)
	}
	if got := s.WER(); got != 3.0/13 {
		t.Errorf("WER = %v, want %v", got, 3.0/13)
	}
	if got := s.SentenceAccuracy(); got != 0.25 {
		t.Errorf("SentenceAccuracy = %v, want 0.25", got)
	}
	var total Score
	total.Merge(s)
	total.Merge(s)
	if total.Words != 26 || total.WordErrors != 6 || total.Sentences != 8 || total.SentencesCorrect != 2 {
		t.Errorf("merged = %+v", total)
	}
	if got, want := s.String(), "WER 23.1% (3/13 words), sentences 25.0% (1/4)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
