package acd

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Enqueue queues a call (or a callback request when r.Callback is set). Blacklisted
// callers get ErrBlacklisted before anything is stored. A full queue (MaxLength calls
// waiting, callback requests not counted) returns ErrQueueFull and publishes the
// queue's Fallback; with the callback fallback the request is queued anyway as a
// callback for r.Caller, keeping the caller's place, and its Position is returned with
// the error. The returned Position is estimated from the last routing pass; Position
// gives an exact one.
func (a *ACD) Enqueue(ctx context.Context, r CallRequest) (Position, error) {
	q, err := a.checkRequest(ctx, r)
	if err != nil {
		return Position{}, fmt.Errorf("enqueue %s: %w", r.ID, err)
	}
	r.Node = a.node
	r.Skills = maps.Clone(r.Skills)
	r.Data = maps.Clone(r.Data)
	var full error
	if q.MaxLength > 0 && r.Callback == "" {
		n, err := a.waiting(ctx, q.Name)
		if err != nil {
			return Position{}, fmt.Errorf("enqueue %s: %w", r.ID, err)
		}
		if n >= q.MaxLength {
			full = fmt.Errorf("enqueue %s: %w: %d calls waiting in %s", r.ID, ErrQueueFull, n, q.Name)
			a.emit(ctx, Event{Kind: EventCallFallback, CallID: r.ID, Queue: q.Name, Fallback: q.Fallback, Reason: "queue-full"})
			if q.Fallback != FallbackCallback || r.Caller == "" {
				return Position{}, full
			}
			r.Callback = r.Caller
		}
	}
	now := a.now()
	c := callRec{Req: r, Queue: q.Name, Entered: now, QueuedAt: now, Status: callWaiting}
	err = a.update(ctx, func(tx txn) error {
		if _, ok, err := tx.call(r.ID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: call %s is already queued", ErrIllegalState, r.ID)
		}
		if q.PreferLastAgent > 0 && r.Caller != "" {
			ag, ok, err := tx.lastAgent(r.Caller)
			if err != nil {
				return err
			}
			if ok {
				c.Preferred = ag
			}
		}
		tx.putCall(c)
		if len(r.Context) > 0 {
			tx.putContext(r.ID, r.Context)
		}
		return nil
	})
	if err != nil {
		return Position{}, fmt.Errorf("enqueue %s: %w", r.ID, err)
	}
	a.mu.Lock()
	if len(r.Context) > 0 {
		a.contexts[r.ID] = r.Context
	}
	last := a.last
	a.mu.Unlock()
	pos := a.position(ctx, last, c, now) // position skips c itself: no need to add it
	a.log.Info("call queued", "call_id", r.ID, "queue", q.Name, "priority", r.Priority, "position", pos.Position)
	a.emit(ctx, Event{Kind: EventCallQueued, CallID: r.ID, Queue: q.Name, Position: &pos})
	a.wake()
	return pos, full
}

func (a *ACD) checkRequest(ctx context.Context, r CallRequest) (QueueConfig, error) {
	if r.ID == "" {
		return QueueConfig{}, fmt.Errorf("%w: call without an id", ErrInvalid)
	}
	q, err := a.queue(r.Queue)
	if err != nil {
		return q, err
	}
	if len(r.Context) > MaxContext {
		return q, fmt.Errorf("%w: context of %d bytes (max %d)", ErrInvalid, len(r.Context), MaxContext)
	}
	for s, lvl := range r.Skills {
		if lvl < 1 || lvl > 10 {
			return q, fmt.Errorf("%w: skill %q level %d (want 1..10)", ErrInvalid, s, lvl)
		}
		if !a.knownSkill(ctx, s) {
			return q, fmt.Errorf("%w: %q", ErrUnknownSkill, s)
		}
	}
	if r.Caller != "" {
		bl, err := a.be.blacklisted(ctx, r.Caller)
		if err != nil {
			return q, fmt.Errorf("%w: blacklist: %w", ErrBackend, err)
		}
		if bl {
			return q, fmt.Errorf("%w: %s", ErrBlacklisted, r.Caller)
		}
	}
	return q, nil
}

// knownSkill reports whether a queue or an agent (on any node) defines skill s.
func (a *ACD) knownSkill(ctx context.Context, s string) bool {
	a.mu.Lock()
	ok := a.skills[s] || a.agentSkls[s]
	a.mu.Unlock()
	if ok {
		return true
	}
	snap, err := a.be.snapshot(ctx)
	if err != nil {
		return true // cannot tell: do not refuse the call for it
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ag := range snap.agents {
		for k := range ag.Skills {
			a.agentSkls[k] = true
		}
	}
	return a.agentSkls[s]
}

// waiting counts the calls waiting in a queue, callback requests not counted.
func (a *ACD) waiting(ctx context.Context, queue string) (int, error) {
	snap, err := a.be.snapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBackend, err)
	}
	n := 0
	for _, c := range snap.calls {
		if c.Queue == queue && c.Status != callConnected && c.Req.Callback == "" {
			n++
		}
	}
	return n, nil
}

// Position returns a waiting call's place and expected wait.
func (a *ACD) Position(ctx context.Context, callID string) (Position, error) {
	snap, err := a.be.snapshot(ctx)
	if err != nil {
		return Position{}, fmt.Errorf("%w: position: %w", ErrBackend, err)
	}
	for _, c := range snap.calls {
		if c.Req.ID == callID {
			if c.Status == callConnected {
				return Position{}, fmt.Errorf("%w: call %s is connected", ErrIllegalState, callID)
			}
			return a.position(ctx, snap, c, a.now()), nil
		}
	}
	return Position{}, fmt.Errorf("%w: %q", ErrUnknownCall, callID)
}

// newOffer builds an offer of c to agent ag.
func (a *ACD) newOffer(c callRec, agentID string, q QueueConfig, now time.Time) Offer {
	req := c.Req
	req.Context = nil
	return Offer{
		ID: c.Req.ID + "~" + uuid.NewString()[:8], CallID: c.Req.ID, AgentID: agentID, Queue: c.Queue,
		Node: c.Req.Node, Created: now, Expires: now.Add(q.OfferTimeout), Call: req, Waited: now.Sub(c.Entered),
	}
}

// cancelOffers withdraws a call's offers: agents that were offered go back to ready
// (or stay on-call).
func (a *ACD) cancelOffers(tx txn, c *callRec, except string, reason string) ([]Event, error) {
	var evs []Event
	for _, o := range c.Offers {
		if o.ID == except {
			continue
		}
		ag, ok, err := tx.agent(o.AgentID)
		if err != nil {
			return nil, err
		}
		o := o
		evs = append(evs, Event{Kind: EventOfferCancelled, CallID: c.Req.ID, AgentID: o.AgentID, Queue: c.Queue, Offer: &o, Reason: reason})
		if ok && ag.Offer == o.ID {
			ag.Offer = ""
			if ag.State == StateOffered {
				a.setState(&ag, StateReady, "")
			}
			tx.putAgent(ag)
			evs = append(evs, agentEvent(ag, "offer-cancelled"))
		}
	}
	c.Offers = nil
	return evs, nil
}

// Abandon removes a call whose caller hung up while waiting or offered (offers are
// cancelled). On a connected call it is Complete.
func (a *ACD) Abandon(ctx context.Context, callID string) error {
	var evs []Event
	var connected bool
	err := a.update(ctx, func(tx txn) error {
		evs, connected = nil, false
		c, ok, err := tx.call(callID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownCall, callID)
		}
		if c.Status == callConnected {
			connected = true
			return nil
		}
		evs, err = a.cancelOffers(tx, &c, "", "abandoned")
		if err != nil {
			return err
		}
		now := a.now()
		tx.delCall(callID)
		tx.incr(c.Queue, ctrAbandoned, 1)
		if q, ok := a.queues[c.Queue]; ok && now.Sub(c.Entered) > q.ServiceLevel {
			tx.incr(c.Queue, ctrAbandonedAfter, 1)
		}
		evs = append(evs, Event{Kind: EventCallAbandoned, CallID: callID, Queue: c.Queue, Reason: fmt.Sprintf("waited %s", now.Sub(c.Entered).Round(time.Millisecond))})
		return nil
	})
	if connected {
		return a.Complete(ctx, callID)
	}
	if err != nil {
		return fmt.Errorf("abandon %s: %w", callID, err)
	}
	a.emit(ctx, evs...)
	a.wake()
	return nil
}

// resolve runs fn on a current offer, its call and its agent inside one transaction.
func (a *ACD) resolve(ctx context.Context, offerID, what string, fn func(tx txn, o Offer, c *callRec, ag *agentRec) ([]Event, error)) error {
	var evs []Event
	err := a.update(ctx, func(tx txn) error {
		evs = nil
		cid, ok := offerCall(offerID)
		if !ok {
			return fmt.Errorf("%w: %q", ErrStaleOffer, offerID)
		}
		c, ok, err := tx.call(cid)
		if err != nil {
			return err
		}
		if !ok || c.Status != callOffered {
			return fmt.Errorf("%w: %q", ErrStaleOffer, offerID)
		}
		o, ok := c.offer(offerID)
		if !ok {
			return fmt.Errorf("%w: %q", ErrStaleOffer, offerID)
		}
		ag, ok, err := tx.agent(o.AgentID)
		if err != nil {
			return err
		}
		if !ok || ag.Offer != offerID {
			return fmt.Errorf("%w: %q", ErrStaleOffer, offerID)
		}
		evs, err = fn(tx, o, &c, &ag)
		if err != nil {
			return err
		}
		tx.putAgent(ag)
		if c.Req.ID != "" {
			tx.putCall(c)
		}
		evs = append(evs, agentEvent(ag, what))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, offerID, err)
	}
	a.emit(ctx, evs...)
	a.wake()
	return nil
}

// Accept connects the offered call to the agent (on-call). Other ring-all offers of the
// call are cancelled.
func (a *ACD) Accept(ctx context.Context, offerID string) error {
	return a.resolve(ctx, offerID, "accept", func(tx txn, o Offer, c *callRec, ag *agentRec) ([]Event, error) {
		evs, err := a.cancelOffers(tx, c, offerID, "answered-elsewhere")
		if err != nil {
			return nil, err
		}
		now := a.now()
		waited := now.Sub(c.Entered)
		c.Status, c.AgentID, c.Answered, c.Offers, c.Direct = callConnected, ag.ID, now, nil, ""
		ag.Offer = ""
		ag.Calls = append(slices.Clone(ag.Calls), c.Req.ID)
		ag.Missed = 0
		if ag.State != StateOnCall {
			a.setState(ag, StateOnCall, ag.pendingReason())
		}
		tx.incr(c.Queue, ctrAnswered, 1)
		tx.incr(c.Queue, ctrWaitMs, waited.Milliseconds())
		if q, ok := a.queues[c.Queue]; ok && waited <= q.ServiceLevel {
			tx.incr(c.Queue, ctrAnsweredWithin, 1)
		}
		if c.Req.Caller != "" {
			tx.setLastAgent(c.Req.Caller, ag.ID)
		}
		a.log.Info("call connected", "call_id", c.Req.ID, "agent_id", ag.ID, "queue", c.Queue, "waited", waited)
		return append(evs,
			Event{Kind: EventOfferAccepted, CallID: c.Req.ID, AgentID: ag.ID, Queue: c.Queue, Offer: &o},
			Event{Kind: EventCallConnected, CallID: c.Req.ID, AgentID: ag.ID, Queue: c.Queue}), nil
	})
}

// pendingReason is the not-ready an agent asked for while on a call ("" when none);
// an agent moving to on-call from offered has none.
func (ag *agentRec) pendingReason() string {
	if ag.State == StateOnCall {
		return ag.Reason
	}
	return ""
}

// Decline puts the call back in its queue at its place; the agent goes not-ready
// "declined" (or stays on its other calls).
func (a *ACD) Decline(ctx context.Context, offerID, reason string) error {
	return a.resolve(ctx, offerID, "decline", func(tx txn, o Offer, c *callRec, ag *agentRec) ([]Event, error) {
		a.backToQueue(c, offerID)
		ag.Offer = ""
		if ag.State == StateOffered {
			a.setState(ag, StateNotReady, "declined")
		}
		if reason == "" {
			reason = "declined"
		}
		return []Event{{Kind: EventOfferDeclined, CallID: c.Req.ID, AgentID: ag.ID, Queue: c.Queue, Offer: &o, Reason: reason}}, nil
	})
}

// Missed records an offer the agent's phone did not answer: the call goes back at its
// place; after the queue's AutoPause missed offers in a row the agent goes not-ready
// "missed-offer", otherwise ready.
func (a *ACD) Missed(ctx context.Context, offerID string) error {
	return a.missed(ctx, offerID, "no-answer", time.Time{})
}

// missed resolves an offer as missed; with a non-zero due, only when it is still
// unresolved at due (expiry by the engine).
func (a *ACD) missed(ctx context.Context, offerID, reason string, due time.Time) error {
	return a.resolve(ctx, offerID, "missed", func(tx txn, o Offer, c *callRec, ag *agentRec) ([]Event, error) {
		if !due.IsZero() && a.now().Before(o.Expires.Add(OfferGrace)) {
			return nil, fmt.Errorf("%w: offer %s not due", errConflict, offerID)
		}
		a.backToQueue(c, offerID)
		ag.Offer = ""
		ag.Missed++
		autoPause := DefaultAutoPause
		if q, ok := a.queues[c.Queue]; ok {
			autoPause = q.AutoPause
		}
		pause := ag.Missed >= autoPause
		switch {
		case ag.State == StateOffered && pause:
			a.setState(ag, StateNotReady, "missed-offer")
		case ag.State == StateOffered:
			a.setState(ag, StateReady, "")
		case pause:
			ag.Reason = "missed-offer"
		}
		return []Event{{Kind: EventOfferMissed, CallID: c.Req.ID, AgentID: ag.ID, Queue: c.Queue, Offer: &o, Reason: reason}}, nil
	})
}

// backToQueue drops an offer; with none left the call waits again at its place.
func (a *ACD) backToQueue(c *callRec, offerID string) {
	c.dropOffer(offerID)
	if len(c.Offers) == 0 {
		c.Status = callWaiting
		c.Direct = ""
	}
}

// Complete ends a connected call: the agent goes to wrap-up (the queue's WrapUp; zero
// means straight back to ready, or to a not-ready asked for during the call).
func (a *ACD) Complete(ctx context.Context, callID string) error {
	var evs []Event
	err := a.update(ctx, func(tx txn) error {
		c, ok, err := tx.call(callID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownCall, callID)
		}
		if c.Status != callConnected {
			return fmt.Errorf("%w: complete a %s call", ErrIllegalState, c.Status)
		}
		evs, err = a.releaseAgent(tx, c)
		if err != nil {
			return err
		}
		tx.delCall(callID)
		evs = append(evs, Event{Kind: EventCallEnded, CallID: callID, AgentID: c.AgentID, Queue: c.Queue})
		return nil
	})
	if err != nil {
		return fmt.Errorf("complete %s: %w", callID, err)
	}
	a.emit(ctx, evs...)
	a.wake()
	return nil
}

// releaseAgent takes a connected call off its agent: talk time, handled, wrap-up.
func (a *ACD) releaseAgent(tx txn, c callRec) ([]Event, error) {
	now := a.now()
	talk := now.Sub(c.Answered)
	tx.incr(c.Queue, ctrCompleted, 1)
	tx.incr(c.Queue, ctrTalkMs, talk.Milliseconds())
	ag, ok, err := tx.agent(c.AgentID)
	if err != nil || !ok {
		return nil, err
	}
	ag.Calls = slices.DeleteFunc(slices.Clone(ag.Calls), func(id string) bool { return id == c.Req.ID })
	ag.Handled++
	ag.TalkTime += talk
	ag.IdleSince = now
	if len(ag.Calls) == 0 && ag.State == StateOnCall && ag.Offer == "" {
		q := a.queues[c.Queue]
		if q.WrapUp > 0 {
			reason := ag.Reason
			a.setState(&ag, StateWrapUp, reason)
			ag.WrapUntil = now.Add(q.WrapUp)
		} else {
			a.afterCalls(&ag)
		}
	}
	tx.putAgent(ag)
	return []Event{agentEvent(ag, "call-ended")}, nil
}

// TransferToQueue moves a call to another queue keeping its original entry time (its
// place). From a connected call the agent is freed (wrap-up); a waiting call just moves.
func (a *ACD) TransferToQueue(ctx context.Context, callID, queue string) error {
	if _, err := a.queue(queue); err != nil {
		return fmt.Errorf("transfer %s: %w", callID, err)
	}
	var evs []Event
	err := a.update(ctx, func(tx txn) error {
		evs = nil
		c, ok, err := tx.call(callID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownCall, callID)
		}
		from := c.Queue
		switch c.Status {
		case callConnected:
			if evs, err = a.releaseAgent(tx, c); err != nil {
				return err
			}
		case callOffered:
			if evs, err = a.cancelOffers(tx, &c, "", "transferred"); err != nil {
				return err
			}
		}
		c.Status, c.AgentID, c.Answered, c.Direct, c.Offers = callWaiting, "", time.Time{}, "", nil
		c.Queue, c.QueuedAt = queue, a.now()
		tx.putCall(c)
		evs = append(evs, Event{Kind: EventCallTransferred, CallID: callID, Queue: queue, Reason: "from queue " + from})
		return nil
	})
	if err != nil {
		return fmt.Errorf("transfer %s to %s: %w", callID, queue, err)
	}
	a.emit(ctx, evs...)
	a.wake()
	return nil
}

// TransferToAgent offers a call directly to an agent who is ready (or on a call with
// room under MaxCalls); otherwise ErrIllegalState. The current agent, if any, is freed.
// Should the agent decline or miss it, the call waits in its queue at its place.
func (a *ACD) TransferToAgent(ctx context.Context, callID, agentID string) error {
	var evs []Event
	var off Offer
	err := a.update(ctx, func(tx txn) error {
		evs = nil
		c, ok, err := tx.call(callID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownCall, callID)
		}
		ag, ok, err := tx.agent(agentID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownAgent, agentID)
		}
		if !available(ag) || slices.Contains(ag.Calls, callID) {
			return fmt.Errorf("%w: agent %s is %s", ErrIllegalState, agentID, ag.State)
		}
		switch c.Status {
		case callConnected:
			if evs, err = a.releaseAgent(tx, c); err != nil {
				return err
			}
		case callOffered:
			if evs, err = a.cancelOffers(tx, &c, "", "transferred"); err != nil {
				return err
			}
		}
		// releaseAgent may have rewritten the target agent (a transfer to oneself is refused above).
		q := a.queues[c.Queue]
		now := a.now()
		off = a.newOffer(c, agentID, q, now)
		c.Status, c.AgentID, c.Answered, c.Direct, c.Offers = callOffered, "", time.Time{}, agentID, []Offer{off}
		tx.putCall(c)
		a.markOffered(&ag, off.ID, now)
		tx.putAgent(ag)
		tx.incr(c.Queue, ctrOffered, 1)
		evs = append(evs, Event{Kind: EventCallTransferred, CallID: callID, AgentID: agentID, Queue: c.Queue, Reason: "to agent " + agentID}, agentEvent(ag, "offer"))
		return nil
	})
	if err != nil {
		return fmt.Errorf("transfer %s to agent %s: %w", callID, agentID, err)
	}
	a.emit(ctx, evs...)
	a.emitOffer(ctx, off)
	return nil
}

// emitOffer publishes an offer with its call's Context.
func (a *ACD) emitOffer(ctx context.Context, off Offer) {
	b, err := a.be.callContext(ctx, off.CallID)
	if err != nil {
		a.log.Warn("acd offer without context", "call_id", off.CallID, "err", err)
	}
	off.Call.Context = b
	a.emit(ctx, Event{Kind: EventOffer, CallID: off.CallID, AgentID: off.AgentID, Queue: off.Queue, Offer: &off})
}

func (a *ACD) markOffered(ag *agentRec, offerID string, now time.Time) {
	ag.Offer = offerID
	ag.LastOffer = now
	if ag.State == StateReady {
		a.setState(ag, StateOffered, "")
	}
}

// Stats returns a queue's live figures.
func (a *ACD) Stats(ctx context.Context, queue string) (QueueStats, error) {
	q, err := a.queue(queue)
	if err != nil {
		return QueueStats{}, err
	}
	snap, err := a.be.snapshot(ctx)
	if err != nil {
		return QueueStats{}, fmt.Errorf("%w: stats: %w", ErrBackend, err)
	}
	ctr, err := a.be.counters(ctx, queue)
	if err != nil {
		return QueueStats{}, fmt.Errorf("%w: stats: %w", ErrBackend, err)
	}
	now := a.now()
	st := QueueStats{Queue: queue,
		Offered: int(ctr[ctrOffered]), Answered: int(ctr[ctrAnswered]), Abandoned: int(ctr[ctrAbandoned]), Overflowed: int(ctr[ctrOverflowed])}
	for _, c := range snap.calls {
		if c.Queue == queue && c.Status != callConnected {
			st.Waiting++
			st.Longest = max(st.Longest, now.Sub(c.Entered))
		}
	}
	for _, ag := range snap.agents {
		if ag.State == StateLoggedOut || !a.serves(q, ag) {
			continue
		}
		st.AgentsLoggedIn++
		switch ag.State {
		case StateReady:
			st.AgentsReady++
		case StateOffered, StateOnCall, StateWrapUp:
			st.AgentsBusy++
		}
	}
	st.ServiceLevel = serviceLevel(ctr)
	if st.Answered > 0 {
		st.AverageWait = time.Duration(ctr[ctrWaitMs]) * time.Millisecond / time.Duration(st.Answered)
	}
	st.EWT = a.ewt(q, snap, st.Waiting+1, ctr)
	return st, nil
}

// serviceLevel is answered within the threshold / (answered + abandoned after the
// threshold); 1 when no call counts yet.
func serviceLevel(ctr map[string]int64) float64 {
	den := ctr[ctrAnswered] + ctr[ctrAbandonedAfter]
	if den == 0 {
		return 1
	}
	return float64(ctr[ctrAnsweredWithin]) / float64(den)
}
