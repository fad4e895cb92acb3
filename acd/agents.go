package acd

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"time"
)

// PutAgent creates or updates an agent's configuration. A new agent is logged out; an
// existing one keeps its state.
func (a *ACD) PutAgent(ctx context.Context, c AgentConfig) error {
	if c.ID == "" {
		return fmt.Errorf("%w: agent without an id", ErrInvalid)
	}
	for s, lvl := range c.Skills {
		if s == "" || lvl < 1 || lvl > 10 {
			return fmt.Errorf("%w: agent %s: skill %q level %d (want 1..10)", ErrInvalid, c.ID, s, lvl)
		}
	}
	c.Skills = maps.Clone(c.Skills)
	a.mu.Lock()
	for s := range c.Skills {
		a.agentSkls[s] = true
	}
	a.mu.Unlock()
	var ev Event
	err := a.update(ctx, func(tx txn) error {
		ag, ok, err := tx.agent(c.ID)
		if err != nil {
			return err
		}
		if !ok {
			ag = agentRec{Agent: Agent{State: StateLoggedOut, Since: a.now()}}
		}
		ag.AgentConfig = c
		tx.putAgent(ag)
		ev = agentEvent(ag, "provisioned")
		return nil
	})
	if err != nil {
		return fmt.Errorf("put agent %s: %w", c.ID, err)
	}
	a.emit(ctx, ev)
	return nil
}

// Agent returns one agent.
func (a *ACD) Agent(ctx context.Context, id string) (Agent, error) {
	var out Agent
	err := a.update(ctx, func(tx txn) error {
		ag, ok, err := tx.agent(id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownAgent, id)
		}
		out = ag.Agent
		return nil
	})
	return out, err
}

// Agents returns every agent, sorted by ID.
func (a *ACD) Agents(ctx context.Context) ([]Agent, error) {
	s, err := a.be.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: agents: %w", ErrBackend, err)
	}
	out := make([]Agent, 0, len(s.agents))
	for _, ag := range s.agents {
		out = append(out, ag.Agent)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// changeAgent applies fn to an agent in one transaction and publishes its new state.
func (a *ACD) changeAgent(ctx context.Context, id, what string, fn func(ag *agentRec) error) error {
	var ev Event
	err := a.update(ctx, func(tx txn) error {
		ag, ok, err := tx.agent(id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownAgent, id)
		}
		if err := fn(&ag); err != nil {
			return err
		}
		tx.putAgent(ag)
		ev = agentEvent(ag, what)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, err)
	}
	a.emit(ctx, ev)
	a.wake()
	return nil
}

func (a *ACD) setState(ag *agentRec, s State, reason string) {
	ag.State, ag.Reason, ag.Since = s, reason, a.now()
	if s != StateWrapUp {
		ag.WrapUntil = time.Time{}
	}
}

// Login moves a logged-out agent to not-ready "login".
func (a *ACD) Login(ctx context.Context, agentID string) error {
	return a.changeAgent(ctx, agentID, "login", func(ag *agentRec) error {
		if ag.State != StateLoggedOut {
			return fmt.Errorf("%w: login while %s", ErrIllegalState, ag.State)
		}
		a.setState(ag, StateNotReady, "login")
		ag.Missed = 0
		return nil
	})
}

// Logout logs an agent out; only from ready or not-ready (not while offered, on a
// call or in wrap-up).
func (a *ACD) Logout(ctx context.Context, agentID string) error {
	return a.changeAgent(ctx, agentID, "logout", func(ag *agentRec) error {
		switch ag.State {
		case StateReady, StateNotReady:
		case StateLoggedOut:
			return nil
		default:
			return fmt.Errorf("%w: logout while %s", ErrIllegalState, ag.State)
		}
		a.setState(ag, StateLoggedOut, "")
		return nil
	})
}

// SetState sets ready or not-ready (with a reason code). Not-ready while on a call is
// remembered: the agent takes no further calls and goes not-ready when the calls end.
// Ready while offered, on a call or logged out is ErrIllegalState.
func (a *ACD) SetState(ctx context.Context, agentID string, s State, reason string) error {
	return a.changeAgent(ctx, agentID, "set-state", func(ag *agentRec) error {
		switch s {
		case StateReady:
			switch ag.State {
			case StateReady, StateNotReady, StateWrapUp:
				a.setState(ag, StateReady, "")
				ag.Missed = 0
				return nil
			case StateOnCall:
				if ag.Reason != "" { // withdraw a pending not-ready
					ag.Reason = ""
					return nil
				}
			}
		case StateNotReady:
			if reason == "" {
				reason = "not-ready"
			}
			switch ag.State {
			case StateReady, StateNotReady, StateWrapUp:
				a.setState(ag, StateNotReady, reason)
				return nil
			case StateOnCall:
				ag.Reason = reason
				return nil
			}
		default:
			return fmt.Errorf("%w: SetState accepts ready or not-ready, not %q", ErrIllegalState, s)
		}
		return fmt.Errorf("%w: %s while %s", ErrIllegalState, s, ag.State)
	})
}

// EndWrapUp ends an agent's wrap-up early: ready, or not-ready when requested during
// the call.
func (a *ACD) EndWrapUp(ctx context.Context, agentID string) error {
	return a.changeAgent(ctx, agentID, "end-wrap-up", func(ag *agentRec) error {
		if ag.State != StateWrapUp {
			return fmt.Errorf("%w: end wrap-up while %s", ErrIllegalState, ag.State)
		}
		a.afterCalls(ag)
		return nil
	})
}

// afterCalls moves an agent whose last call and wrap-up ended to ready, or to the
// not-ready it asked for during the call.
func (a *ACD) afterCalls(ag *agentRec) {
	if ag.Reason != "" && ag.State != StateNotReady {
		a.setState(ag, StateNotReady, ag.Reason)
		return
	}
	a.setState(ag, StateReady, "")
}

// CurrentOffer returns the offer ringing an agent, with the call's Context.
func (a *ACD) CurrentOffer(ctx context.Context, agentID string) (Offer, bool, error) {
	var off Offer
	var found bool
	err := a.update(ctx, func(tx txn) error {
		found = false
		ag, ok, err := tx.agent(agentID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownAgent, agentID)
		}
		if ag.Offer == "" {
			return nil
		}
		cid, _ := offerCall(ag.Offer)
		c, ok, err := tx.call(cid)
		if err != nil || !ok {
			return err
		}
		off, found = c.offer(ag.Offer)
		return nil
	})
	if err != nil || !found {
		return Offer{}, false, err
	}
	b, err := a.be.callContext(ctx, off.CallID)
	if err != nil {
		return Offer{}, false, fmt.Errorf("%w: context of %s: %w", ErrBackend, off.CallID, err)
	}
	off.Call.Context = b
	return off, true, nil
}
