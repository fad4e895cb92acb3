package intent

import (
	"math"
	"strings"

	"github.com/parley-cc/parley/nlu/text"
)

// maxRunes bounds the utterance length that is featurised: a caller's turn is short,
// and a pasted document must not cost more than a long sentence.
const maxRunes = 1000

// sparse is an L2-normalised feature vector.
type sparse struct {
	idx []int32
	val []float32
}

func (s sparse) withDense(d []float32, offset int) sparse {
	var n float64
	for _, v := range d {
		n += float64(v) * float64(v)
	}
	out := sparse{idx: append([]int32(nil), s.idx...), val: append([]float32(nil), s.val...)}
	if n == 0 {
		return out
	}
	scale := float32(1 / math.Sqrt(n))
	for j, v := range d {
		out.idx = append(out.idx, int32(offset+j))
		out.val = append(out.val, v*scale)
	}
	return out
}

// vectorizer maps utterances to TF-IDF vectors over the features seen in training.
type vectorizer struct {
	vocab map[string]int32
	idf   []float32
	size  int
}

// terms returns the feature keys of s: stemmed word unigrams and bigrams (stopwords
// kept: "how" and "where" separate intents) and character 3- to 5-grams of the
// normalised words.
func terms(s string) []string {
	if r := []rune(s); len(r) > maxRunes {
		s = string(r[:maxRunes])
	}
	toks := text.Tokens(s)
	out := make([]string, 0, 8*len(toks))
	prev := "<s>"
	for _, t := range toks {
		st := text.Stem(t)
		out = append(out, "w:"+st, "b:"+prev+" "+st)
		prev = st
	}
	if len(toks) > 0 {
		out = append(out, "b:"+prev+" </s>")
	}
	r := []rune(" " + strings.Join(toks, " ") + " ")
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(r); i++ {
			out = append(out, "c:"+string(r[i:i+n]))
		}
	}
	return out
}

func fitVectorizer(texts []string) *vectorizer {
	df := map[string]int{}
	for _, t := range texts {
		seen := map[string]bool{}
		for _, k := range terms(t) {
			if !seen[k] {
				seen[k] = true
				df[k]++
			}
		}
	}
	v := &vectorizer{vocab: map[string]int32{}}
	n := float64(len(texts))
	for k, d := range df {
		// Character n-grams and bigrams seen once carry little but cost memory.
		if d < 2 && !strings.HasPrefix(k, "w:") && len(texts) > 200 {
			continue
		}
		v.vocab[k] = int32(len(v.idf))
		v.idf = append(v.idf, float32(math.Log((1+n)/(1+float64(d)))+1))
	}
	v.size = len(v.idf)
	return v
}

func (v *vectorizer) transform(s string) sparse {
	tf := map[int32]float32{}
	for _, k := range terms(s) {
		if i, ok := v.vocab[k]; ok {
			tf[i]++
		}
	}
	out := sparse{idx: make([]int32, 0, len(tf)), val: make([]float32, 0, len(tf))}
	var norm float64
	for i, c := range tf {
		w := (1 + float32(math.Log(float64(c)))) * v.idf[i]
		out.idx = append(out.idx, i)
		out.val = append(out.val, w)
		norm += float64(w) * float64(w)
	}
	if norm > 0 {
		s := float32(1 / math.Sqrt(norm))
		for j := range out.val {
			out.val[j] *= s
		}
	}
	return out
}
