package kb

import (
	"math"
	"sort"

	"github.com/parley-cc/parley/nlu/text"
)

// bm25 is an in-memory Okapi BM25 index over chunk terms (k1 1.2, b 0.75).
type bm25 struct {
	postings map[string][]posting
	lens     []float64
	avg      float64
}

type posting struct {
	doc int
	tf  float64
}

func newBM25(docs [][]string) *bm25 {
	b := &bm25{postings: map[string][]posting{}, lens: make([]float64, len(docs))}
	total := 0.0
	for i, terms := range docs {
		tf := map[string]float64{}
		for _, t := range terms {
			tf[t]++
		}
		for t, n := range tf {
			b.postings[t] = append(b.postings[t], posting{i, n})
		}
		b.lens[i] = float64(len(terms))
		total += b.lens[i]
	}
	if len(docs) > 0 {
		b.avg = total / float64(len(docs))
	}
	return b
}

type scored struct {
	doc   int
	score float64
}

// search scores every document containing a query term and returns the top k,
// keeping only documents accepted by keep.
func (b *bm25) search(query []string, k int, keep func(int) bool) []scored {
	const k1, bb = 1.2, 0.75
	n := float64(len(b.lens))
	acc := map[int]float64{}
	seen := map[string]bool{}
	for _, t := range query {
		if seen[t] {
			continue
		}
		seen[t] = true
		ps := b.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := math.Log(1 + (n-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			if !keep(p.doc) {
				continue
			}
			norm := p.tf * (k1 + 1) / (p.tf + k1*(1-bb+bb*b.lens[p.doc]/b.avg))
			acc[p.doc] += idf * norm
		}
	}
	out := make([]scored, 0, len(acc))
	for d, s := range acc {
		out = append(out, scored{d, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].doc < out[j].doc
	})
	return out[:min(k, len(out))]
}

// chunkTerms is what BM25 indexes for a chunk: title, heading and text.
func chunkTerms(c *Chunk) []string {
	return text.Terms(c.Title + "\n" + c.Heading + "\n" + c.Text)
}
