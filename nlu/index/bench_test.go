package index

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"
)

// benchIndex fills an in-memory Embedded index (never saved) with n random unit
// vectors of dimension dim; exact below threshold points, HNSW above.
func benchIndex(b *testing.B, n, dim int) (*Embedded, [][]float32) {
	b.Helper()
	r := rand.New(rand.NewSource(1))
	ix, err := Open(b.TempDir(), Config{Log: quiet})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 10000
	for start := 0; start < n; start += batch {
		vs := randVecs(r, min(batch, n-start), dim)
		pts := make([]Point, len(vs))
		for i, v := range vs {
			pts[i] = Point{ID: fmt.Sprint(start + i), Vector: v, Payload: Payload{Tenant: "t", KBVersion: "published"}}
		}
		if err := ix.Upsert(context.Background(), pts); err != nil {
			b.Fatal(err)
		}
	}
	return ix, randVecs(r, 1000, dim)
}

// BenchmarkEmbeddedSearch reports p50 and p99 search latency for k=10 with a
// tenant+version filter, at sizes where the index is exact (1k) and HNSW (100k).
func BenchmarkEmbeddedSearch(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ix, qs := benchIndex(b, n, 256)
			f := Filter{Tenant: "t", KBVersion: "published"}
			var lat []time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				t0 := time.Now()
				if _, err := ix.Search(context.Background(), qs[i%len(qs)], 10, f); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkEmbeddedUpsert measures indexing throughput into an HNSW index of 256
// dimensions (the graph is on from the first point).
func BenchmarkEmbeddedUpsert(b *testing.B) {
	r := rand.New(rand.NewSource(2))
	vs := randVecs(r, 4096, 256)
	ix, err := Open(b.TempDir(), Config{ExactThreshold: 1, Log: quiet})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if err := ix.Upsert(context.Background(), []Point{{ID: fmt.Sprint(i), Vector: vs[i%len(vs)]}}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
