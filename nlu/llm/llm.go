package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// ErrNoAnswer is returned by Answer when the passages do not support an answer.
var ErrNoAnswer = errors.New("llm: the passages do not answer the question")

// ErrEmpty is returned when the endpoint answers with no content.
var ErrEmpty = errors.New("llm: empty completion")

// Config configures a Client; zero values mean defaults.
type Config struct {
	BaseURL string // e.g. http://localhost:11434/v1; default OpenAI
	APIKey  string
	Model   string        // default gpt-4o-mini
	Timeout time.Duration // per attempt; default 20 s
	Retries int           // further attempts after a failure; default 2
	Log     *slog.Logger
}

// Client calls chat completions.
type Client struct {
	cfg Config
	c   *openai.Client
}

// New returns a Client.
func New(cfg Config) *Client {
	if cfg.Model == "" {
		cfg.Model = "gpt-4o-mini"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = 2
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = cfg.BaseURL
	}
	return &Client{cfg: cfg, c: openai.NewClientWithConfig(oc)}
}

// Message is one chat message; Role is "system", "user" or "assistant".
type Message struct {
	Role    string
	Content string
}

// Chat returns the assistant's reply to messages, retrying transient failures.
func (c *Client) Chat(ctx context.Context, msgs []Message) (string, error) {
	req := openai.ChatCompletionRequest{Model: c.cfg.Model, Temperature: 0}
	for _, m := range msgs {
		req.Messages = append(req.Messages, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	var err error
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(attempt*attempt) * 200 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return "", fmt.Errorf("chat completion: %w", ctx.Err())
			case <-t.C:
			}
		}
		var out string
		if out, err = c.once(ctx, req); err == nil {
			return out, nil
		}
		if ctx.Err() != nil || !retryable(err) {
			break
		}
		c.cfg.Log.Warn("chat completion failed, retrying", "attempt", attempt+1, "err", err)
	}
	return "", fmt.Errorf("chat completion (%s): %w", c.cfg.Model, err)
}

func (c *Client) once(ctx context.Context, req openai.ChatCompletionRequest) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.c.CreateChatCompletion(ctx, req)
	if err != nil {
		return "", err
	}
	if len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Message.Content) == "" {
		return "", ErrEmpty
	}
	return strings.TrimSpace(resp.Choices[0].Message.Content), nil
}

func retryable(err error) bool {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatusCode == 429 || ae.HTTPStatusCode >= 500
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode == 429 || re.HTTPStatusCode >= 500
	}
	return !errors.Is(err, context.Canceled)
}

// Passage is one retrieved piece of knowledge.
type Passage struct {
	ID     string
	Title  string
	Text   string
	Source string
}

// Answered is a grounded answer with the passages it cites.
type Answered struct {
	Text      string
	Citations []Passage
}

const refusal = "NO_ANSWER"

var citeRE = regexp.MustCompile(`\[(\d+)\]`)

// citeStrip removes a citation marker and the blanks before it, so
// "open at nine [1]." is spoken as "open at nine."
var citeStrip = regexp.MustCompile(`\s*\[\d+\]`)

// Answer answers question from passages only. The reply must cite passages as [n];
// a reply that cites none, or the model's refusal, gives ErrNoAnswer.
func (c *Client) Answer(ctx context.Context, question string, passages []Passage) (Answered, error) {
	if len(passages) == 0 || strings.TrimSpace(question) == "" {
		return Answered{}, ErrNoAnswer
	}
	var b strings.Builder
	for i, p := range passages {
		fmt.Fprintf(&b, "[%d] %s\n%s\n\n", i+1, p.Title, p.Text)
	}
	sys := "You answer a caller's question for a contact center, using ONLY the numbered passages. " +
		"Answer in one or two short spoken sentences and cite the passages you used as [n]. " +
		"If the passages do not contain the answer, reply exactly " + refusal + "."
	out, err := c.Chat(ctx, []Message{{"system", sys}, {"user", "Passages:\n" + b.String() + "Question: " + question}})
	if err != nil {
		return Answered{}, err
	}
	if strings.Contains(out, refusal) {
		return Answered{}, ErrNoAnswer
	}
	var a Answered
	seen := map[int]bool{}
	for _, m := range citeRE.FindAllStringSubmatch(out, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		if n >= 1 && n <= len(passages) && !seen[n] {
			seen[n] = true
			a.Citations = append(a.Citations, passages[n-1])
		}
	}
	if len(a.Citations) == 0 {
		return Answered{}, fmt.Errorf("%w: the reply cites no passage", ErrNoAnswer)
	}
	a.Text = strings.TrimSpace(citeStrip.ReplaceAllString(out, ""))
	return a, nil
}
