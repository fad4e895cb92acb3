package embed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAIConfig configures an OpenAI-compatible embeddings client. Zero values mean
// the defaults noted.
type OpenAIConfig struct {
	BaseURL    string        // e.g. http://localhost:11434/v1; OpenAI's if empty
	Model      string        // "text-embedding-3-small" if empty
	APIKey     string        // sent as a bearer token
	Dim        int           // requested dimensions (text-embedding-3 only); 0 = the model's
	BatchSize  int           // texts per request; 64 if zero
	MaxRetries int           // retries after the first attempt on 429, 5xx and network errors; 3 if zero, -1 for none
	Backoff    time.Duration // first retry delay, doubled each retry; 250ms if zero
	Timeout    time.Duration // per request; 30s if zero
	HTTPClient *http.Client  // http.DefaultClient if nil
	Log        *slog.Logger
}

// OpenAI embeds through an OpenAI-compatible /embeddings endpoint.
type OpenAI struct {
	cfg    OpenAIConfig
	client *openai.Client

	mu  sync.Mutex
	dim int
}

var _ Embedder = (*OpenAI)(nil)

// NewOpenAI returns a client; it makes no request until Embed.
func NewOpenAI(cfg OpenAIConfig) *OpenAI {
	if cfg.Model == "" {
		cfg.Model = string(openai.SmallEmbedding3)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = cfg.BaseURL
	}
	if cfg.HTTPClient != nil {
		oc.HTTPClient = cfg.HTTPClient
	}
	return &OpenAI{cfg: cfg, client: openai.NewClientWithConfig(oc), dim: cfg.Dim}
}

// Dim returns the configured dimension, or the one seen in the last response; 0
// before the first response when none is configured.
func (o *OpenAI) Dim() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dim
}

// Embed sends texts in batches of BatchSize and returns unit vectors in input order.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += o.cfg.BatchSize {
		batch := texts[start:min(start+o.cfg.BatchSize, len(texts))]
		vecs, err := o.batch(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("embed %d texts from %d via %s: %w", len(batch), start, o.cfg.Model, err)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (o *OpenAI) batch(ctx context.Context, texts []string) ([][]float32, error) {
	delay := o.cfg.Backoff
	for attempt := 0; ; attempt++ {
		vecs, err := o.once(ctx, texts)
		if err == nil || attempt >= o.cfg.MaxRetries || !retryable(ctx, err) {
			return vecs, err
		}
		o.cfg.Log.Warn("embeddings request failed, retrying", "attempt", attempt+1, "delay", delay, "err", err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay *= 2
	}
}

func (o *OpenAI) once(ctx context.Context, texts []string) ([][]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, o.cfg.Timeout)
	defer cancel()
	resp, err := o.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input: texts, Model: openai.EmbeddingModel(o.cfg.Model), Dimensions: o.cfg.Dim,
	})
	if err != nil {
		return nil, err
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("%w: %d embeddings for %d texts", ErrBadResponse, len(resp.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	dim := 0
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("%w: index %d", ErrBadResponse, d.Index)
		}
		if dim == 0 {
			dim = len(d.Embedding)
		}
		if len(d.Embedding) == 0 || len(d.Embedding) != dim {
			return nil, fmt.Errorf("%w: embedding of length %d, want %d", ErrBadResponse, len(d.Embedding), dim)
		}
		v := append([]float32(nil), d.Embedding...)
		Normalize(v)
		out[d.Index] = v
	}
	o.mu.Lock()
	o.dim = dim
	o.mu.Unlock()
	return out, nil
}

// ErrBadResponse reports an embeddings response that does not match the request.
var ErrBadResponse = errors.New("bad embeddings response")

func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var api *openai.APIError
	if errors.As(err, &api) {
		return api.HTTPStatusCode == http.StatusTooManyRequests || api.HTTPStatusCode >= 500
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		return req.HTTPStatusCode == http.StatusTooManyRequests || req.HTTPStatusCode >= 500 || req.HTTPStatusCode == 0
	}
	return !errors.Is(err, ErrBadResponse)
}
