package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// BenchmarkAddEvent measures stored events per second, from one goroutine
// (each write waits for its own commit) and from 64 goroutines (the
// writer commits what is queued together), with Sync FULL and NORMAL.
func BenchmarkAddEvent(b *testing.B) {
	for _, sync := range []Sync{SyncFull, SyncNormal} {
		for _, par := range []int{1, 64} {
			b.Run(fmt.Sprintf("sync=%v/goroutines=%d", sync, par), func(b *testing.B) {
				ctx := context.Background()
				s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{Sync: sync})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				if err := s.CreateCall(ctx, newCall("bench", t0)); err != nil {
					b.Fatal(err)
				}
				ev := Event{CallID: "bench", LegID: "a", Type: "dtmf", Detail: []byte(`{"digit":"5"}`)}
				b.ReportAllocs()
				b.ResetTimer()
				if par == 1 {
					for b.Loop() {
						if err := s.AddEvent(ctx, ev); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					var failed atomic.Bool
					b.SetParallelism((par + 1) / 2) // GOMAXPROCS is 2
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := s.AddEvent(ctx, ev); err != nil {
								failed.Store(true)
							}
						}
					})
					if failed.Load() {
						b.Fatal("AddEvent failed")
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
