package runtime

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-cc/parley/nlu/kb"
	"github.com/parley-cc/parley/nlu/llm"
)

// chatServer is an OpenAI-compatible chat endpoint on loopback (the paid
// cloud API is the one thing faked at the HTTP level): status 0 replies with
// reply(prompt), any other status fails every request with it.
func chatServer(t *testing.T, status int, reply func(prompt string) string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if status != 0 {
			http.Error(w, `{"error":{"message":"down"}}`, status)
			return
		}
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{
			"role": "assistant", "content": reply(req.Messages[len(req.Messages)-1].Content)}}}})
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func bankKB(t *testing.T) *kb.KB {
	t.Helper()
	ctx := context.Background()
	base, err := kb.Open(ctx, kb.Config{Dir: t.TempDir(), Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { base.Close() })
	files, err := filepath.Glob("../../scripts/bank/kb/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("bank knowledge base files: %v %v", files, err)
	}
	if _, err := base.ImportFiles(ctx, files, kb.Published, nil); err != nil {
		t.Fatal(err)
	}
	return base
}

func TestKBAnswererLLM(t *testing.T) {
	base := bankKB(t)
	ctx := context.Background()
	const q = "what time do your branches open on saturday"
	plain, pconf, psrc, err := KBAnswerer{KB: base}.Answer(ctx, q)
	if err != nil || plain == "" || psrc == "" {
		t.Fatalf("extractive answer = %q %v %q %v", plain, pconf, psrc, err)
	}

	var prompts []string
	s, n := chatServer(t, 0, func(p string) string {
		prompts = append(prompts, p)
		return "Our branches open at nine on Saturdays [1]."
	})
	a := KBAnswerer{KB: base, LLM: llm.New(llm.Config{BaseURL: s.URL + "/v1", Timeout: 2 * time.Second}), Log: quiet()}
	text, conf, src, err := a.Answer(ctx, q)
	if err != nil || text != "Our branches open at nine on Saturdays." || conf != pconf || src == "" {
		t.Fatalf("llm answer = %q %v %q %v", text, conf, src, err)
	}
	if n.Load() != 1 || !strings.Contains(prompts[0], q) || !strings.Contains(prompts[0], "[1]") {
		t.Fatalf("the LLM got %d requests, prompt %q", n.Load(), prompts)
	}

	// A question the knowledge base cannot answer never reaches the LLM.
	if text, _, _, err := a.Answer(ctx, "what is the airspeed of an unladen swallow"); err != nil || n.Load() != 1 {
		t.Fatalf("unanswerable: %q %v, LLM requests %d", text, err, n.Load())
	}

	// The model's refusal is "no answer", not a made-up one.
	refuse, _ := chatServer(t, 0, func(string) string { return "NO_ANSWER" })
	a.LLM = llm.New(llm.Config{BaseURL: refuse.URL + "/v1", Timeout: 2 * time.Second})
	if text, conf, _, err := a.Answer(ctx, q); err != nil || text != "" || conf != 0 {
		t.Fatalf("refusal = %q %v %v", text, conf, err)
	}

	// An endpoint that fails falls back to the extractive answer, in bounded time.
	down, _ := chatServer(t, http.StatusBadGateway, nil)
	a.LLM = llm.New(llm.Config{BaseURL: down.URL + "/v1", Timeout: time.Second, Retries: -1})
	start := time.Now()
	text, conf, _, err = a.Answer(ctx, q)
	if err != nil || text != plain || conf != pconf {
		t.Fatalf("fallback = %q %v %v, want %q", text, conf, err, plain)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("fallback took %v", d)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
