package acd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd/acdtest"
)

// node is an ACD with its routing loop running on a real clock.
type node struct {
	a      *ACD
	be     *Redis
	cancel context.CancelFunc
	done   chan struct{}
}

func startNode(t *testing.T, addr, prefix, name string, cfg Config) *node {
	t.Helper()
	be := NewRedis(RedisConfig{Addr: addr, Prefix: prefix})
	cfg.Backend, cfg.Node, cfg.Tick = be, name, 20*time.Millisecond
	cfg.Log = slog.New(slog.DiscardHandler)
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{a: a, be: be, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(n.done); _ = a.Run(ctx) }()
	t.Cleanup(n.stop)
	return n
}

func (n *node) stop() {
	n.cancel()
	<-n.done
	n.be.Close()
}

func waitFor(t *testing.T, what string, d time.Duration, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwoNodesShareRedis routes calls arriving on two nodes sharing one redis-server,
// restarts one node mid-run, and checks that no agent ever holds two offers or two
// calls, and that every call is served exactly once.
func TestTwoNodesShareRedis(t *testing.T) {
	const nCalls, nAgents = 300, 20
	srv := acdtest.StartRedis(t)
	cfg := Config{Queues: []QueueConfig{{Name: "sales", Skills: map[string]int{"sales": 1}}}}
	for i := range nAgents {
		cfg.Agents = append(cfg.Agents, AgentConfig{ID: fmt.Sprintf("a%02d", i), Skills: map[string]int{"sales": 1 + i%10}})
	}
	nodes := []*node{startNode(t, srv.Addr, "multi:", "n1", cfg), startNode(t, srv.Addr, "multi:", "n2", cfg)}
	ctx := context.Background()
	waitFor(t, "agents provisioned", 5*time.Second, func() bool {
		ags, err := nodes[0].a.Agents(ctx)
		return err == nil && len(ags) == nAgents
	})
	for i := range nAgents {
		id := fmt.Sprintf("a%02d", i)
		if err := nodes[i%2].a.Login(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := nodes[i%2].a.SetState(ctx, id, StateReady, ""); err != nil {
			t.Fatal(err)
		}
	}
	// mu guards nodes[1] across the restart, which is graceful: the old
	// node finishes the Enqueue under way before it stops (an Enqueue cut
	// off by closing its Redis client fails, as it would on a killed node).
	var mu sync.RWMutex
	nodeAt := func(i int) *ACD { return nodes[i%2].a } // on this goroutine, which restarts
	var wg sync.WaitGroup
	for n := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range nCalls / 2 {
				id := fmt.Sprintf("n%d-call%03d", n, i)
				mu.RLock()
				_, err := nodes[n%2].a.Enqueue(ctx, CallRequest{ID: id, Queue: "sales", Priority: i % 3, Context: []byte(id)})
				mu.RUnlock()
				if err != nil {
					t.Errorf("enqueue %s: %v", id, err)
				}
				time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
			}
		}()
	}
	served := map[string]int{}
	onCall := map[string]string{} // agent -> call
	restarted := false
	rng := rand.New(rand.NewPCG(1, 2))
	deadline := time.Now().Add(60 * time.Second)
	for len(served) < nCalls {
		if time.Now().After(deadline) {
			t.Fatalf("served %d of %d calls", len(served), nCalls)
		}
		if !restarted && len(served) > nCalls/3 {
			restarted = true
			mu.Lock()
			nodes[1].stop()
			nodes[1] = startNode(t, srv.Addr, "multi:", "n2", cfg)
			mu.Unlock()
		}
		snap, err := nodes[0].be.snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		offers := map[string]int{}
		for _, c := range snap.calls {
			for _, o := range c.Offers {
				if offers[o.AgentID]++; offers[o.AgentID] > 1 {
					t.Fatalf("agent %s offered two calls at once", o.AgentID)
				}
			}
		}
		for _, ag := range snap.agents {
			if cid, busy := onCall[ag.ID]; busy {
				if rng.IntN(3) == 0 {
					if err := nodeAt(rng.IntN(2)).Complete(ctx, cid); err != nil {
						t.Fatalf("complete %s: %v", cid, err)
					}
					delete(onCall, ag.ID)
				}
				continue
			}
			if ag.Offer == "" {
				continue
			}
			err := nodeAt(rng.IntN(2)).Accept(ctx, ag.Offer)
			if errors.Is(err, ErrStaleOffer) {
				continue
			}
			if err != nil {
				t.Fatalf("accept: %v", err)
			}
			cid, _ := offerCall(ag.Offer)
			if served[cid]++; served[cid] > 1 {
				t.Fatalf("call %s connected twice", cid)
			}
			onCall[ag.ID] = cid
		}
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
	if !restarted {
		t.Fatal("node 2 was not restarted")
	}
	st, err := nodes[0].a.Stats(ctx, "sales")
	if err != nil {
		t.Fatal(err)
	}
	if st.Answered != nCalls || st.Waiting != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestRedisOutage kills redis-server (no persistence: --appendonly no) under queued
// calls and starts it again: Healthy reports the outage, then the node restores the
// calls, agents and contexts it saw last (resync from the nodes, not Redis persistence).
func TestRedisOutage(t *testing.T) {
	srv := acdtest.StartRedis(t)
	cfg := Config{Queues: []QueueConfig{{Name: "sales"}}, Agents: []AgentConfig{{ID: "alice"}}}
	n := startNode(t, srv.Addr, "outage:", "n1", cfg)
	ctx := context.Background()
	waitFor(t, "healthy", 5*time.Second, func() bool { return n.a.Healthy(ctx) == nil })
	for i := range 50 {
		id := fmt.Sprintf("c%02d", i)
		if _, err := n.a.Enqueue(ctx, CallRequest{ID: id, Queue: "sales", Context: []byte(`{"id":"` + id + `"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.a.Login(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a routing pass that saw the calls", 5*time.Second, func() bool {
		n.a.mu.Lock()
		defer n.a.mu.Unlock()
		return len(n.a.last.calls) == 50 && len(n.a.last.agents) == 1 && n.a.last.agents[0].State == StateNotReady
	})
	srv.Kill()
	waitFor(t, "Healthy to report the outage", 10*time.Second, func() bool { return n.a.Healthy(ctx) != nil })
	err := n.a.Healthy(ctx)
	if !errors.Is(err, ErrBackend) {
		t.Fatalf("Healthy during the outage: %v", err)
	}
	if _, err := n.a.Enqueue(ctx, CallRequest{ID: "lost", Queue: "sales"}); !errors.Is(err, ErrBackend) {
		t.Fatalf("enqueue during the outage: %v", err)
	}
	srv.Restart(t)
	waitFor(t, "Healthy again", 15*time.Second, func() bool { return n.a.Healthy(ctx) == nil })
	waitFor(t, "calls restored", 5*time.Second, func() bool {
		st, err := n.a.Stats(ctx, "sales")
		return err == nil && st.Waiting == 50
	})
	if err := n.a.SetState(ctx, "alice", StateReady, ""); err != nil {
		t.Fatal(err)
	}
	var off Offer
	waitFor(t, "an offer after the outage", 5*time.Second, func() bool {
		o, ok, err := n.a.CurrentOffer(ctx, "alice")
		off = o
		return err == nil && ok
	})
	if off.CallID != "c00" || string(off.Call.Context) != `{"id":"c00"}` {
		t.Fatalf("offer after the outage %+v (context %q): the first call keeps its place and context", off, off.Call.Context)
	}
}
