package acd

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestLoad runs thousands of calls through hundreds of agents with random skills, states,
// answers, declines, misses and hang-ups, checking after every routing pass that no
// agent holds two offers, that offers went out in priority order among the calls the
// agent could take, and at the end that no call was lost and the service level is
// right (computed here independently).
func TestLoad(t *testing.T) {
	const (
		nCalls  = 2000
		nAgents = 200
		perTick = 40
	)
	forEachBackend(t, func(t *testing.T, be func(testing.TB) Backend) {
		rng := rand.New(rand.NewPCG(7, 11))
		clk := newClock()
		var queues []QueueConfig
		for i := range 4 {
			skill := fmt.Sprintf("s%d", i)
			queues = append(queues, QueueConfig{Name: fmt.Sprintf("q%d", i), Skills: map[string]int{skill: 5},
				Relax: []Relax{{After: 40 * time.Second, Skills: map[string]int{skill: 1}}}, Ageing: 30 * time.Second,
				Strategy: []Strategy{StrategyLongestIdle, StrategyFewestCalls, StrategySkillsWeighted, StrategyRoundRobin}[i]})
		}
		var ags []AgentConfig
		for i := range nAgents {
			sk := map[string]int{}
			for j := range 4 {
				if rng.IntN(3) == 0 || j == i%4 {
					sk[fmt.Sprintf("s%d", j)] = 1 + rng.IntN(10)
				}
			}
			ags = append(ags, AgentConfig{ID: fmt.Sprintf("a%03d", i), Skills: sk, MaxCalls: 1 + rng.IntN(2)})
		}
		h := newHarness(t, be(t), clk, Config{Queues: queues, Agents: ags})
		for _, ag := range ags {
			h.must(h.a.Login(h.ctx, ag.ID))
		}
		qcfg := map[string]QueueConfig{}
		for _, q := range h.a.Queues() {
			qcfg[q.Name] = q
		}
		entered := map[string]time.Time{}
		ended := map[string]string{}
		type tally struct{ answered, within, abandonedAfter int }
		sl := map[string]*tally{}
		for _, q := range queues {
			sl[q.Name] = &tally{}
		}
		queueOf := map[string]string{}
		next := 0
		rank := func(c callRec, now time.Time) (int, time.Time, string) {
			p := c.Req.Priority + int(now.Sub(c.Entered)/(30*time.Second))
			return p, c.Entered, c.Req.ID
		}
		before := func(x, y callRec, now time.Time) bool { // x ahead of y
			px, ex, ix := rank(x, now)
			py, ey, iy := rank(y, now)
			if px != py {
				return px > py
			}
			if c := ex.Compare(ey); c != 0 {
				return c < 0
			}
			return cmp.Compare(ix, iy) < 0
		}
		for round := 0; ; round++ {
			if round > 5000 {
				t.Fatalf("calls not drained after %d rounds", round)
			}
			clk.Advance(time.Second)
			now := clk.Now()
			for range perTick {
				if next >= nCalls {
					break
				}
				id := fmt.Sprintf("call%05d", next)
				next++
				q := queues[rng.IntN(len(queues))].Name
				h.enqueue(CallRequest{ID: id, Queue: q, Priority: rng.IntN(3), Caller: fmt.Sprintf("+49%07d", rng.IntN(500))})
				entered[id], queueOf[id] = now, q
			}
			pre, err := h.a.be.snapshot(h.ctx)
			h.must(err)
			h.step()
			post, err := h.a.be.snapshot(h.ctx)
			h.must(err)
			checkOffers(t, pre, post, qcfg, now, before)
			if next >= nCalls && len(post.calls) == 0 {
				break
			}
			// Agents and callers act.
			for _, ag := range post.agents {
				switch {
				case ag.Offer != "":
					r := rng.IntN(100)
					switch {
					case r < 85:
						cid, _ := offerCall(ag.Offer)
						h.must(h.a.Accept(h.ctx, ag.Offer))
						w := now.Sub(entered[cid])
						s := sl[queueOf[cid]]
						s.answered++
						if w <= DefaultServiceLevel {
							s.within++
						}
					case r < 93:
						h.must(h.a.Decline(h.ctx, ag.Offer, "test"))
					default:
						h.must(h.a.Missed(h.ctx, ag.Offer))
					}
				case ag.State == StateNotReady && rng.IntN(3) == 0 || next >= nCalls && ag.State == StateNotReady:
					h.must(h.a.SetState(h.ctx, ag.ID, StateReady, ""))
				case ag.State == StateReady && rng.IntN(60) == 0 && next < nCalls:
					h.must(h.a.SetState(h.ctx, ag.ID, StateNotReady, "break"))
				}
			}
			for _, c := range post.calls {
				switch {
				case c.Status == callConnected && rng.IntN(25) == 0:
					h.must(h.a.Complete(h.ctx, c.Req.ID))
					ended[c.Req.ID] = "completed"
				case c.Status == callWaiting && rng.IntN(150) == 0:
					h.must(h.a.Abandon(h.ctx, c.Req.ID))
					ended[c.Req.ID] = "abandoned"
					if now.Sub(entered[c.Req.ID]) > DefaultServiceLevel {
						sl[c.Queue].abandonedAfter++
					}
				}
			}
		}
		if len(ended) != nCalls {
			for id := range entered {
				if ended[id] == "" {
					t.Errorf("call %s lost", id)
				}
			}
			t.Fatalf("%d of %d calls accounted for", len(ended), nCalls)
		}
		for q, s := range sl {
			st, err := h.a.Stats(h.ctx, q)
			h.must(err)
			want := 1.0
			if d := s.answered + s.abandonedAfter; d > 0 {
				want = float64(s.within) / float64(d)
			}
			if math.Abs(st.ServiceLevel-want) > 1e-9 || st.Answered != s.answered {
				t.Errorf("%s: service level %.4f answered %d, want %.4f answered %d", q, st.ServiceLevel, st.Answered, want, s.answered)
			}
			t.Logf("%s: answered %d, service level %.3f, abandoned %d, offered %d", q, st.Answered, st.ServiceLevel, st.Abandoned, st.Offered)
		}
	})
}

// checkOffers asserts that no agent holds two offers or more calls than MaxCalls, and
// that each new offer went to a call no waiting call eligible for the same agent was
// ahead of.
func checkOffers(t *testing.T, pre, post snapshot, qcfg map[string]QueueConfig, now time.Time, before func(x, y callRec, now time.Time) bool) {
	t.Helper()
	offers := map[string]int{}
	for _, c := range post.calls {
		for _, o := range c.Offers {
			offers[o.AgentID]++
		}
	}
	preAgents := map[string]agentRec{}
	for _, ag := range pre.agents {
		preAgents[ag.ID] = ag
	}
	for _, ag := range post.agents {
		if offers[ag.ID] > 1 {
			t.Fatalf("agent %s holds %d offers", ag.ID, offers[ag.ID])
		}
		if len(ag.Calls) > ag.maxCalls() {
			t.Fatalf("agent %s has %d calls (max %d)", ag.ID, len(ag.Calls), ag.maxCalls())
		}
	}
	preStatus := map[string]callStatus{}
	for _, c := range pre.calls {
		preStatus[c.Req.ID] = c.Status
	}
	var stillWaiting []callRec
	for _, c := range post.calls {
		if c.Status == callWaiting && preStatus[c.Req.ID] == callWaiting {
			stillWaiting = append(stillWaiting, c)
		}
	}
	for _, c := range post.calls {
		if c.Status != callOffered || preStatus[c.Req.ID] != callWaiting {
			continue
		}
		for _, o := range c.Offers {
			ag := preAgents[o.AgentID]
			for _, d := range stillWaiting {
				q := qcfg[d.Queue]
				if meets(ag.Skills, requirements(q, d, now.Sub(d.Entered))) && before(d, c, now) {
					t.Fatalf("agent %s offered %s while %s, ahead of it and eligible, kept waiting", ag.ID, c.Req.ID, d.Req.ID)
				}
			}
		}
	}
}
