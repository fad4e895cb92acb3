package acd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-cc/parley/acd/acdtest"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	sharedRedisOnce sync.Once
	sharedRedis     *acdtest.RedisServer
	prefixSeq       atomic.Int64
	sharedTB        = &keepAlive{}
)

// keepAlive lets the shared redis-server outlive the first test that started it; it is
// stopped by TestMain.
type keepAlive struct {
	testing.TB
	cleanups []func()
}

func (k *keepAlive) Helper()                      {}
func (k *keepAlive) Cleanup(f func())             { k.cleanups = append(k.cleanups, f) }
func (k *keepAlive) TempDir() string              { return tempDir() }
func (k *keepAlive) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }

// backends are the contract suite's backends: a fresh memory backend, and a Redis one
// with its own key prefix on a shared redis-server.
var backends = []struct {
	name string
	new  func(t testing.TB) Backend
}{
	{"memory", func(t testing.TB) Backend { return NewMemory() }},
	{"redis", func(t testing.TB) Backend {
		t.Helper()
		srv := redisServer(t)
		r := NewRedis(RedisConfig{Addr: srv.Addr, Prefix: fmt.Sprintf("t%d:", prefixSeq.Add(1))})
		t.Cleanup(func() { r.Close() })
		return r
	}},
}

func redisServer(t testing.TB) *acdtest.RedisServer {
	t.Helper()
	var failed string
	sharedRedisOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				failed = fmt.Sprint(r)
			}
		}()
		sharedRedis = acdtest.StartRedis(sharedTB)
	})
	if sharedRedis == nil {
		t.Fatalf("shared redis-server: %s", failed)
	}
	return sharedRedis
}

func forEachBackend(t *testing.T, f func(t *testing.T, newBE func(testing.TB) Backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.new) })
	}
}

// harness is one ACD with its event subscription running and no routing loop: the
// test steps it.
type harness struct {
	t     testing.TB
	a     *ACD
	clock *fakeClock
	ctx   context.Context
	evs   <-chan Event
}

func newHarness(t testing.TB, be Backend, clock *fakeClock, cfg Config) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Backend = be
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if clock != nil {
		cfg.Now = clock.Now
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := &harness{t: t, a: a, clock: clock, ctx: ctx}
	h.evs = a.Subscribe(ctx)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = be.subscribe(ctx, a.onEvent, ready) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatalf("subscription not ready")
	}
	if err := a.provision(ctx); err != nil {
		t.Fatalf("provision: %v", err)
	}
	return h
}

func (h *harness) step() { h.t.Helper(); h.a.step(h.ctx) }

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("unexpected error: %v", err)
	}
}

func (h *harness) wantErr(err, want error) {
	h.t.Helper()
	if !errors.Is(err, want) {
		h.t.Fatalf("error %v, want %v", err, want)
	}
}

func (h *harness) ready(ids ...string) {
	h.t.Helper()
	for _, id := range ids {
		ag, err := h.a.Agent(h.ctx, id)
		h.must(err)
		if ag.State == StateLoggedOut {
			h.must(h.a.Login(h.ctx, id))
		}
		h.must(h.a.SetState(h.ctx, id, StateReady, ""))
	}
}

func (h *harness) agent(id string) Agent {
	h.t.Helper()
	ag, err := h.a.Agent(h.ctx, id)
	h.must(err)
	return ag
}

func (h *harness) enqueue(r CallRequest) Position {
	h.t.Helper()
	p, err := h.a.Enqueue(h.ctx, r)
	h.must(err)
	return p
}

// offer returns the agent's current offer, failing when there is none.
func (h *harness) offer(agentID string) Offer {
	h.t.Helper()
	o, ok, err := h.a.CurrentOffer(h.ctx, agentID)
	h.must(err)
	if !ok {
		h.t.Fatalf("agent %s has no offer (state %s)", agentID, h.agent(agentID).State)
	}
	return o
}

func (h *harness) noOffer(agentID string) {
	h.t.Helper()
	if o, ok, err := h.a.CurrentOffer(h.ctx, agentID); err != nil || ok {
		h.t.Fatalf("agent %s: unexpected offer %+v (err %v)", agentID, o, err)
	}
}

// event waits for the next event of kind for callID (any call when empty).
func (h *harness) event(kind EventKind, callID string) Event {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-h.evs:
			if ev.Kind == kind && (callID == "" || ev.CallID == callID) {
				return ev
			}
		case <-deadline:
			h.t.Fatalf("no %s event for %q", kind, callID)
		}
	}
}

func (h *harness) state(id string, s State, reason string) {
	h.t.Helper()
	ag := h.agent(id)
	if ag.State != s || ag.Reason != reason {
		h.t.Fatalf("agent %s is %s %q, want %s %q", id, ag.State, ag.Reason, s, reason)
	}
}
