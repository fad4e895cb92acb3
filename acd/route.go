package acd

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// available reports whether an agent may be offered a call now: ready, or on a call
// with room under MaxCalls and no not-ready pending; never while an offer rings.
func available(ag agentRec) bool {
	if ag.Offer != "" {
		return false
	}
	switch ag.State {
	case StateReady:
		return true
	case StateOnCall:
		return ag.Reason == "" && len(ag.Calls) < ag.maxCalls()
	}
	return false
}

// meets reports whether skills satisfy every requirement.
func meets(skills, req map[string]int) bool {
	for s, lvl := range req {
		if skills[s] < lvl {
			return false
		}
	}
	return true
}

// requirements are a call's skill requirements after waiting waited: the queue's (or
// its latest relax step's) merged with the call's own extra skills (never relaxed; the
// higher level wins).
func requirements(q QueueConfig, c callRec, waited time.Duration) map[string]int {
	base := q.Skills
	for _, r := range q.Relax {
		if waited >= r.After {
			base = r.Skills
		}
	}
	if len(c.Req.Skills) == 0 {
		return base
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]int{}
	}
	for s, lvl := range c.Req.Skills {
		out[s] = max(out[s], lvl)
	}
	return out
}

// serves reports whether an agent can take some call of the queue (meets its base
// requirements or any relax step).
func (a *ACD) serves(q QueueConfig, ag agentRec) bool {
	if meets(ag.Skills, q.Skills) {
		return true
	}
	for _, r := range q.Relax {
		if meets(ag.Skills, r.Skills) {
			return true
		}
	}
	return false
}

// priority is a call's priority with ageing.
func priority(q QueueConfig, c callRec, now time.Time) int {
	p := c.Req.Priority
	if q.Ageing > 0 {
		p += int(now.Sub(c.Entered) / q.Ageing)
	}
	return p
}

// rankItem is a waiting call's sort key; small, so the heap moves little.
type rankItem struct {
	prio    int
	entered int64
	id      string
	idx     int
}

func (x rankItem) ahead(y rankItem) bool {
	if x.prio != y.prio {
		return x.prio > y.prio
	}
	if x.entered != y.entered {
		return x.entered < y.entered
	}
	return x.id < y.id
}

type rankHeap []rankItem

func (h rankHeap) Len() int           { return len(h) }
func (h rankHeap) Less(i, j int) bool { return h[i].ahead(h[j]) }
func (h rankHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(x any)        { *h = append(*h, x.(rankItem)) }
func (h *rankHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// rank yields the waiting calls in routing order: priority with ageing first, then
// entry time (the place). It heapifies in O(n) and pops lazily, since a pass usually
// stops after a few calls when few agents are free.
func (a *ACD) rank(calls []callRec, now time.Time) func(yield func(callRec) bool) {
	return func(yield func(callRec) bool) {
		h := make(rankHeap, 0, len(calls))
		for i, c := range calls {
			if c.Status == callWaiting {
				h = append(h, rankItem{priority(a.queues[c.Queue], c, now), c.Entered.UnixNano(), c.Req.ID, i})
			}
		}
		heap.Init(&h)
		for h.Len() > 0 {
			it := heap.Pop(&h).(rankItem)
			if !yield(calls[it.idx]) {
				return
			}
		}
	}
}

// step runs the timers and one routing pass. Every change it makes is a checked
// transaction, so any number of nodes may step at once.
func (a *ACD) step(ctx context.Context) {
	snap, err := a.sync(ctx)
	if err != nil {
		return
	}
	now := a.now()
	if a.timers(ctx, snap, now) {
		if snap, err = a.sync(ctx); err != nil {
			return
		}
	}
	a.route(ctx, snap, now)
}

// sync checks the backend's epoch (resyncing after a state loss) and reads a snapshot.
func (a *ACD) sync(ctx context.Context) (snapshot, error) {
	fail := func(err error) (snapshot, error) {
		a.mu.Lock()
		if a.synced || a.lastErr == nil {
			a.log.Warn("acd backend unavailable", "err", err)
		}
		a.synced, a.lastErr = false, err
		a.mu.Unlock()
		return snapshot{}, err
	}
	a.mu.Lock()
	mine := a.epochID
	a.mu.Unlock()
	if mine == "" {
		if err := a.provision(ctx); err != nil {
			return fail(err)
		}
	} else {
		ep, err := a.be.epoch(ctx, newEpoch())
		if err != nil {
			return fail(err)
		}
		if ep != mine {
			if err := a.resync(ctx, ep); err != nil {
				return fail(err)
			}
		}
	}
	snap, err := a.be.snapshot(ctx)
	if err != nil {
		return fail(err)
	}
	a.mu.Lock()
	if !a.synced && a.lastErr != nil {
		a.log.Info("acd backend in sync again")
	}
	a.synced, a.lastErr, a.last = true, nil, snap
	live := make(map[string]bool, len(snap.calls))
	for _, c := range snap.calls {
		live[c.Req.ID] = true
	}
	for id := range a.contexts {
		if !live[id] {
			delete(a.contexts, id)
		}
	}
	for id := range a.announced {
		if !live[id] {
			delete(a.announced, id)
		}
	}
	a.mu.Unlock()
	return snap, nil
}

// resync restores the agents and calls of the last good snapshot after the backend
// lost its state (a Redis restart without persistence): whatever is missing is put
// back, offers are dropped (offered calls wait again at their place, offered agents are
// ready), and the Context of this node's calls is restored. Counters and the last-agent
// map start again from zero.
func (a *ACD) resync(ctx context.Context, ep string) error {
	a.mu.Lock()
	last := a.last
	ctxs := maps.Clone(a.contexts)
	a.mu.Unlock()
	a.log.Warn("acd backend lost its state, restoring from this node", "agents", len(last.agents), "calls", len(last.calls))
	restored := 0
	for _, c := range last.calls {
		err := a.be.update(ctx, func(tx txn) error {
			if _, ok, err := tx.call(c.Req.ID); err != nil || ok {
				return err
			}
			if c.Status == callOffered {
				c.Status, c.Offers, c.Direct = callWaiting, nil, ""
			}
			tx.putCall(c)
			if b := ctxs[c.Req.ID]; len(b) > 0 {
				tx.putContext(c.Req.ID, b)
			}
			restored++
			return nil
		})
		if err != nil {
			return fmt.Errorf("resync call %s: %w", c.Req.ID, err)
		}
	}
	for _, ag := range last.agents {
		err := a.be.update(ctx, func(tx txn) error {
			if _, ok, err := tx.agent(ag.ID); err != nil || ok {
				return err
			}
			if ag.Offer != "" {
				ag.Offer = ""
				if ag.State == StateOffered {
					a.setState(&ag, StateReady, "")
				}
			}
			tx.putAgent(ag)
			return nil
		})
		if err != nil {
			return fmt.Errorf("resync agent %s: %w", ag.ID, err)
		}
	}
	for _, n := range a.black {
		if err := a.be.setBlacklist(ctx, n, true); err != nil {
			return fmt.Errorf("resync blacklist: %w", err)
		}
	}
	a.mu.Lock()
	a.epochID = ep
	a.mu.Unlock()
	a.log.Info("acd state restored", "calls_restored", restored)
	return nil
}

// timers expires offers, ends wrap-ups, overflows calls, applies MaxWait fallbacks and
// announces positions. It reports whether it changed anything.
func (a *ACD) timers(ctx context.Context, snap snapshot, now time.Time) bool {
	changed := false
	note := func(err error) {
		if err == nil {
			changed = true
		} else if !errors.Is(err, ErrStaleOffer) && !errors.Is(err, errConflict) && ctx.Err() == nil {
			a.log.Warn("acd timer", "err", err)
		}
	}
	for _, ag := range snap.agents {
		if ag.State == StateWrapUp && !ag.WrapUntil.IsZero() && !now.Before(ag.WrapUntil) {
			note(a.changeAgent(ctx, ag.ID, "wrap-up-ended", func(cur *agentRec) error {
				if cur.State != StateWrapUp || cur.WrapUntil.IsZero() || now.Before(cur.WrapUntil) {
					return errConflict
				}
				a.afterCalls(cur)
				return nil
			}))
		}
	}
	var announce []callRec
	for _, c := range snap.calls {
		q, ok := a.queues[c.Queue]
		if !ok {
			continue
		}
		switch c.Status {
		case callOffered:
			for _, o := range c.Offers {
				if !now.Before(o.Expires.Add(OfferGrace)) {
					note(a.missed(ctx, o.ID, "expired", o.Expires.Add(OfferGrace)))
				}
			}
		case callWaiting:
			switch {
			case q.MaxWait > 0 && !c.FellBack && c.Req.Callback == "" && now.Sub(c.Entered) >= q.MaxWait:
				note(a.fallback(ctx, c.Req.ID, q, now))
			case q.OverflowTo != "" && q.OverflowAfter > 0 && now.Sub(c.QueuedAt) >= q.OverflowAfter:
				note(a.overflow(ctx, c.Req.ID, q, now))
			case q.Announce > 0 && c.Req.Node == a.node && c.Req.Callback == "":
				announce = append(announce, c)
			}
		}
	}
	for _, c := range announce {
		q := a.queues[c.Queue]
		a.mu.Lock()
		last, seen := a.announced[c.Req.ID]
		due := !seen || now.Sub(last) >= q.Announce
		if !seen {
			a.announced[c.Req.ID] = now // the first announcement is the call-queued event
			due = false
		} else if due {
			a.announced[c.Req.ID] = now
		}
		a.mu.Unlock()
		if due {
			pos := a.position(ctx, snap, c, now)
			a.emit(ctx, Event{Kind: EventAnnounce, CallID: c.Req.ID, Queue: c.Queue, Position: &pos})
		}
	}
	return changed
}

// fallback applies a queue's Fallback to a call that waited MaxWait: a callback keeps
// the call (its place) as a callback request for the caller; voicemail and goodbye
// take it out of the queue.
func (a *ACD) fallback(ctx context.Context, callID string, q QueueConfig, now time.Time) error {
	var ev Event
	err := a.update(ctx, func(tx txn) error {
		c, ok, err := tx.call(callID)
		if err != nil {
			return err
		}
		if !ok || c.Status != callWaiting || c.FellBack || c.Queue != q.Name || now.Sub(c.Entered) < q.MaxWait {
			return errConflict
		}
		fb := q.Fallback
		if fb == FallbackCallback && c.Req.Caller == "" {
			fb = FallbackGoodbye
		}
		tx.incr(c.Queue, ctrFallback, 1)
		if fb == FallbackCallback {
			c.FellBack, c.Req.Callback = true, c.Req.Caller
			tx.putCall(c)
		} else {
			tx.delCall(callID)
		}
		ev = Event{Kind: EventCallFallback, CallID: callID, Queue: c.Queue, Fallback: fb, Reason: "max-wait"}
		return nil
	})
	if err != nil {
		return err
	}
	a.emit(ctx, ev)
	return nil
}

// overflow moves a call to the queue's OverflowTo, keeping its entry time.
func (a *ACD) overflow(ctx context.Context, callID string, q QueueConfig, now time.Time) error {
	var ev Event
	err := a.update(ctx, func(tx txn) error {
		c, ok, err := tx.call(callID)
		if err != nil {
			return err
		}
		if !ok || c.Status != callWaiting || c.Queue != q.Name || now.Sub(c.QueuedAt) < q.OverflowAfter {
			return errConflict
		}
		tx.incr(c.Queue, ctrOverflowed, 1)
		c.Queue, c.QueuedAt = q.OverflowTo, now
		c.Overflowed++
		tx.putCall(c)
		ev = Event{Kind: EventCallOverflowed, CallID: callID, Queue: q.OverflowTo, Reason: "from queue " + q.Name}
		return nil
	})
	if err != nil {
		return err
	}
	a.emit(ctx, ev)
	return nil
}

// position computes a waiting call's place among the waiting calls of its queue, in
// routing order, and its expected wait.
func (a *ACD) position(ctx context.Context, snap snapshot, c callRec, now time.Time) Position {
	q := a.queues[c.Queue]
	prio := priority(q, c, now)
	n := 1
	for _, o := range snap.calls {
		if o.Queue != c.Queue || o.Status == callConnected || o.Req.ID == c.Req.ID {
			continue
		}
		p := priority(q, o, now)
		if p > prio || p == prio && (o.Entered.Before(c.Entered) || o.Entered.Equal(c.Entered) && o.Req.ID < c.Req.ID) {
			n++
		}
	}
	ctr, err := a.be.counters(ctx, c.Queue)
	if err != nil {
		ctr = nil
	}
	return Position{Queue: c.Queue, Position: n, Waited: now.Sub(c.Entered), EWT: a.ewt(q, snap, n, ctr)}
}

// DefaultHandleTime is the handle time EWT assumes before a queue has completed calls.
const DefaultHandleTime = 3 * time.Minute

// ewt estimates the wait of the call at position pos: with n agents able to serve the
// queue logged in, r of them ready, and an average handle time h (talk time plus the
// queue's wrap-up; DefaultHandleTime until a call completed), it is (pos - r) * h / n,
// zero when a ready agent is there for the call, and pos * h when nobody is logged in.
func (a *ACD) ewt(q QueueConfig, snap snapshot, pos int, ctr map[string]int64) time.Duration {
	h := DefaultHandleTime
	if n := ctr[ctrCompleted]; n > 0 {
		h = time.Duration(ctr[ctrTalkMs]/n) * time.Millisecond
	}
	h += q.WrapUp
	var n, r int
	for _, ag := range snap.agents {
		if ag.State == StateLoggedOut || !a.serves(q, ag) {
			continue
		}
		n++
		if available(ag) {
			r++
		}
	}
	switch {
	case pos <= r:
		return 0
	case n == 0:
		return time.Duration(pos) * h
	}
	return time.Duration(pos-r) * h / time.Duration(n)
}

// route offers waiting calls, in priority order, to available agents chosen by each
// queue's strategy.
func (a *ACD) route(ctx context.Context, snap snapshot, now time.Time) int {
	var free []agentRec
	for _, ag := range snap.agents {
		if available(ag) {
			free = append(free, ag)
		}
	}
	if len(free) == 0 {
		return 0
	}
	loggedIn := make(map[string]bool, len(snap.agents))
	for _, ag := range snap.agents {
		loggedIn[ag.ID] = ag.State != StateLoggedOut
	}
	offers := 0
	var cand []agentRec
	for c := range a.rank(snap.calls, now) {
		if len(free) == 0 {
			break
		}
		q, ok := a.queues[c.Queue]
		if !ok {
			continue
		}
		waited := now.Sub(c.Entered)
		req := requirements(q, c, waited)
		only := c.Direct
		if only == "" && c.Preferred != "" && q.PreferLastAgent > 0 && waited < q.PreferLastAgent && loggedIn[c.Preferred] {
			only = c.Preferred
		}
		cand = cand[:0]
		for _, ag := range free {
			if (only == "" || ag.ID == only) && meets(ag.Skills, req) {
				cand = append(cand, ag)
			}
		}
		if len(cand) == 0 {
			continue
		}
		chosen := pick(q.Strategy, cand, req)
		ids := make([]string, len(chosen))
		for i, ag := range chosen {
			ids[i] = ag.ID
		}
		n, err := a.claim(ctx, c.Req.ID, ids, q, now)
		if err != nil && !errors.Is(err, errConflict) {
			if ctx.Err() == nil {
				a.log.Warn("acd claim failed", "call_id", c.Req.ID, "err", err)
			}
			return offers
		}
		offers += n
		// Offered or no longer available: either way not again in this pass.
		free = slices.DeleteFunc(free, func(ag agentRec) bool { return slices.Contains(ids, ag.ID) })
		if err != nil {
			a.wake()
		}
	}
	return offers
}

// pick chooses the agents to offer a call to.
func pick(s Strategy, cand []agentRec, req map[string]int) []agentRec {
	if s == StrategyRingAll {
		return slices.Clone(cand)
	}
	best := cand[0]
	for _, ag := range cand[1:] {
		if better(s, ag, best, req) {
			best = ag
		}
	}
	return []agentRec{best}
}

// better reports whether x beats y under strategy s (ties: longest idle, then ID).
func better(s Strategy, x, y agentRec, req map[string]int) bool {
	var c int
	switch s {
	case StrategyFewestCalls:
		c = cmp.Compare(x.Handled, y.Handled)
	case StrategyLeastTalkTime:
		c = cmp.Compare(x.TalkTime, y.TalkTime)
	case StrategySkillsWeighted:
		c = cmp.Compare(weight(y, req), weight(x, req))
	case StrategyRoundRobin:
		c = x.LastOffer.Compare(y.LastOffer)
	}
	if c == 0 {
		c = x.IdleSince.Compare(y.IdleSince)
	}
	if c == 0 {
		c = cmp.Compare(x.ID, y.ID)
	}
	return c < 0
}

func weight(ag agentRec, req map[string]int) int {
	w := 0
	for s := range req {
		w += ag.Skills[s]
	}
	if len(req) == 0 {
		for _, l := range ag.Skills {
			w += l
		}
	}
	return w
}

// claim offers a waiting call to agents in one transaction: the call must still be
// waiting and each agent still available and able; agents that are not are skipped.
// It returns errConflict when no offer could be made.
func (a *ACD) claim(ctx context.Context, callID string, agentIDs []string, q QueueConfig, now time.Time) (int, error) {
	var offers []Offer
	var evs []Event
	err := a.update(ctx, func(tx txn) error {
		offers, evs = nil, nil
		c, ok, err := tx.call(callID)
		if err != nil {
			return err
		}
		if !ok || c.Status != callWaiting || c.Queue != q.Name {
			return errConflict
		}
		req := requirements(q, c, now.Sub(c.Entered))
		for _, id := range agentIDs {
			ag, ok, err := tx.agent(id)
			if err != nil {
				return err
			}
			if !ok || !available(ag) || !meets(ag.Skills, req) {
				continue
			}
			off := a.newOffer(c, id, q, now)
			a.markOffered(&ag, off.ID, now)
			tx.putAgent(ag)
			offers = append(offers, off)
			evs = append(evs, agentEvent(ag, "offer"))
		}
		if len(offers) == 0 {
			return errConflict
		}
		c.Status, c.Offers = callOffered, offers
		tx.putCall(c)
		tx.incr(c.Queue, ctrOffered, 1)
		return nil
	})
	if err != nil {
		return 0, err
	}
	a.emit(ctx, evs...)
	for _, off := range offers {
		a.emitOffer(ctx, off)
	}
	return len(offers), nil
}
