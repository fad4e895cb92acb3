package summary

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parley-cc/parley/nlu/llm"
)

var call = Call{
	Transcript: []Turn{{"bot", "How can I help?"}, {"caller", "my internet has been down since Monday"}, {"caller", "this is the third time calling"}},
	Intents:    []string{"internet_outage", "cancel_service"},
	Slots:      map[string]string{"account": "12345678", "postcode": "SW1A 1AA"},
	Actions:    []string{"checked outages in the area", "offered a router restart"},
	Sentiment:  -0.6, Trend: -0.2,
}

func TestExtractive(t *testing.T) {
	got := Extractive(call)
	for _, want := range []string{"internet outage", "down since Monday", "account 12345678", "router restart", "angry, getting worse", "cancel service"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q: %s", want, got)
		}
	}
	if Extractive(Call{}) != "Mood: neutral." {
		t.Errorf("empty call: %q", Extractive(Call{}))
	}
}

type chatFunc func(context.Context, []llm.Message) (string, error)

func (f chatFunc) Chat(ctx context.Context, m []llm.Message) (string, error) { return f(ctx, m) }

func TestLLMFallback(t *testing.T) {
	s := &Summarizer{LLM: chatFunc(func(_ context.Context, m []llm.Message) (string, error) {
		if !strings.Contains(m[1].Content, "third time calling") {
			return "", errors.New("ungrounded")
		}
		return "Outage since Monday; angry.", nil
	})}
	if got := s.Summarize(context.Background(), call); got != "Outage since Monday; angry." {
		t.Errorf("llm summary = %q", got)
	}
	s.LLM = chatFunc(func(context.Context, []llm.Message) (string, error) { return "", errors.New("down") })
	if got := s.Summarize(context.Background(), call); got != Extractive(call) {
		t.Errorf("fallback = %q", got)
	}
}
