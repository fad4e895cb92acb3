package sphinx

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// Sentence boundary words of the ARPA format and of PocketSphinx's
// dictionary.
const (
	sentStart = "<s>"
	sentEnd   = "</s>"
)

// errNoWords means that phrases held no word to build a model from.
var errNoWords = errors.New("no words in the phrases")

// buildARPA returns an ARPA-format trigram language model of sentences
// (each a list of words, without boundary markers), smoothed by
// interpolated Witten-Bell discounting and written in backoff form.
//
// With c(h) the number of words seen after history h and T(h) the number
// of distinct ones:
//
//	P(w)       = (c(w) + 1) / (N + V)                   unigrams, N tokens, V types
//	P(w | h)   = (c(h w) + T(h) P(w | h')) / (c(h) + T(h))   h' is h without its first word
//	bow(h)     = T(h) / (c(h) + T(h))
//
// so that for every history the probabilities of the vocabulary (with
// </s>, without <s>) sum to 1: seen continuations carry c(h)/(c(h)+T(h))
// of the mass plus their share of the lower order, and the backoff weight
// bow(h) gives unseen ones exactly their share. <s> is never predicted and
// gets the conventional log10 probability -99.
func buildARPA(sentences [][]string) ([]byte, error) {
	m := newNgramCounts(sentences)
	if m.tokens == len(sentences) {
		return nil, errNoWords
	}
	return m.arpa(), nil
}

type (
	bigram  [2]int32
	trigram [3]int32
	// history holds c(h), the continuations seen after a history, and
	// T(h), how many distinct ones.
	history struct{ count, types int }
)

// ngramCounts are the counts of a set of sentences. Word 0 is <s>, word 1
// is </s>, the others are in lexical order.
type ngramCounts struct {
	vocab  []string
	uni    []int // by word id; uni[0] (<s>) stays 0
	bi     map[bigram]int
	tri    map[trigram]int
	hist1  []history // by word id
	hist2  map[bigram]history
	tokens int // N: every word and </s>, not <s>
}

func newNgramCounts(sentences [][]string) *ngramCounts {
	ids := map[string]int32{sentStart: 0, sentEnd: 1}
	var vocab []string
	for _, s := range sentences {
		for _, w := range s {
			if _, ok := ids[w]; !ok {
				ids[w] = -1
				vocab = append(vocab, w)
			}
		}
	}
	slices.Sort(vocab)
	vocab = append([]string{sentStart, sentEnd}, vocab...)
	for i, w := range vocab {
		ids[w] = int32(i)
	}
	m := &ngramCounts{
		vocab: vocab,
		uni:   make([]int, len(vocab)),
		bi:    map[bigram]int{},
		tri:   map[trigram]int{},
		hist1: make([]history, len(vocab)),
		hist2: map[bigram]history{},
	}
	seq := make([]int32, 0, 16)
	for _, s := range sentences {
		seq = append(seq[:0], 0)
		for _, w := range s {
			seq = append(seq, ids[w])
		}
		seq = append(seq, 1)
		m.add(seq)
	}
	return m
}

// add counts one sentence, <s> and </s> included.
func (m *ngramCounts) add(seq []int32) {
	for i := 1; i < len(seq); i++ {
		m.tokens++
		m.uni[seq[i]]++
		b := bigram{seq[i-1], seq[i]}
		if m.bi[b]++; m.bi[b] == 1 {
			m.hist1[b[0]].types++
		}
		m.hist1[b[0]].count++
		if i < 2 {
			continue
		}
		t := trigram{seq[i-2], seq[i-1], seq[i]}
		h := bigram{t[0], t[1]}
		hs := m.hist2[h]
		if m.tri[t]++; m.tri[t] == 1 {
			hs.types++
		}
		hs.count++
		m.hist2[h] = hs
	}
}

// p1 is the unigram probability of word w (not <s>).
func (m *ngramCounts) p1(w int32) float64 {
	v := len(m.vocab) - 1
	return float64(m.uni[w]+1) / float64(m.tokens+v)
}

// p2 is the bigram probability of w after h, seen or backed off.
func (m *ngramCounts) p2(h, w int32) float64 {
	hs := m.hist1[h]
	lower := m.p1(w)
	if hs.types == 0 {
		return lower
	}
	return (float64(m.bi[bigram{h, w}]) + float64(hs.types)*lower) / float64(hs.count+hs.types)
}

// p3 is the trigram probability of t[2] after t[0] t[1], seen or backed off.
func (m *ngramCounts) p3(t trigram) float64 {
	hs := m.hist2[bigram{t[0], t[1]}]
	lower := m.p2(t[1], t[2])
	if hs.types == 0 {
		return lower
	}
	return (float64(m.tri[t]) + float64(hs.types)*lower) / float64(hs.count+hs.types)
}

func bow(hs history) float64 {
	return float64(hs.types) / float64(hs.count+hs.types)
}

// arpa writes the model in the ARPA text format.
func (m *ngramCounts) arpa() []byte {
	var b bytes.Buffer
	b.Grow(64 * (len(m.vocab) + len(m.bi) + len(m.tri)))
	fmt.Fprintf(&b, "\\data\\\nngram 1=%d\nngram 2=%d\nngram 3=%d\n", len(m.vocab), len(m.bi), len(m.tri))

	b.WriteString("\n\\1-grams:\n")
	for w := range m.vocab {
		p := -99.0
		if w != 0 {
			p = math.Log10(m.p1(int32(w)))
		}
		line(&b, p, m.vocab[w:w+1], m.hist1[w])
	}

	b.WriteString("\n\\2-grams:\n")
	for _, k := range sortedBigrams(m.bi) {
		line(&b, math.Log10(m.p2(k[0], k[1])), []string{m.vocab[k[0]], m.vocab[k[1]]}, m.hist2[k])
	}

	b.WriteString("\n\\3-grams:\n")
	for _, k := range sortedTrigrams(m.tri) {
		line(&b, math.Log10(m.p3(k)), []string{m.vocab[k[0]], m.vocab[k[1]], m.vocab[k[2]]}, history{})
	}
	b.WriteString("\n\\end\\\n")
	return b.Bytes()
}

// line writes one n-gram entry: log10 probability, words, and the backoff
// weight when the n-gram is the history of a higher-order entry.
func line(b *bytes.Buffer, p float64, ws []string, hs history) {
	b.WriteString(strconv.FormatFloat(p, 'f', 6, 64))
	for i, w := range ws {
		if i == 0 {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	if hs.types > 0 {
		b.WriteByte('\t')
		b.WriteString(strconv.FormatFloat(math.Log10(bow(hs)), 'f', 6, 64))
	}
	b.WriteByte('\n')
}

func sortedBigrams(m map[bigram]int) []bigram {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b bigram) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	return keys
}

func sortedTrigrams(m map[trigram]int) []trigram {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b trigram) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
	})
	return keys
}
