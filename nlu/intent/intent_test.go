package intent

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func load(t *testing.T, name string) []Example {
	t.Helper()
	exs, err := ReadFile("../../testdata/nlu/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return exs
}

func TestTrainEvaluateBankISP(t *testing.T) {
	ctx := context.Background()
	c, err := Train(ctx, load(t, "train.csv"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Evaluate(ctx, c, load(t, "test.csv"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("in-scope acc %.3f, macro-F1 %.3f, oos recall %.3f, T=%.2f, threshold %.2f, train %v, confusions %v",
		r.InScopeAccuracy, r.MacroF1, r.OOSRecall, c.Temperature(), c.Threshold(), c.TrainTime(), r.Confusions)
	if r.InScopeAccuracy < 0.85 {
		t.Errorf("in-scope accuracy %.3f < 0.85", r.InScopeAccuracy)
	}
	if r.OOSRecall < 0.5 {
		t.Errorf("out-of-scope recall %.3f < 0.5", r.OOSRecall)
	}
	if r.MacroF1 < 0.8 {
		t.Errorf("macro-F1 %.3f < 0.8", r.MacroF1)
	}
}

func TestClassifyConfidence(t *testing.T) {
	ctx := context.Background()
	c, err := Train(ctx, load(t, "train.csv"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text, want string
	}{
		{"my card was stolen", "lost_card"},
		{"I want to cancel my account", "cancel_service"},
		{"", OutOfScope},
		{"\xff\xfe\x00binary", OutOfScope},
		{strings.Repeat("balance ", 100000), "check_balance"},
	}
	for _, tc := range tests {
		p, err := c.Classify(ctx, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if p.Label != tc.want {
			t.Errorf("Classify(%.30q) = %s (%.2f), want %s", tc.text, p.Label, p.Confidence, tc.want)
		}
		if p.Confidence < 0 || p.Confidence > 1 || len(p.Ranked) == 0 {
			t.Errorf("Classify(%.30q): bad confidence %v / ranked %v", tc.text, p.Confidence, p.Ranked)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		exs  []Example
		want error
	}{
		{"none", nil, ErrNoExamples},
		{"one label", []Example{{"a", "x"}, {"b", "x"}}, ErrTooFewLabels},
		{"empty label", []Example{{"a", ""}, {"b", "x"}}, ErrEmptyLabel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Train(ctx, tc.exs, Config{}); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestEmbedder(t *testing.T) {
	ctx := context.Background()
	calls := 0
	e := EmbedderFunc(func(_ context.Context, texts []string) ([][]float32, error) {
		calls++
		out := make([][]float32, len(texts))
		for i, s := range texts {
			out[i] = []float32{float32(len(s)), float32(strings.Count(s, "card")), 1}
		}
		return out, nil
	})
	c, err := Train(ctx, load(t, "train.csv"), Config{Embedder: e})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Classify(ctx, "my card was stolen")
	if err != nil || p.Label != "lost_card" {
		t.Fatalf("Classify = %+v, %v", p, err)
	}
	if calls != 2 {
		t.Errorf("embedder called %d times, want 2", calls)
	}
	bad := EmbedderFunc(func(context.Context, []string) ([][]float32, error) { return nil, nil })
	if _, err := Train(ctx, load(t, "train.csv"), Config{Embedder: bad}); !errors.Is(err, ErrEmbedMismatch) {
		t.Errorf("mismatched embedder: err = %v", err)
	}
}

func TestReadJSONL(t *testing.T) {
	exs, err := ReadJSONL(strings.NewReader("{\"text\":\"hi\",\"label\":\"greet\"}\n\n{\"text\":\"x\",\"intent\":\"oos\"}\n"))
	if err != nil || len(exs) != 2 || exs[1].Label != "oos" {
		t.Fatalf("ReadJSONL = %v, %v", exs, err)
	}
	if _, err := ReadJSONL(strings.NewReader("{\"text\":\"\"}\n")); !errors.Is(err, ErrFormat) {
		t.Errorf("empty text: err = %v", err)
	}
	if _, err := ReadCSV(strings.NewReader("a,b\n1,2\n")); !errors.Is(err, ErrFormat) {
		t.Errorf("bad header: err = %v", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("text,label\nhello,greet\n")
	f.Add("label,text\n\"a,b\",x\n")
	f.Add("text\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ReadCSV(strings.NewReader(s))
		_, _ = ReadJSONL(strings.NewReader(s))
	})
}

func BenchmarkTrainBankISP(b *testing.B) {
	exs, err := ReadFile("../../testdata/nlu/train.csv")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(context.Background(), exs, Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	exs, err := ReadFile("../../testdata/nlu/train.csv")
	if err != nil {
		b.Fatal(err)
	}
	c, err := Train(context.Background(), exs, Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Classify(context.Background(), "my debit card was stolen yesterday"); err != nil {
			b.Fatal(err)
		}
	}
}
