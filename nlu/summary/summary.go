package summary

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/parley-cc/parley/nlu/llm"
)

// Turn is one utterance of the call.
type Turn struct {
	Speaker string // "caller" or "bot"
	Text    string
}

// Call is what the summary is made from.
type Call struct {
	Transcript []Turn
	// Intents recognised, in order (first is why they called).
	Intents []string
	// Slots gathered, name to normalised value.
	Slots map[string]string
	// Actions the bot tried ("answered from KB: fees", "verified identity").
	Actions []string
	// Sentiment is the call's smoothed sentiment in [-1, 1]; Trend its slope.
	Sentiment, Trend float64
}

// Chatter is the LLM the summarizer may use (satisfied by *llm.Client).
type Chatter interface {
	Chat(ctx context.Context, msgs []llm.Message) (string, error)
}

// Summarizer builds summaries.
type Summarizer struct {
	LLM Chatter // optional
	Log *slog.Logger
}

// Summarize returns the summary. With an LLM it asks for a grounded summary and falls
// back to Extractive on error; it never fails.
func (s *Summarizer) Summarize(ctx context.Context, c Call) string {
	if s.LLM == nil {
		return Extractive(c)
	}
	var b strings.Builder
	for _, t := range c.Transcript {
		fmt.Fprintf(&b, "%s: %s\n", t.Speaker, t.Text)
	}
	facts := Extractive(c)
	out, err := s.LLM.Chat(ctx, []llm.Message{
		{Role: "system", Content: "Summarise this contact-center call for the human agent taking it over, in at most four short sentences: why the customer called, details they gave, what the bot already tried, how they feel. Use only facts from the transcript and the facts list; do not invent anything."},
		{Role: "user", Content: "Transcript:\n" + b.String() + "\nFacts:\n" + facts},
	})
	if err != nil {
		log := s.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("llm summary failed, using extractive", "err", err)
		return facts
	}
	return out
}

// Extractive returns the templated summary.
func Extractive(c Call) string {
	var parts []string
	reason := ""
	if len(c.Intents) > 0 {
		reason = strings.ReplaceAll(c.Intents[0], "_", " ")
	}
	first := ""
	for _, t := range c.Transcript {
		if t.Speaker == "caller" && len(strings.Fields(t.Text)) >= 3 {
			first = t.Text
			break
		}
	}
	switch {
	case reason != "" && first != "":
		parts = append(parts, fmt.Sprintf("Called about %s: %q.", reason, clip(first, 160)))
	case reason != "":
		parts = append(parts, fmt.Sprintf("Called about %s.", reason))
	case first != "":
		parts = append(parts, fmt.Sprintf("Caller said: %q.", clip(first, 160)))
	}
	if len(c.Intents) > 1 {
		parts = append(parts, "Also asked about "+strings.ReplaceAll(strings.Join(c.Intents[1:], ", "), "_", " ")+".")
	}
	if len(c.Slots) > 0 {
		keys := make([]string, 0, len(c.Slots))
		for k := range c.Slots {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+" "+c.Slots[k])
		}
		parts = append(parts, "Gave "+strings.Join(kv, ", ")+".")
	}
	if len(c.Actions) > 0 {
		parts = append(parts, "Bot tried: "+strings.Join(c.Actions, "; ")+".")
	}
	parts = append(parts, "Mood: "+mood(c.Sentiment, c.Trend)+".")
	return strings.Join(parts, " ")
}

func mood(s, trend float64) string {
	m := "neutral"
	switch {
	case s <= -0.5:
		m = "angry"
	case s <= -0.2:
		m = "unhappy"
	case s >= 0.3:
		m = "positive"
	}
	if trend < -0.1 {
		m += ", getting worse"
	} else if trend > 0.1 {
		m += ", improving"
	}
	return m
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
