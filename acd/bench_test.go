package acd

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkRoute measures, at 1,000 agents and 10,000 waiting calls, one routing
// decision: an agent becomes ready (SetState) and a routing pass offers it the best call
// it can take (snapshot, ranking, strategy, atomic claim, offer event). The agent then
// declines, so the call goes back to its place and the sizes stay constant. Reported:
// decisions/s and the p99 time from ready to offer.
func BenchmarkRoute(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			const nAgents, nCalls = 1000, 10000
			rng := rand.New(rand.NewPCG(3, 4))
			var queues []QueueConfig
			for i := range 4 {
				queues = append(queues, QueueConfig{Name: fmt.Sprintf("q%d", i), Skills: map[string]int{fmt.Sprintf("s%d", i): 3}, Ageing: time.Minute})
			}
			var ags []AgentConfig
			for i := range nAgents {
				ags = append(ags, AgentConfig{ID: fmt.Sprintf("a%04d", i), Skills: map[string]int{
					fmt.Sprintf("s%d", i%4): 3 + rng.IntN(8), fmt.Sprintf("s%d", (i+1)%4): 1 + rng.IntN(10)}})
			}
			a, err := New(Config{Backend: be.new(b), Queues: queues, Agents: ags, Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if err := a.provision(ctx); err != nil {
				b.Fatal(err)
			}
			for _, ag := range ags {
				if err := a.Login(ctx, ag.ID); err != nil {
					b.Fatal(err)
				}
			}
			for i := range nCalls {
				if _, err := a.Enqueue(ctx, CallRequest{ID: fmt.Sprintf("c%05d", i), Queue: queues[rng.IntN(4)].Name, Priority: rng.IntN(3)}); err != nil {
					b.Fatal(err)
				}
			}
			var lat []time.Duration
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				id := ags[i%nAgents].ID
				i++
				t0 := time.Now()
				if err := a.SetState(ctx, id, StateReady, ""); err != nil {
					b.Fatal(err)
				}
				a.step(ctx)
				lat = append(lat, time.Since(t0))
				b.StopTimer()
				o, ok, err := a.CurrentOffer(ctx, id)
				if err != nil || !ok {
					b.Fatalf("agent %s: no offer (%v)", id, err)
				}
				if err := a.Decline(ctx, o.ID, "bench"); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			slices.Sort(lat)
			p99 := lat[min(len(lat)-1, len(lat)*99/100)]
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ready-to-offer-ms")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}
