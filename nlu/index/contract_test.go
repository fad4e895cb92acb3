package index

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"testing"
)

// runContract checks the behaviour every Index must have. open returns a fresh,
// empty index of dimension 4.
func runContract(t *testing.T, open func(t *testing.T) Index) {
	ctx := context.Background()
	seed := []Point{
		{ID: "a", Vector: []float32{1, 0, 0, 0}, Payload: Payload{Tenant: "bank", Language: "en", KBVersion: "published", Tags: []string{"cards"}}},
		{ID: "b", Vector: []float32{0.9, 0.1, 0, 0}, Payload: Payload{Tenant: "bank", Language: "en", KBVersion: "draft", Tags: []string{"cards", "fees"}}},
		{ID: "c", Vector: []float32{0, 1, 0, 0}, Payload: Payload{Tenant: "isp", Language: "en", KBVersion: "published", Tags: []string{"router"}}},
		{ID: "d", Vector: []float32{0, 0, 1, 0}, Payload: Payload{Tenant: "bank", Language: "fr", KBVersion: "published", Fields: map[string]string{"title": "Frais"}}},
	}
	q := []float32{1, 0.05, 0, 0}
	ids := func(h []Hit) string {
		s := ""
		for _, x := range h {
			s += x.ID
		}
		return s
	}
	t.Run("filters", func(t *testing.T) {
		ix := open(t)
		if err := ix.Upsert(ctx, seed); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    Filter
			want string
		}{
			{"none", Filter{}, "abcd"},
			{"tenant", Filter{Tenant: "bank"}, "abd"},
			{"language", Filter{Language: "fr"}, "d"},
			{"version", Filter{KBVersion: "published"}, "acd"},
			{"tag", Filter{Tags: []string{"cards"}}, "ab"},
			{"all tags", Filter{Tags: []string{"cards", "fees"}}, "b"},
			{"no match", Filter{Tenant: "nobody"}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				h, err := ix.Search(ctx, q, 10, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(h); got != tc.want {
					t.Errorf("hits %q, want %q", got, tc.want)
				}
			})
		}
		h, _ := ix.Search(ctx, q, 1, Filter{Language: "fr"})
		if len(h) != 1 || h[0].Payload.Fields["title"] != "Frais" {
			t.Errorf("payload not returned: %+v", h)
		}
		if h, _ := ix.Search(ctx, q, 1, Filter{}); len(h) != 1 || h[0].Score < 0.99 {
			t.Errorf("top score %+v, want ~1", h)
		}
	})
	t.Run("upsert replaces and delete removes", func(t *testing.T) {
		ix := open(t)
		if err := ix.Upsert(ctx, seed); err != nil {
			t.Fatal(err)
		}
		if err := ix.Upsert(ctx, []Point{{ID: "a", Vector: []float32{0, 0, 0, 1}, Payload: Payload{Tenant: "bank"}}}); err != nil {
			t.Fatal(err)
		}
		if err := ix.Delete(ctx, []string{"b", "missing"}); err != nil {
			t.Fatal(err)
		}
		h, err := ix.Search(ctx, []float32{0, 0, 0, 1}, 10, Filter{Tenant: "bank"})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(h); got != "ad" {
			t.Errorf("hits %q, want %q (a moved to dim 4, b deleted)", got, "ad")
		}
	})
	t.Run("bad input", func(t *testing.T) {
		ix := open(t)
		if err := ix.Upsert(ctx, seed); err != nil {
			t.Fatal(err)
		}
		if err := ix.Upsert(ctx, []Point{{ID: "", Vector: []float32{1, 0, 0, 0}}}); err == nil {
			t.Error("empty id accepted")
		}
		if err := ix.Upsert(ctx, []Point{{ID: "x", Vector: []float32{1, 0}}}); err == nil {
			t.Error("wrong dimension accepted")
		}
		if _, err := ix.Search(ctx, []float32{1, 0}, 3, Filter{}); err == nil {
			t.Error("wrong query dimension accepted")
		}
	})
}

func TestEmbeddedContract(t *testing.T) {
	runContract(t, func(t *testing.T) Index {
		ix, err := Open(t.TempDir(), Config{Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	})
}

// TestEmbeddedHNSWContract runs the contract with the graph forced on.
func TestEmbeddedHNSWContract(t *testing.T) {
	runContract(t, func(t *testing.T) Index {
		ix, err := Open(t.TempDir(), Config{ExactThreshold: 1, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	})
}

func randVecs(r *rand.Rand, n, dim int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		normalize(v)
		out[i] = v
	}
	return out
}

func TestEmbeddedPersistenceAndRecall(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := rand.New(rand.NewSource(7))
	const n, dim = 3000, 32
	vecs := randVecs(r, n, dim)
	ix, err := Open(dir, Config{ExactThreshold: 1000, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	pts := make([]Point, n)
	for i, v := range vecs {
		pts[i] = Point{ID: fmt.Sprint("p", i), Vector: v, Payload: Payload{Tenant: []string{"x", "y"}[i%2]}}
	}
	if err := ix.Upsert(ctx, pts); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir, Config{ExactThreshold: 1000, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Len() != n {
		t.Fatalf("reloaded %d points, want %d", ix.Len(), n)
	}
	// HNSW recall@10 against exact search.
	found, total := 0, 0
	for _, q := range randVecs(r, 50, dim) {
		approx, err := ix.Search(ctx, q, 10, Filter{Tenant: "y"})
		if err != nil {
			t.Fatal(err)
		}
		exact, _ := ix.searchExact(ctx, q, 10, Filter{Tenant: "y"})
		in := map[string]bool{}
		for _, h := range approx {
			in[h.ID] = true
			if h.Payload.Tenant != "y" {
				t.Fatalf("filter leaked %+v", h)
			}
		}
		for _, h := range exact {
			total++
			if in[h.ID] {
				found++
			}
		}
	}
	if recall := float64(found) / float64(total); recall < 0.9 {
		t.Errorf("HNSW recall@10 = %.2f, want >= 0.9", recall)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
