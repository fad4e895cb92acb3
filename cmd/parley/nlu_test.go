package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestNLUConfig(t *testing.T) {
	cfg, err := LoadConfig("", []string{"PARLEY_NLU_KB_THRESHOLD=0.7", "PARLEY_NLU_LLM_ANSWERS=true"}, []string{"nlu.openai.timeout=3s"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NLU.KBThreshold != 0.7 || !cfg.NLU.LLMAnswers || cfg.NLU.OpenAI.Timeout != 3*time.Second {
		t.Fatalf("nlu = %+v", cfg.NLU)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := cfg.NLU.kbOptions(log)
	if o.LLM == nil || o.Embedder != nil || o.Index != nil || o.Threshold != 0.7 {
		t.Fatalf("kb options = %+v", o)
	}
	if o := defaultNLUConfig().kbOptions(log); o.LLM != nil || o.Embedder != nil || o.Index != nil {
		t.Fatalf("the default uses remote services: %+v", o)
	}

	for _, c := range []struct{ set, want string }{
		{"nlu.embedder=bert", "nlu.embedder"},
		{"nlu.index=faiss", "nlu.index"},
		{"nlu.index=qdrant", "nlu.qdrant.addr"},
		{"nlu.kb_threshold=1.5", "nlu.kb_threshold"},
		{"nlu.kb_threshold=abc", "not a number"},
		{"nlu.openai.base_url=ftp://x", "nlu.openai.base_url"},
		{"nlu.openai.timeout=0s", "nlu.openai.timeout"},
		{"nlu.openai.batch_size=0", "nlu.openai.batch_size"},
		{"nlu.openai.max_retries=-1", "nlu.openai.max_retries"},
		{"nlu.openai.dimensions=-3", "nlu.openai.dimensions"},
	} {
		if _, err := LoadConfig("", nil, []string{c.set}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--set %s: err = %v, want it to name %s", c.set, err, c.want)
		}
	}

	// Qdrant that cannot be reached fails with an error, within its time-out, never hangs.
	cfg, err = LoadConfig("", nil, []string{"nlu.index=qdrant", "nlu.qdrant.addr=127.0.0.1:1", "nlu.qdrant.timeout=1s"})
	if err != nil {
		t.Fatal(err)
	}
	o = cfg.NLU.kbOptions(log)
	if _, err := o.Index(context.Background(), "bank", 0); err == nil {
		t.Fatal("an index with an unknown vector length was opened")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	if ix, err := o.Index(ctx, "bank.draft", 64); err == nil {
		t.Fatalf("qdrant at 127.0.0.1:1 opened: %v", ix)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("an unreachable qdrant took %v to fail", d)
	}
	if got := collectionName("bank.draft"); got != "bank_draft" {
		t.Fatalf("collectionName = %q", got)
	}
}
