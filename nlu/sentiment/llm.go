package sentiment

import (
	"context"
	"strconv"
	"strings"

	"github.com/parley-cc/parley/nlu/llm"
)

// Chatter is the LLM an LLMScorer asks (satisfied by *llm.Client).
type Chatter interface {
	Chat(ctx context.Context, msgs []llm.Message) (string, error)
}

// LLMScorer scores with an LLM and falls back to Score on any error or an answer
// that is not a number in [-1, 1].
type LLMScorer struct{ LLM Chatter }

// Score returns the sentiment of utterance in [-1, 1].
func (s LLMScorer) Score(ctx context.Context, utterance string) float64 {
	if s.LLM == nil {
		return Score(utterance)
	}
	out, err := s.LLM.Chat(ctx, []llm.Message{
		{Role: "system", Content: "Rate the caller's sentiment in this contact-center utterance from -1 (very negative) to 1 (very positive). Reply with the number only."},
		{Role: "user", Content: utterance},
	})
	if err != nil {
		return Score(utterance)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(out), 64)
	if err != nil || v < -1 || v > 1 {
		return Score(utterance)
	}
	return v
}
