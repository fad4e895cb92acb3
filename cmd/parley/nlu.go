package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/parley-cc/parley/bot"
	"github.com/parley-cc/parley/nlu/embed"
	"github.com/parley-cc/parley/nlu/index"
	"github.com/parley-cc/parley/nlu/llm"
)

// NLUConfig is understanding: how knowledge bases embed and index their
// chunks, when the bot says it does not know, and the optional LLM.
type NLUConfig struct {
	// Embedder is builtin (hashed TF-IDF n-grams, no downloaded weights) or openai (nlu.openai's embeddings endpoint).
	Embedder string `yaml:"embedder"`
	// Index is embedded (in-process, under data_dir/kb) or qdrant (nlu.qdrant).
	Index string `yaml:"index"`
	// KBThreshold is the answer confidence (0..1) below which the bot says it does not know and logs a knowledge gap; 0 keeps the knowledge base's default (0.65).
	KBThreshold float64 `yaml:"kb_threshold"`
	// LLMAnswers phrases knowledge-base answers with nlu.openai.chat_model from the retrieved passages, citing them and refusing when they do not support an answer.
	LLMAnswers bool `yaml:"llm_answers"`
	// OpenAI is the OpenAI-compatible endpoint for embeddings and the LLM.
	OpenAI NLUOpenAIConfig `yaml:"openai"`
	// Qdrant is the Qdrant server for index: qdrant.
	Qdrant QdrantConfig `yaml:"qdrant"`
}

// NLUOpenAIConfig is an OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LocalAI ...).
type NLUOpenAIConfig struct {
	// BaseURL is the API's base URL, e.g. http://localhost:11434/v1; empty is OpenAI's.
	BaseURL string `yaml:"base_url"`
	// APIKey is sent as a bearer token; prefer the environment variable PARLEY_NLU_OPENAI_API_KEY.
	APIKey string `yaml:"api_key"`
	// EmbeddingModel is the embeddings model for embedder: openai.
	EmbeddingModel string `yaml:"embedding_model"`
	// Dimensions asks text-embedding-3 models for shorter vectors; 0 is the model's own length.
	Dimensions int `yaml:"dimensions"`
	// BatchSize is how many texts one embeddings request carries.
	BatchSize int `yaml:"batch_size"`
	// ChatModel is the chat-completions model for llm_answers and LLM summaries.
	ChatModel string `yaml:"chat_model"`
	// Timeout bounds each request; a slow endpoint falls back (the built-in answer) instead of holding a caller.
	Timeout time.Duration `yaml:"timeout"`
	// MaxRetries is how many times a failed request (429, 5xx, network) is retried.
	MaxRetries int `yaml:"max_retries"`
}

// QdrantConfig is a Qdrant server reached over gRPC.
type QdrantConfig struct {
	// Addr is Qdrant's gRPC host:port, e.g. localhost:6334.
	Addr string `yaml:"addr"`
	// APIKey authenticates to Qdrant; prefer PARLEY_NLU_QDRANT_API_KEY.
	APIKey string `yaml:"api_key"`
	// TLS connects with TLS.
	TLS bool `yaml:"tls"`
	// CollectionPrefix starts each knowledge base's collection name (the script's name follows).
	CollectionPrefix string `yaml:"collection_prefix"`
	// Timeout bounds each Qdrant call.
	Timeout time.Duration `yaml:"timeout"`
}

func defaultNLUConfig() NLUConfig {
	return NLUConfig{
		Embedder: "builtin",
		Index:    "embedded",
		OpenAI:   NLUOpenAIConfig{EmbeddingModel: "text-embedding-3-small", BatchSize: 64, ChatModel: "gpt-4o-mini", Timeout: 10 * time.Second, MaxRetries: 2},
		Qdrant:   QdrantConfig{CollectionPrefix: "parley_kb_", Timeout: 5 * time.Second},
	}
}

func (c NLUConfig) validate() []error {
	var errs []error
	switch c.Embedder {
	case "builtin", "openai":
	default:
		errs = append(errs, fmt.Errorf("nlu.embedder: %q is not builtin or openai", c.Embedder))
	}
	switch c.Index {
	case "embedded":
	case "qdrant":
		if c.Qdrant.Addr == "" {
			errs = append(errs, errors.New("nlu.qdrant.addr: required with nlu.index: qdrant"))
		}
		if c.Qdrant.Timeout <= 0 {
			errs = append(errs, fmt.Errorf("nlu.qdrant.timeout: %v must be positive", c.Qdrant.Timeout))
		}
	default:
		errs = append(errs, fmt.Errorf("nlu.index: %q is not embedded or qdrant", c.Index))
	}
	if c.KBThreshold < 0 || c.KBThreshold > 1 {
		errs = append(errs, fmt.Errorf("nlu.kb_threshold: %v is not between 0 and 1", c.KBThreshold))
	}
	o := c.OpenAI
	if o.BaseURL != "" && !strings.HasPrefix(o.BaseURL, "http://") && !strings.HasPrefix(o.BaseURL, "https://") {
		errs = append(errs, fmt.Errorf("nlu.openai.base_url: %q is not an http(s) URL", o.BaseURL))
	}
	if c.Embedder == "openai" && o.EmbeddingModel == "" {
		errs = append(errs, errors.New("nlu.openai.embedding_model: required with nlu.embedder: openai"))
	}
	if c.LLMAnswers && o.ChatModel == "" {
		errs = append(errs, errors.New("nlu.openai.chat_model: required with nlu.llm_answers"))
	}
	if o.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("nlu.openai.timeout: %v must be positive", o.Timeout))
	}
	if o.BatchSize <= 0 || o.BatchSize > 2048 {
		errs = append(errs, fmt.Errorf("nlu.openai.batch_size: %d is not between 1 and 2048", o.BatchSize))
	}
	if o.MaxRetries < 0 || o.MaxRetries > 10 {
		errs = append(errs, fmt.Errorf("nlu.openai.max_retries: %d is not between 0 and 10", o.MaxRetries))
	}
	if o.Dimensions < 0 {
		errs = append(errs, fmt.Errorf("nlu.openai.dimensions: %d must not be negative", o.Dimensions))
	}
	return errs
}

// llm returns the chat client, or nil when nothing uses it.
func (c NLUConfig) llm(log *slog.Logger) *llm.Client {
	if !c.LLMAnswers {
		return nil
	}
	retries := c.OpenAI.MaxRetries
	if retries == 0 {
		retries = -1 // llm.Config: 0 means its default
	}
	return llm.New(llm.Config{BaseURL: c.OpenAI.BaseURL, APIKey: c.OpenAI.APIKey, Model: c.OpenAI.ChatModel,
		Timeout: c.OpenAI.Timeout, Retries: retries, Log: log})
}

// kbOptions builds the knowledge bases' back-ends from the configuration.
func (c NLUConfig) kbOptions(log *slog.Logger) bot.KBOptions {
	o := bot.KBOptions{Threshold: c.KBThreshold, LLM: c.llm(log)}
	if c.Embedder == "openai" {
		retries := c.OpenAI.MaxRetries
		if retries == 0 {
			retries = -1 // embed.OpenAIConfig: 0 means its default
		}
		o.Embedder = embed.NewOpenAI(embed.OpenAIConfig{BaseURL: c.OpenAI.BaseURL, Model: c.OpenAI.EmbeddingModel,
			APIKey: c.OpenAI.APIKey, Dim: c.OpenAI.Dimensions, BatchSize: c.OpenAI.BatchSize, MaxRetries: retries,
			Timeout: c.OpenAI.Timeout, Log: log})
	}
	if c.Index == "qdrant" {
		q := c.Qdrant
		o.Index = func(ctx context.Context, name string, dim int) (index.Index, error) {
			if dim <= 0 {
				return nil, errors.New("qdrant: the embedder's vector length is unknown: set nlu.openai.dimensions")
			}
			return index.OpenQdrant(ctx, index.QdrantConfig{Addr: q.Addr, APIKey: q.APIKey, UseTLS: q.TLS,
				Collection: q.CollectionPrefix + collectionName(name), Dim: dim, Timeout: q.Timeout})
		}
	}
	return o
}

// collectionName keeps a knowledge base's name to Qdrant's safe characters.
func collectionName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		}
		return '_'
	}, name)
}
