package kb

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/parley-cc/parley/nlu/index"
	"github.com/parley-cc/parley/nlu/text"
)

// Mode selects the retrieval method.
type Mode int

// Retrieval modes. Hybrid is the default; the others exist for evaluation.
const (
	Hybrid Mode = iota
	BM25Only
	VectorOnly
)

func (m Mode) String() string {
	switch m {
	case Hybrid:
		return "hybrid"
	case BM25Only:
		return "bm25"
	case VectorOnly:
		return "vector"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// SearchOptions narrows a search. The zero value searches the published version
// for 5 results with hybrid retrieval.
type SearchOptions struct {
	Version Version
	Tags    []string // every tag must be present
	K       int
	Mode    Mode
}

// Result is one retrieved chunk.
type Result struct {
	ChunkID string
	Article string
	Source  string
	Title   string
	Heading string
	Text    string
	Score   float64 // fused RRF score (or the single method's score)
	Cosine  float64 // vector similarity to the query, 0 if not among vector hits
	BM25    float64
}

// rrfK is the reciprocal rank fusion constant (Cormack et al., 2009).
const rrfK = 60

// candidates is how many results each method contributes to fusion.
const candidates = 50

// Search returns up to opts.K chunks for query, best first.
func (k *KB) Search(ctx context.Context, query string, opts SearchOptions) ([]Result, error) {
	res, _, err := k.search(ctx, query, opts)
	return res, err
}

func (k *KB) search(ctx context.Context, query string, opts SearchOptions) ([]Result, []string, error) {
	if opts.Version == "" {
		opts.Version = Published
	}
	if opts.K <= 0 {
		opts.K = 5
	}
	st := k.state.Load()
	qterms := text.Terms(query)
	if len(qterms) == 0 || len(st.chunks) == 0 {
		return nil, qterms, nil
	}
	keep := func(i int) bool {
		c := &st.chunks[i]
		if c.Version != opts.Version {
			return false
		}
		for _, t := range opts.Tags {
			if !slices.Contains(c.Tags, t) {
				return false
			}
		}
		return true
	}
	fused := map[int]*Result{}
	rrf := map[int]float64{}
	get := func(i int) *Result {
		r, ok := fused[i]
		if !ok {
			c := &st.chunks[i]
			r = &Result{ChunkID: c.ID, Article: c.Article, Source: c.Source, Title: c.Title, Heading: c.Heading, Text: c.Text}
			fused[i] = r
		}
		return r
	}
	if opts.Mode != VectorOnly {
		for rank, s := range st.bm.search(qterms, candidates, keep) {
			get(s.doc).BM25 = s.score
			rrf[s.doc] += 1 / float64(rrfK+rank+1)
			if opts.Mode == BM25Only {
				get(s.doc).Score = s.score
			}
		}
	}
	if opts.Mode != BM25Only {
		vecs, err := k.emb.Embed(ctx, []string{query})
		if err != nil {
			return nil, nil, fmt.Errorf("search: %w", err)
		}
		hits, err := k.ix.Search(ctx, vecs[0], candidates, index.Filter{
			Tenant: k.cfg.Tenant, Language: k.cfg.Language, KBVersion: string(opts.Version), Tags: opts.Tags,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("search: %w", err)
		}
		for rank, h := range hits {
			i, ok := st.byID[h.ID]
			if !ok || !keep(i) {
				continue // the index is ahead of or behind this state
			}
			get(i).Cosine = float64(h.Score)
			rrf[i] += 1 / float64(rrfK+rank+1)
			if opts.Mode == VectorOnly {
				get(i).Score = float64(h.Score)
			}
		}
	}
	out := make([]Result, 0, len(fused))
	for i, r := range fused {
		if opts.Mode == Hybrid {
			r.Score = rrf[i]
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Result) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ChunkID, b.ChunkID)
	})
	return out[:min(opts.K, len(out))], qterms, nil
}

// Answer is what the bot says for a question.
type Answer struct {
	Found      bool    // Confidence >= the KB threshold
	Text       string  // short and speakable: the first sentences of the best chunk
	Confidence float64 // in [0, 1]
	Citation   Citation
	Results    []Result // the retrieved chunks, best first
}

// Citation names where an answer came from.
type Citation struct {
	Article, Source, Title, Heading string
}

// Answer retrieves the best chunk for question and turns it into a speakable answer
// with a confidence. On the published version a confident answer counts as usage of
// its article; otherwise the question is logged as a knowledge gap.
func (k *KB) Answer(ctx context.Context, question string, opts SearchOptions) (Answer, error) {
	opts.Mode = Hybrid
	res, qterms, err := k.search(ctx, question, opts)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Results: res}
	if len(res) > 0 {
		best := res[0]
		a.Confidence = confidence(qterms, &best, res)
		a.Text = Speakable(best.Text, 2, 45)
		a.Citation = Citation{best.Article, best.Source, best.Title, best.Heading}
	}
	a.Found = a.Confidence >= k.cfg.Threshold
	if opts.Version == "" {
		opts.Version = Published
	}
	// Only the published version serves callers; drafts are designers testing.
	switch {
	case opts.Version != Published:
	case a.Found:
		err = k.recordServed(ctx, a.Citation.Article)
	default:
		err = k.recordGap(ctx, question, opts.Version, a.Confidence, a.Citation.Article)
	}
	if err != nil {
		return a, fmt.Errorf("answer: %w", err)
	}
	return a, nil
}

// confidence maps retrieval evidence to [0, 1] with a logistic model over: the
// cosine similarity of the best chunk, the share of query terms it contains, and
// whether BM25 and the vectors agree on it. The weights were fitted by logistic
// regression on the bank question set (testdata/kb/bank.jsonl, answerable and
// correct versus not) and are checked on the ISP set; see docs/BENCHMARKS.md.
func confidence(qterms []string, best *Result, res []Result) float64 {
	have := map[string]bool{}
	for _, t := range text.Terms(best.Title + " " + best.Heading + " " + best.Text) {
		have[t] = true
	}
	hit := 0
	for _, t := range qterms {
		if have[t] {
			hit++
		}
	}
	coverage := float64(hit) / float64(len(qterms))
	agree := 0.0
	if best.BM25 > 0 && best.Cosine > 0 {
		agree = 1
	}
	z := confW[0] + confW[1]*best.Cosine + confW[2]*coverage + confW[3]*agree
	return 1 / (1 + math.Exp(-z))
}

// confW are the logistic weights: bias, cosine, coverage, agreement.
var confW = [4]float64{-1.73, 1.57, 2.56, 0.84}

var sentenceEnd = regexp.MustCompile(`[.!?](\s+|$)`)

// Speakable returns the first maxSentences sentences of s, cut to at most maxWords
// words at a word boundary, with markdown stripped.
func Speakable(s string, maxSentences, maxWords int) string {
	s = StripMarkdown(strings.ReplaceAll(s, "\n", " "))
	locs := sentenceEnd.FindAllStringIndex(s, -1)
	if len(locs) >= maxSentences {
		s = strings.TrimSpace(s[:locs[maxSentences-1][1]])
	}
	words := strings.Fields(s)
	if len(words) > maxWords {
		s = strings.Join(words[:maxWords], " ")
		s = strings.TrimRight(s, ",;:") + "…"
	}
	return s
}
