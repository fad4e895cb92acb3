package acd

import (
	"testing"
	"time"
)

func sales() QueueConfig {
	return QueueConfig{Name: "sales", Skills: map[string]int{"sales": 3}}
}

func agents(ids ...string) []AgentConfig {
	out := make([]AgentConfig, len(ids))
	for i, id := range ids {
		out[i] = AgentConfig{ID: id, Skills: map[string]int{"sales": 5}}
	}
	return out
}

func TestStateMachine(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		h := newHarness(t, be(t), newClock(), Config{Queues: []QueueConfig{sales()}, Agents: agents("alice")})
		ctx := h.ctx
		h.state("alice", StateLoggedOut, "")
		h.wantErr(h.a.SetState(ctx, "alice", StateReady, ""), ErrIllegalState)
		h.wantErr(h.a.EndWrapUp(ctx, "alice"), ErrIllegalState)
		h.must(h.a.Login(ctx, "alice"))
		h.state("alice", StateNotReady, "login")
		h.wantErr(h.a.Login(ctx, "alice"), ErrIllegalState)
		h.must(h.a.SetState(ctx, "alice", StateNotReady, "lunch"))
		h.state("alice", StateNotReady, "lunch")
		h.wantErr(h.a.SetState(ctx, "alice", StateOnCall, ""), ErrIllegalState)
		h.must(h.a.SetState(ctx, "alice", StateReady, ""))
		h.enqueue(CallRequest{ID: "c1", Queue: "sales"})
		_, err := h.a.Enqueue(ctx, CallRequest{ID: "c1", Queue: "sales"})
		h.wantErr(err, ErrIllegalState)
		h.step()
		h.state("alice", StateOffered, "")
		h.wantErr(h.a.Logout(ctx, "alice"), ErrIllegalState)
		h.wantErr(h.a.SetState(ctx, "alice", StateReady, ""), ErrIllegalState)
		h.must(h.a.Accept(ctx, h.offer("alice").ID))
		h.state("alice", StateOnCall, "")
		h.wantErr(h.a.SetState(ctx, "alice", StateReady, ""), ErrIllegalState)
		h.wantErr(h.a.Logout(ctx, "alice"), ErrIllegalState)
		h.must(h.a.SetState(ctx, "alice", StateNotReady, "break")) // pending until the call ends
		h.must(h.a.Complete(ctx, "c1"))
		h.state("alice", StateNotReady, "break")
		h.must(h.a.Logout(ctx, "alice"))
		h.state("alice", StateLoggedOut, "")
		h.wantErr(h.a.Login(ctx, "bob"), ErrUnknownAgent)
		h.wantErr(h.a.Complete(ctx, "c1"), ErrUnknownCall)
		if ag := h.agent("alice"); ag.Handled != 1 {
			t.Fatalf("handled %d, want 1", ag.Handled)
		}
	})
}

func TestStrategies(t *testing.T) {
	cases := []struct {
		strategy Strategy
		want     string
	}{
		{StrategyLongestIdle, "b"},    // idle since 09:00 - 1h
		{StrategyFewestCalls, "c"},    // handled 1
		{StrategyLeastTalkTime, "a"},  // 1 min
		{StrategySkillsWeighted, "d"}, // sales 9
		{StrategyRoundRobin, "c"},     // offered longest ago
	}
	for _, tc := range cases {
		t.Run(string(tc.strategy), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
				clk := newClock()
				q := sales()
				q.Strategy = tc.strategy
				h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q}, Agents: agents("a", "b", "c", "d")})
				h.ready("a", "b", "c", "d")
				now := clk.Now()
				set := map[string]func(*agentRec){
					"a": func(ag *agentRec) {
						ag.IdleSince, ag.Handled, ag.TalkTime, ag.LastOffer = now.Add(-10*time.Minute), 5, time.Minute, now.Add(-time.Minute)
					},
					"b": func(ag *agentRec) {
						ag.IdleSince, ag.Handled, ag.TalkTime, ag.LastOffer = now.Add(-time.Hour), 3, time.Hour, now.Add(-2*time.Minute)
					},
					"c": func(ag *agentRec) {
						ag.IdleSince, ag.Handled, ag.TalkTime, ag.LastOffer = now.Add(-time.Minute), 1, 2*time.Hour, now.Add(-time.Hour)
					},
					"d": func(ag *agentRec) {
						ag.IdleSince, ag.Handled, ag.TalkTime, ag.LastOffer = now, 9, 3*time.Hour, now
						ag.Skills = map[string]int{"sales": 9}
					},
				}
				for id, f := range set {
					h.must(h.a.update(h.ctx, func(tx txn) error {
						ag, _, err := tx.agent(id)
						f(&ag)
						tx.putAgent(ag)
						return err
					}))
				}
				h.enqueue(CallRequest{ID: "c1", Queue: "sales"})
				h.step()
				o := h.offer(tc.want)
				if o.CallID != "c1" {
					t.Fatalf("offer %+v", o)
				}
			})
		})
	}
}

func TestRingAll(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		q := sales()
		q.Strategy = StrategyRingAll
		h := newHarness(t, be(t), newClock(), Config{Queues: []QueueConfig{q}, Agents: agents("a", "b", "c")})
		h.ready("a", "b", "c")
		h.enqueue(CallRequest{ID: "c1", Queue: "sales"})
		h.step()
		oa, ob, oc := h.offer("a"), h.offer("b"), h.offer("c")
		h.must(h.a.Accept(h.ctx, ob.ID))
		h.wantErr(h.a.Accept(h.ctx, oa.ID), ErrStaleOffer)
		h.wantErr(h.a.Decline(h.ctx, oc.ID, ""), ErrStaleOffer)
		h.state("a", StateReady, "")
		h.state("b", StateOnCall, "")
		h.state("c", StateReady, "")
	})
}

func TestRelaxAndPlace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		q := QueueConfig{Name: "fr", Skills: map[string]int{"french": 8},
			Relax: []Relax{{After: 30 * time.Second, Skills: map[string]int{"french": 5}}}}
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q},
			Agents: []AgentConfig{{ID: "pierre", Skills: map[string]int{"french": 6}}}})
		h.ready("pierre")
		h.enqueue(CallRequest{ID: "early", Queue: "fr"})
		clk.Advance(20 * time.Second)
		h.enqueue(CallRequest{ID: "late", Queue: "fr"})
		h.step()
		h.noOffer("pierre")
		clk.Advance(11 * time.Second) // early waited 31 s: relaxed; late only 11 s
		h.step()
		if o := h.offer("pierre"); o.CallID != "early" {
			t.Fatalf("offered %s, want early", o.CallID)
		}
		p, err := h.a.Position(h.ctx, "late")
		h.must(err)
		if p.Position != 2 || p.Waited != 11*time.Second { // behind early, which is offered
			t.Fatalf("late position %+v", p)
		}
	})
}

func TestPriorityAndAgeing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		q := sales()
		q.Ageing = 30 * time.Second
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q}, Agents: agents("a")})
		h.enqueue(CallRequest{ID: "old", Queue: "sales", Priority: 0})
		clk.Advance(100 * time.Second) // old ages to priority 3
		h.enqueue(CallRequest{ID: "vip", Queue: "sales", Priority: 2})
		h.enqueue(CallRequest{ID: "vvip", Queue: "sales", Priority: 5})
		p, err := h.a.Position(h.ctx, "old")
		h.must(err)
		if p.Position != 2 {
			t.Fatalf("old position %d, want 2", p.Position)
		}
		h.ready("a")
		var got []string
		for range 3 {
			h.step()
			o := h.offer("a")
			got = append(got, o.CallID)
			h.must(h.a.Accept(h.ctx, o.ID))
			h.must(h.a.Complete(h.ctx, o.CallID))
		}
		if got[0] != "vvip" || got[1] != "old" || got[2] != "vip" {
			t.Fatalf("served %v, want vvip old vip", got)
		}
	})
}

func TestPreferLastAgent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		q := sales()
		q.PreferLastAgent = time.Minute
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q}, Agents: agents("alice", "bob")})
		h.ready("bob")
		h.enqueue(CallRequest{ID: "c1", Queue: "sales", Caller: "+4930111"})
		h.step()
		h.must(h.a.Accept(h.ctx, h.offer("bob").ID))
		h.must(h.a.Complete(h.ctx, "c1"))
		h.must(h.a.SetState(h.ctx, "bob", StateNotReady, "break"))
		h.ready("alice")
		h.enqueue(CallRequest{ID: "c2", Queue: "sales", Caller: "+4930111"})
		h.step()
		h.noOffer("alice") // waits for bob
		clk.Advance(61 * time.Second)
		h.step()
		if o := h.offer("alice"); o.CallID != "c2" {
			t.Fatalf("offer %+v", o)
		}
	})
}

func TestOverflowKeepsPlace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		a := QueueConfig{Name: "a", Skills: map[string]int{"x": 1}, OverflowAfter: 30 * time.Second, OverflowTo: "b"}
		b := QueueConfig{Name: "b", Skills: map[string]int{"y": 1}}
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{a, b},
			Agents: []AgentConfig{{ID: "yves", Skills: map[string]int{"y": 1}}}})
		h.enqueue(CallRequest{ID: "first", Queue: "a"})
		clk.Advance(20 * time.Second)
		h.enqueue(CallRequest{ID: "direct", Queue: "b"})
		clk.Advance(11 * time.Second)
		h.step()
		ev := h.event(EventCallOverflowed, "first")
		if ev.Queue != "b" {
			t.Fatalf("overflow event %+v", ev)
		}
		p, err := h.a.Position(h.ctx, "first")
		h.must(err)
		if p.Queue != "b" || p.Position != 1 || p.Waited != 31*time.Second {
			t.Fatalf("position after overflow %+v", p)
		}
		st, err := h.a.Stats(h.ctx, "a")
		h.must(err)
		if st.Overflowed != 1 || st.Waiting != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestMaxWaitFallbacks(t *testing.T) {
	for _, fb := range []Fallback{FallbackGoodbye, FallbackVoicemail, FallbackCallback} {
		t.Run(string(fb), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
				clk := newClock()
				q := sales()
				q.MaxWait, q.Fallback = time.Minute, fb
				h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q}, Agents: agents("a")})
				h.enqueue(CallRequest{ID: "c1", Queue: "sales", Caller: "+111"})
				clk.Advance(30 * time.Second)
				h.enqueue(CallRequest{ID: "c2", Queue: "sales", Caller: "+222"})
				clk.Advance(31 * time.Second)
				h.step()
				ev := h.event(EventCallFallback, "c1")
				if ev.Fallback != fb {
					t.Fatalf("fallback %q, want %q", ev.Fallback, fb)
				}
				_, err := h.a.Position(h.ctx, "c1")
				if fb != FallbackCallback {
					h.wantErr(err, ErrUnknownCall)
					return
				}
				h.must(err)
				h.ready("a")
				h.step()
				o := h.offer("a")
				if o.CallID != "c1" || o.Call.Callback != "+111" {
					t.Fatalf("callback keeps the place: offer %+v", o)
				}
			})
		})
	}
}

func TestMaxLengthAndBlacklist(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		q := sales()
		q.MaxLength = 1
		h := newHarness(t, be(t), newClock(), Config{Queues: []QueueConfig{q}, Agents: agents("a"), Blacklist: []string{"+666"}})
		h.enqueue(CallRequest{ID: "c1", Queue: "sales"})
		_, err := h.a.Enqueue(h.ctx, CallRequest{ID: "c2", Queue: "sales"})
		h.wantErr(err, ErrQueueFull)
		if ev := h.event(EventCallFallback, "c2"); ev.Fallback != FallbackGoodbye {
			t.Fatalf("event %+v", ev)
		}
		_, err = h.a.Enqueue(h.ctx, CallRequest{ID: "c3", Queue: "sales", Caller: "+666"})
		h.wantErr(err, ErrBlacklisted)
		h.must(h.a.AddBlacklist(h.ctx, "+667"))
		_, err = h.a.Enqueue(h.ctx, CallRequest{ID: "c4", Queue: "sales", Caller: "+667"})
		h.wantErr(err, ErrBlacklisted)
		_, err = h.a.Position(h.ctx, "c3")
		h.wantErr(err, ErrUnknownCall)
		_, err = h.a.Enqueue(h.ctx, CallRequest{ID: "c5", Queue: "nope"})
		h.wantErr(err, ErrUnknownQueue)
		_, err = h.a.Enqueue(h.ctx, CallRequest{ID: "c6", Queue: "sales", Skills: map[string]int{"klingon": 3}})
		h.wantErr(err, ErrUnknownSkill)
	})
}

func TestPositionAndEWT(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		q := sales()
		q.Announce = 20 * time.Second
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q}, Agents: agents("a", "b")})
		h.must(h.a.Login(h.ctx, "a"))
		h.must(h.a.Login(h.ctx, "b"))
		for i, id := range []string{"c1", "c2", "c3"} {
			h.step() // Enqueue estimates from the last routing pass
			p := h.enqueue(CallRequest{ID: id, Queue: "sales"})
			clk.Advance(time.Second)
			// two agents logged in, none ready, default handle time 3 min
			if want := time.Duration(i+1) * DefaultHandleTime / 2; p.Position != i+1 || p.EWT != want {
				t.Fatalf("%s: %+v, want position %d ewt %s", id, p, i+1, want)
			}
		}
		h.step()
		clk.Advance(20 * time.Second)
		h.step()
		ev := h.event(EventAnnounce, "c2")
		if ev.Position.Position != 2 || ev.Position.Waited != 22*time.Second {
			t.Fatalf("announce %+v", ev.Position)
		}
		st, err := h.a.Stats(h.ctx, "sales")
		h.must(err)
		if st.Waiting != 3 || st.AgentsLoggedIn != 2 || st.Longest != 23*time.Second {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestDeclineMissAutoPause(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		q := sales()
		q.AutoPause = 2
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q}, Agents: agents("a", "b")})
		h.enqueue(CallRequest{ID: "c1", Queue: "sales", Context: []byte(`{"summary":"lost card"}`)})
		clk.Advance(time.Second)
		h.enqueue(CallRequest{ID: "c2", Queue: "sales"})
		h.ready("a")
		h.step()
		o := h.offer("a")
		if o.CallID != "c1" || string(o.Call.Context) != `{"summary":"lost card"}` {
			t.Fatalf("offer %+v", o)
		}
		if ev := h.event(EventOffer, "c1"); string(ev.Offer.Call.Context) != `{"summary":"lost card"}` {
			t.Fatalf("offer event without context: %+v", ev.Offer)
		}
		h.must(h.a.Decline(h.ctx, o.ID, "busy"))
		h.state("a", StateNotReady, "declined")
		h.wantErr(h.a.Accept(h.ctx, o.ID), ErrStaleOffer)
		if p, _ := h.a.Position(h.ctx, "c1"); p.Position != 1 {
			t.Fatalf("c1 back at position %d", p.Position)
		}
		h.ready("b")
		h.step()
		o = h.offer("b")
		h.must(h.a.Missed(h.ctx, o.ID))
		h.state("b", StateReady, "") // AutoPause 2: one miss is not enough
		h.step()
		o = h.offer("b")
		if o.CallID != "c1" {
			t.Fatalf("c1 keeps its place; offered %s", o.CallID)
		}
		// Nobody resolves it: expired as missed after OfferTimeout + OfferGrace.
		clk.Advance(DefaultOfferTimeout)
		h.step()
		h.offer("b")
		clk.Advance(OfferGrace)
		h.step()
		h.state("b", StateNotReady, "missed-offer")
		if ev := h.event(EventOfferMissed, "c1"); ev.Reason != "no-answer" {
			t.Fatalf("first missed event %+v", ev)
		}
		if ev := h.event(EventOfferMissed, "c1"); ev.Reason != "expired" {
			t.Fatalf("second missed event %+v", ev)
		}
		h.wantErr(h.a.Missed(h.ctx, o.ID), ErrStaleOffer)
		h.wantErr(h.a.Accept(h.ctx, "garbage"), ErrStaleOffer)
	})
}

func TestWrapUpAndMaxCalls(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		q := sales()
		q.WrapUp = 30 * time.Second
		ag := AgentConfig{ID: "chat", Skills: map[string]int{"sales": 5}, MaxCalls: 2}
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{q}, Agents: []AgentConfig{ag}})
		h.ready("chat")
		for _, id := range []string{"c1", "c2", "c3"} {
			h.enqueue(CallRequest{ID: id, Queue: "sales"})
		}
		h.step()
		h.must(h.a.Accept(h.ctx, h.offer("chat").ID))
		h.step()
		o := h.offer("chat") // second concurrent call
		h.state("chat", StateOnCall, "")
		h.must(h.a.Accept(h.ctx, o.ID))
		h.step()
		h.noOffer("chat") // two calls: full
		h.must(h.a.Complete(h.ctx, "c1"))
		h.step()
		h.must(h.a.Accept(h.ctx, h.offer("chat").ID))
		h.must(h.a.Complete(h.ctx, "c2"))
		h.must(h.a.Complete(h.ctx, "c3"))
		h.state("chat", StateWrapUp, "")
		clk.Advance(29 * time.Second)
		h.step()
		h.state("chat", StateWrapUp, "")
		clk.Advance(time.Second)
		h.step()
		h.state("chat", StateReady, "")
		if got := h.agent("chat"); got.Handled != 3 {
			t.Fatalf("handled %d", got.Handled)
		}
	})
}

func TestTransfers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{sales(), {Name: "support"}}, Agents: agents("a", "b")})
		h.enqueue(CallRequest{ID: "c1", Queue: "sales"})
		clk.Advance(10 * time.Second)
		h.enqueue(CallRequest{ID: "s1", Queue: "support"})
		h.ready("a")
		h.step()
		h.must(h.a.Accept(h.ctx, h.offer("a").ID))
		h.wantErr(h.a.TransferToAgent(h.ctx, "c1", "b"), ErrIllegalState) // b logged out
		h.must(h.a.TransferToQueue(h.ctx, "c1", "support"))
		h.state("a", StateReady, "")
		p, err := h.a.Position(h.ctx, "c1")
		h.must(err)
		if p.Queue != "support" || p.Position != 1 {
			t.Fatalf("transferred call keeps its place: %+v", p)
		}
		h.ready("b")
		h.must(h.a.TransferToAgent(h.ctx, "c1", "b"))
		h.must(h.a.Accept(h.ctx, h.offer("b").ID))
		h.wantErr(h.a.TransferToQueue(h.ctx, "c1", "nope"), ErrUnknownQueue)
		h.must(h.a.Abandon(h.ctx, "c1")) // hang-up while connected completes it
		h.state("b", StateReady, "")
	})
}

func TestAbandonOffered(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		clk := newClock()
		h := newHarness(t, be(t), clk, Config{Queues: []QueueConfig{sales()}, Agents: agents("a")})
		h.enqueue(CallRequest{ID: "c1", Queue: "sales"})
		h.ready("a")
		h.step()
		o := h.offer("a")
		clk.Advance(25 * time.Second)
		h.must(h.a.Abandon(h.ctx, "c1"))
		h.state("a", StateReady, "")
		h.wantErr(h.a.Accept(h.ctx, o.ID), ErrStaleOffer)
		st, err := h.a.Stats(h.ctx, "sales")
		h.must(err)
		if st.Abandoned != 1 || st.Offered != 1 || st.ServiceLevel != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}
