package kb

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkAnswer measures one hybrid Answer on the bank sample (embedding the
// question, BM25, vector search, fusion, confidence, the usage or gap write).
func BenchmarkAnswer(b *testing.B) {
	k := openSample(b, "bank")
	qs := readQuestions(b, filepath.Join("..", "..", "testdata", "kb", "bank.jsonl"))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := k.Answer(context.Background(), qs[i%len(qs)].Question, SearchOptions{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkImport measures importing the bank sample into an empty knowledge base
// (parse, store, fit the embedder, embed and index every chunk).
func BenchmarkImport(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "scripts", "bank", "kb", "*"))
	for b.Loop() {
		b.StopTimer()
		k, err := Open(context.Background(), Config{Dir: b.TempDir(), Log: quietLog})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := k.ImportFiles(context.Background(), paths, Published, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		k.Close()
		b.StartTimer()
	}
}
