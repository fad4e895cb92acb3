package llm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server is an OpenAI-compatible endpoint on loopback that replies with reply(prompt).
func server(t *testing.T, fails int32, reply func(prompt string) string) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= fails {
			http.Error(w, `{"error":{"message":"busy"}}`, http.StatusServiceUnavailable)
			return
		}
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": reply(req.Messages[len(req.Messages)-1].Content)}}}})
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func TestAnswer(t *testing.T) {
	s, n := server(t, 1, func(p string) string {
		if strings.Contains(p, "opening hours") {
			return "We are open nine to five on weekdays [2]."
		}
		return "NO_ANSWER"
	})
	c := New(Config{BaseURL: s.URL + "/v1", Timeout: 2 * time.Second})
	ps := []Passage{{ID: "a", Title: "Fees", Text: "No fees."}, {ID: "b", Title: "Hours", Text: "Open 9-5 Mon-Fri."}}
	a, err := c.Answer(context.Background(), "what are your opening hours", ps)
	if err != nil || len(a.Citations) != 1 || a.Citations[0].ID != "b" || strings.Contains(a.Text, "[2]") {
		t.Fatalf("Answer = %+v, %v", a, err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2 (one retry)", n.Load())
	}
	if _, err := c.Answer(context.Background(), "can I get a mortgage", ps); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("unsupported question: err = %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	c := New(Config{BaseURL: "http://127.0.0.1:1/v1", Timeout: time.Second, Retries: -1})
	start := time.Now()
	if _, err := c.Chat(context.Background(), []Message{{"user", "hi"}}); err == nil {
		t.Fatal("no error from an unreachable endpoint")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}
