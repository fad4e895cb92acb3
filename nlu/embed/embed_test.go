package embed

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestHashedSimilarity(t *testing.T) {
	h := NewHashed(HashedConfig{Dim: 512})
	h.Fit([]string{
		"How do I report a lost or stolen card",
		"Branch opening hours on Saturday",
		"Monthly account fees and charges",
		"Reset my online banking password",
	})
	vs, err := h.Embed(context.Background(), []string{"I lost my debit card", "report a stolen card", "what time do branches open", ""})
	if err != nil {
		t.Fatal(err)
	}
	if Dot(vs[0], vs[1]) <= Dot(vs[0], vs[2]) {
		t.Errorf("lost card closer to opening hours (%.3f) than to stolen card (%.3f)", Dot(vs[0], vs[2]), Dot(vs[0], vs[1]))
	}
	if d := Dot(vs[1], vs[1]); d < 0.999 || d > 1.001 {
		t.Errorf("not unit length: %v", d)
	}
	if Dot(vs[3], vs[3]) != 0 {
		t.Error("empty text should embed to zero")
	}
	// Misspellings still land near the word via character n-grams.
	a, b, c := h.Vector("acount"), h.Vector("account"), h.Vector("password")
	if Dot(a, b) < 0.2 || Dot(a, b) <= Dot(a, c) {
		t.Errorf("misspelling similarity %.3f (unrelated %.3f)", Dot(a, b), Dot(a, c))
	}
}

func TestHashedMarshalRoundTrip(t *testing.T) {
	h := NewHashed(HashedConfig{Dim: 64})
	h.Fit([]string{"a b c", "router reboot", "slow wifi"})
	b, _ := h.MarshalBinary()
	var g Hashed
	if err := g.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if Dot(h.Vector("slow router"), g.Vector("slow router")) < 0.9999 {
		t.Fatal("round trip changed the model")
	}
	for _, bad := range [][]byte{nil, []byte("PHE1"), append([]byte("XXXX"), b[4:]...), b[:len(b)-1]} {
		if err := g.UnmarshalBinary(bad); !errors.Is(err, ErrBadModel) {
			t.Errorf("UnmarshalBinary(%d bytes) = %v, want ErrBadModel", len(bad), err)
		}
	}
}

func FuzzHashedUnmarshal(f *testing.F) {
	h := NewHashed(HashedConfig{Dim: 8})
	b, _ := h.MarshalBinary()
	f.Add(b)
	f.Add([]byte("PHE1\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var g Hashed
		if g.UnmarshalBinary(b) == nil {
			b2, _ := g.MarshalBinary()
			if string(b2) != string(b) {
				t.Fatal("re-marshal differs")
			}
			_ = g.Vector("lost card")
		}
	})
}

// fakeOpenAI serves /embeddings like the OpenAI API, failing the first fail requests
// with status code.
func fakeOpenAI(t *testing.T, fail int, code int, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.URL.Path != "/v1/embeddings" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, `{"error":{"message":"bad path or key"}}`, http.StatusNotFound)
			return
		}
		if int(n) <= fail {
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"error":{"message":"try later","type":"server_error"}}`))
			return
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		resp := struct {
			Object string `json:"object"`
			Data   []item `json:"data"`
			Model  string `json:"model"`
		}{Object: "list", Model: req.Model}
		// Reply in reverse order to check the client orders by index.
		for i := len(req.Input) - 1; i >= 0; i-- {
			resp.Data = append(resp.Data, item{"embedding", i, []float32{float32(len(req.Input[i])), 1, 0}})
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOpenAIBatchingAndOrder(t *testing.T) {
	var calls atomic.Int32
	srv := fakeOpenAI(t, 0, 0, &calls)
	o := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "k", Model: "m", BatchSize: 2})
	texts := []string{"a", "bb", "ccc", "dddd", "eeeee"}
	vs, err := o.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d requests, want 3 batches", calls.Load())
	}
	for i, v := range vs {
		// v = normalise(len, 1, 0): v[0]/v[1] == len(text).
		if got := v[0] / v[1]; got < float32(len(texts[i]))-0.01 || got > float32(len(texts[i]))+0.01 {
			t.Errorf("vector %d out of order: ratio %v", i, got)
		}
	}
	if o.Dim() != 3 {
		t.Errorf("Dim = %d, want 3", o.Dim())
	}
}

func TestOpenAIRetries(t *testing.T) {
	tests := []struct {
		name      string
		fail      int
		code      int
		wantErr   bool
		wantCalls int32
	}{
		{"503 then ok", 2, http.StatusServiceUnavailable, false, 3},
		{"429 then ok", 1, http.StatusTooManyRequests, false, 2},
		{"400 not retried", 5, http.StatusBadRequest, true, 1},
		{"500 gives up", 10, http.StatusInternalServerError, true, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := fakeOpenAI(t, tc.fail, tc.code, &calls)
			o := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "k", Backoff: time.Millisecond, Log: quiet})
			_, err := o.Embed(context.Background(), []string{"x"})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if calls.Load() != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), tc.wantCalls)
			}
		})
	}
}

func TestOpenAIUnreachableFailsFast(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	o := NewOpenAI(OpenAIConfig{BaseURL: url, Backoff: time.Millisecond, MaxRetries: 2, Log: quiet})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := o.Embed(ctx, []string{"x"}); err == nil {
		t.Fatal("want an error from an unreachable endpoint")
	}
	if ctx.Err() != nil {
		t.Fatal("unreachable endpoint hung until the deadline")
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
