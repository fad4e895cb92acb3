package sentiment

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-cc/parley/nlu/llm"
)

func TestScore(t *testing.T) {
	tests := []struct {
		in       string
		min, max float64
	}{
		{"thank you so much, that's great", 0.5, 1},
		{"this is ridiculous, third time calling", -1, -0.6},
		{"I want to cancel my account", -1, -0.2},
		{"I'm not happy", -1, -0.1},
		{"not bad at all", 0, 1},
		{"I'm very angry", -1, -0.6},
		{"the agent was helpful but the wait was terrible", -1, -0.1},
		{"the wait was terrible but you sorted it, thanks", 0.1, 1},
		{"my account number is 1234", 0, 0},
		{"", 0, 0},
		{strings.Repeat("awful ", 100000), -1, -0.9},
	}
	for _, tc := range tests {
		got := Score(tc.in)
		if got < tc.min || got > tc.max || got < -1 || got > 1 {
			t.Errorf("Score(%.40q) = %.2f, want in [%.1f, %.1f]", tc.in, got, tc.min, tc.max)
		}
	}
}

func TestTrend(t *testing.T) {
	tr := NewTrend(TrendConfig{})
	for _, s := range []string{"hi, I have a question", "it's still not working", "this is ridiculous", "I'm fed up, cancel my account", "useless"} {
		tr.Add(Score(s))
	}
	if !tr.SustainedNegative() || tr.Slope() >= 0 || tr.EWMA() >= -0.3 {
		t.Errorf("sustained %v slope %.2f ewma %.2f scores %v", tr.SustainedNegative(), tr.Slope(), tr.EWMA(), tr.Scores())
	}
	tr.Add(1)
	tr.Add(1)
	if tr.SustainedNegative() {
		t.Error("still sustained negative after recovery")
	}
}

func FuzzScore(f *testing.F) {
	f.Add("not very happy but thanks")
	f.Add("\xff!!")
	f.Fuzz(func(t *testing.T, s string) {
		if v := Score(s); v < -1 || v > 1 || v != v {
			t.Fatalf("Score(%q) = %v", s, v)
		}
	})
}

type chatFunc func(context.Context, []llm.Message) (string, error)

func (f chatFunc) Chat(ctx context.Context, m []llm.Message) (string, error) { return f(ctx, m) }

func TestLLMScorer(t *testing.T) {
	s := LLMScorer{LLM: chatFunc(func(context.Context, []llm.Message) (string, error) { return " -0.8\n", nil })}
	if v := s.Score(context.Background(), "hmm"); v != -0.8 {
		t.Errorf("llm score = %v", v)
	}
	s.LLM = chatFunc(func(context.Context, []llm.Message) (string, error) { return "very bad", nil })
	if v := s.Score(context.Background(), "this is ridiculous"); v != Score("this is ridiculous") {
		t.Errorf("fallback = %v", v)
	}
}
