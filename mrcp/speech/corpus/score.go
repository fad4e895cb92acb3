package corpus

import (
	"fmt"
	"strings"
	"unicode"
)

// Normalize returns the words of s for scoring: lower case, with every
// character other than a letter, a digit or an apostrophe inside a word
// taken as a space ("Twenty-five, please." -> twenty five please;
// "don't" stays one word). It does not spell out numbers, so a recognizer
// that writes "4567" scores against "four five six seven" as wrong.
func Normalize(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	out := f[:0]
	for _, w := range f {
		if w = strings.Trim(w, "'"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// WER compares a hypothesis with the reference it should match, after
// Normalize, and returns the word errors (the fewest substitutions,
// deletions and insertions that turn the reference into the hypothesis:
// the Levenshtein distance over words) and the number of reference words.
// errors may exceed words when the hypothesis has extra words.
func WER(ref, hyp string) (errors, words int) {
	r, h := Normalize(ref), Normalize(hyp)
	return editDistance(r, h), len(r)
}

// editDistance is the Levenshtein distance between two word sequences, in
// O(len(b)) memory.
func editDistance(a, b []string) int {
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		diag := row[0] // distance(a[:i-1], b[:j-1])
		row[0] = i
		for j := 1; j <= len(b); j++ {
			sub := diag
			if a[i-1] != b[j-1] {
				sub++
			}
			diag = row[j]
			row[j] = min(sub, row[j]+1, row[j-1]+1)
		}
	}
	return row[len(b)]
}

// Score accumulates recognition results over a corpus. The zero value is
// an empty score.
type Score struct {
	// Sentences is how many utterances were scored.
	Sentences int
	// SentencesCorrect is how many matched their reference exactly (no
	// word errors).
	SentencesCorrect int
	// Words is the number of reference words.
	Words int
	// WordErrors is the total of substitutions, deletions and insertions.
	WordErrors int
}

// Add scores one hypothesis against its reference.
func (s *Score) Add(ref, hyp string) {
	e, n := WER(ref, hyp)
	s.Sentences++
	if e == 0 {
		s.SentencesCorrect++
	}
	s.Words += n
	s.WordErrors += e
}

// Merge adds the counts of o to s, to total per-intent or per-voice
// scores.
func (s *Score) Merge(o Score) {
	s.Sentences += o.Sentences
	s.SentencesCorrect += o.SentencesCorrect
	s.Words += o.Words
	s.WordErrors += o.WordErrors
}

// SentenceAccuracy returns the fraction of utterances recognized without
// a word error, 0 when none were scored.
func (s Score) SentenceAccuracy() float64 {
	if s.Sentences == 0 {
		return 0
	}
	return float64(s.SentencesCorrect) / float64(s.Sentences)
}

// WER returns the word error rate, word errors over reference words (it
// may exceed 1), 0 when there were no reference words.
func (s Score) WER() float64 {
	if s.Words == 0 {
		return 0
	}
	return float64(s.WordErrors) / float64(s.Words)
}

// String formats s as "WER 12.3% (45/366 words), sentences 80.0% (120/150)".
func (s Score) String() string {
	return fmt.Sprintf("WER %.1f%% (%d/%d words), sentences %.1f%% (%d/%d)",
		100*s.WER(), s.WordErrors, s.Words, 100*s.SentenceAccuracy(), s.SentencesCorrect, s.Sentences)
}
