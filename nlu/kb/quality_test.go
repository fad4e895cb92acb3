package kb

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

type labelled struct {
	Question string `json:"question"`
	Expected string `json:"expected"`
}

func readQuestions(t testing.TB, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q labelled
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, q)
	}
	return out
}

// openSample imports a sample knowledge base from scripts/<name>/kb into a fresh KB.
func openSample(t testing.TB, name string) *KB {
	t.Helper()
	k, err := Open(context.Background(), Config{Dir: t.TempDir(), Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	paths, _ := filepath.Glob(filepath.Join("..", "..", "scripts", name, "kb", "*"))
	if len(paths) == 0 {
		t.Fatalf("no sample knowledge base in scripts/%s/kb", name)
	}
	if _, err := k.ImportFiles(context.Background(), paths, Published, nil); err != nil {
		t.Fatal(err)
	}
	return k
}

// quality is recall@5 and MRR over the answerable questions.
type quality struct{ recall5, mrr float64 }

func measure(t testing.TB, k *KB, qs []labelled, mode Mode) quality {
	var q quality
	n := 0
	for _, l := range qs {
		if l.Expected == "" {
			continue
		}
		n++
		res, err := k.Search(context.Background(), l.Question, SearchOptions{K: 10, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		for rank, r := range dedupArticles(res) {
			if r == l.Expected {
				if rank < 5 {
					q.recall5++
				}
				q.mrr += 1 / float64(rank+1)
				break
			}
		}
	}
	q.recall5 /= float64(n)
	q.mrr /= float64(n)
	return q
}

// dedupArticles ranks articles by their best chunk.
func dedupArticles(res []Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range res {
		if !seen[r.Article] {
			seen[r.Article] = true
			out = append(out, r.Article)
		}
	}
	return out
}

// TestRetrievalQuality measures the sample knowledge bases against their labelled
// question sets and fails if hybrid retrieval falls below a floor. The figures are
// in docs/BENCHMARKS.md.
func TestRetrievalQuality(t *testing.T) {
	for _, name := range []string{"bank", "isp"} {
		t.Run(name, func(t *testing.T) {
			k := openSample(t, name)
			qs := readQuestions(t, filepath.Join("..", "..", "testdata", "kb", name+".jsonl"))
			got := map[Mode]quality{}
			for _, m := range []Mode{BM25Only, VectorOnly, Hybrid} {
				got[m] = measure(t, k, qs, m)
				t.Logf("%-6s recall@5 %.3f  MRR %.3f", m, got[m].recall5, got[m].mrr)
			}
			if h := got[Hybrid]; h.recall5 < 0.85 || h.mrr < 0.7 {
				t.Errorf("hybrid recall@5 %.3f MRR %.3f below the floor 0.85 / 0.70", h.recall5, h.mrr)
			}
			// Confidence: at each threshold, how many answerable questions get the right
			// article, how many get a wrong one, and how many unanswerable are refused.
			type outcome struct{ right, wrong, refused int }
			thresholds := []float64{0.5, 0.6, 0.65, 0.7, 0.8}
			out := make([]outcome, len(thresholds))
			answerable, unanswerable := 0, 0
			for _, l := range qs {
				a, err := k.Answer(context.Background(), l.Question, SearchOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if l.Expected == "" {
					unanswerable++
				} else {
					answerable++
				}
				for i, th := range thresholds {
					found := a.Confidence >= th
					switch {
					case l.Expected == "" && !found:
						out[i].refused++
					case l.Expected != "" && found && a.Citation.Article == l.Expected:
						out[i].right++
					case found:
						out[i].wrong++
					}
				}
			}
			for i, th := range thresholds {
				t.Logf("confidence >= %.2f: %d/%d answerable answered right, %d wrong answers given, %d/%d unanswerable refused",
					th, out[i].right, answerable, out[i].wrong, out[i].refused, unanswerable)
			}
			if o := out[2]; o.refused < unanswerable/2 || o.right < answerable/2 {
				t.Errorf("at the default threshold: %+v", o)
			}
		})
	}
}
