package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/console"
)

// BenchmarkQueues: GET /api/v1/queues (token check, account lookup in
// SQLite, stats of two queues, JSON) over loopback HTTP from parallel
// clients.
func BenchmarkQueues(b *testing.B) {
	e := newEnv(b, nil)
	tok := e.login("sam")
	url := e.ts.URL + console.Prefix + "/queues"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkOfferFanout: from Enqueue to the offer event read by every one
// of N supervisor WebSocket clients (ACD routing + console fan-out +
// WebSocket write and read on loopback).
func BenchmarkOfferFanout(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			e := newEnv(b, func(c *console.Config) { c.EventBuffer = 1024 })
			sam, alice := e.login("sam"), e.login("alice")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			wsURL := "ws" + strings.TrimPrefix(e.ts.URL, "http") + console.Prefix + "/events?token=" + sam
			got := make(chan time.Time, n)
			var wg sync.WaitGroup
			defer wg.Wait()
			defer cancel()
			for range n {
				c, _, err := websocket.Dial(ctx, wsURL, nil)
				if err != nil {
					b.Fatal(err)
				}
				c.SetReadLimit(-1)
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer c.CloseNow()
					for {
						_, msg, err := c.Read(ctx)
						if err != nil {
							return
						}
						var ev struct{ Kind string }
						if json.Unmarshal(msg, &ev) == nil && ev.Kind == "offer" {
							got <- time.Now()
						}
					}
				}()
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				e.call(alice, "POST", "/me/state", `{"state":"ready"}`, http.StatusOK, nil)
				id := fmt.Sprintf("bench-%d", i)
				b.StartTimer()
				start := time.Now()
				if _, err := e.acd.Enqueue(ctx, acd.CallRequest{ID: id, Queue: "cards", Context: []byte(`{"summary":"benchmark"}`)}); err != nil {
					b.Fatal(err)
				}
				var last time.Time
				for range n {
					select {
					case t := <-got:
						last = t
					case <-time.After(10 * time.Second):
						b.Fatal("offer not delivered to every client within 10 s")
					}
				}
				lat = append(lat, last.Sub(start))
				b.StopTimer()
				if err := e.acd.Abandon(ctx, id); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
