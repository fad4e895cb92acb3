package acd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ACD routes queued calls to agents. It is safe for concurrent use.
type ACD struct {
	be     Backend
	node   string
	log    *slog.Logger
	now    func() time.Time
	tick   time.Duration
	queues map[string]QueueConfig
	order  []string // queue names as configured
	skills map[string]bool
	agents []AgentConfig
	black  []string

	kick chan struct{}
	hub  hub

	mu        sync.Mutex
	epochID   string               // the backend state's lifetime this node last saw
	synced    bool                 // last backend round trip succeeded and the epoch matched
	lastErr   error                // why not
	last      snapshot             // last good snapshot (resync after a state loss)
	announced map[string]time.Time // call -> last announcement (calls owned by this node)
	contexts  map[string][]byte    // Context of this node's calls (resync)
	agentSkls map[string]bool      // skills agents define (ErrUnknownSkill)
}

// New checks cfg and returns an ACD. It provisions cfg.Agents (keeping the live state
// of agents the backend already holds) and cfg.Blacklist in the backend.
func New(cfg Config) (*ACD, error) {
	a := &ACD{
		be: cfg.Backend, node: cfg.Node, log: cfg.Log, now: cfg.Now, tick: cfg.Tick,
		queues: map[string]QueueConfig{}, skills: map[string]bool{}, agentSkls: map[string]bool{},
		kick: make(chan struct{}, 1), announced: map[string]time.Time{}, contexts: map[string][]byte{},
		agents: slices.Clone(cfg.Agents), black: slices.Clone(cfg.Blacklist),
	}
	if a.be == nil {
		a.be = NewMemory()
	}
	if a.node == "" {
		a.node = "local"
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("node", a.node)
	if a.now == nil {
		a.now = time.Now
	}
	if a.tick <= 0 {
		a.tick = 250 * time.Millisecond
	}
	var errs []error
	for _, q := range cfg.Queues {
		if q.Name == "" {
			errs = append(errs, fmt.Errorf("%w: queue without a name", ErrInvalid))
			continue
		}
		if _, dup := a.queues[q.Name]; dup {
			errs = append(errs, fmt.Errorf("%w: queue %q defined twice", ErrInvalid, q.Name))
		}
		if !q.Strategy.Valid() {
			errs = append(errs, fmt.Errorf("%w: queue %q: unknown strategy %q", ErrInvalid, q.Name, q.Strategy))
		}
		switch q.Fallback {
		case "", FallbackCallback, FallbackVoicemail, FallbackGoodbye:
		default:
			errs = append(errs, fmt.Errorf("%w: queue %q: unknown fallback %q", ErrInvalid, q.Name, q.Fallback))
		}
		q.fillDefaults()
		q.Relax = slices.Clone(q.Relax)
		slices.SortStableFunc(q.Relax, func(x, y Relax) int { return int(x.After - y.After) })
		a.queues[q.Name] = q
		a.order = append(a.order, q.Name)
		for s := range q.Skills {
			a.skills[s] = true
		}
		for _, r := range q.Relax {
			for s := range r.Skills {
				a.skills[s] = true
			}
		}
	}
	for _, q := range a.queues {
		if q.OverflowTo != "" {
			if _, ok := a.queues[q.OverflowTo]; !ok {
				errs = append(errs, fmt.Errorf("%w: queue %q overflows to unknown queue %q", ErrUnknownQueue, q.Name, q.OverflowTo))
			}
		}
	}
	for _, ag := range cfg.Agents {
		if ag.ID == "" {
			errs = append(errs, fmt.Errorf("%w: agent without an id", ErrInvalid))
		}
		for s := range ag.Skills {
			a.agentSkls[s] = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("acd config: %w", err)
	}
	return a, nil
}

// Run provisions the configured agents and blacklist, then routes calls and runs the
// timers until ctx ends. Events reach subscribers only while Run runs. A backend outage
// does not end Run: it retries, and resyncs when the backend's state was lost.
func (a *ACD) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	wg.Add(1)
	go func(r chan struct{}) {
		defer wg.Done()
		for ctx.Err() == nil {
			if err := a.be.subscribe(ctx, a.onEvent, r); err != nil && ctx.Err() == nil {
				a.log.Warn("acd event subscription failed, retrying", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
			r = make(chan struct{}) // only the first subscription signals readiness
		}
	}(ready)
	select {
	case <-ready:
	case <-ctx.Done():
		return nil
	}
	if err := a.provision(ctx); err != nil {
		a.log.Warn("acd provisioning failed, retrying on the next tick", "err", err)
	}
	t := time.NewTicker(a.tick)
	defer t.Stop()
	a.step(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-a.kick:
		}
		a.step(ctx)
	}
}

// onEvent delivers an event from any node to the local subscribers, and wakes routing
// when another node's event may have made a match possible.
func (a *ACD) onEvent(ev Event) {
	a.hub.deliver(ev)
	if ev.Node != a.node {
		switch ev.Kind {
		case EventCallQueued, EventAgentState, EventOfferDeclined, EventOfferMissed, EventCallEnded:
			a.wake()
		}
	}
}

func (a *ACD) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// provision writes the configured agents (new ones logged out) and blacklist, and
// notes the backend's epoch.
func (a *ACD) provision(ctx context.Context) error {
	for _, c := range a.agents {
		if err := a.PutAgent(ctx, c); err != nil {
			return err
		}
	}
	for _, n := range a.black {
		if err := a.be.setBlacklist(ctx, n, true); err != nil {
			return fmt.Errorf("%w: blacklist: %w", ErrBackend, err)
		}
	}
	ep, err := a.be.epoch(ctx, newEpoch())
	if err != nil {
		return fmt.Errorf("%w: epoch: %w", ErrBackend, err)
	}
	a.mu.Lock()
	a.epochID = ep
	a.mu.Unlock()
	return nil
}

// Healthy reports whether the backend is reachable and this node is in sync with it.
func (a *ACD) Healthy(ctx context.Context) error {
	if err := a.be.ping(ctx); err != nil {
		return fmt.Errorf("%w: ping: %w", ErrBackend, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.synced && a.lastErr != nil {
		return fmt.Errorf("%w: not in sync: %w", ErrBackend, a.lastErr)
	}
	return nil
}

// Queues returns the configured queues with defaults filled in.
func (a *ACD) Queues() []QueueConfig {
	out := make([]QueueConfig, 0, len(a.order))
	for _, n := range a.order {
		out = append(out, a.queues[n])
	}
	return out
}

// AddBlacklist refuses calls from caller from now on (on every node).
func (a *ACD) AddBlacklist(ctx context.Context, caller string) error {
	if err := a.be.setBlacklist(ctx, caller, true); err != nil {
		return fmt.Errorf("%w: blacklist %s: %w", ErrBackend, caller, err)
	}
	return nil
}

// RemoveBlacklist accepts calls from caller again.
func (a *ACD) RemoveBlacklist(ctx context.Context, caller string) error {
	if err := a.be.setBlacklist(ctx, caller, false); err != nil {
		return fmt.Errorf("%w: blacklist %s: %w", ErrBackend, caller, err)
	}
	return nil
}

// update runs fn atomically, wrapping backend failures in ErrBackend (this package's
// own errors pass through unchanged).
func (a *ACD) update(ctx context.Context, fn func(tx txn) error) error {
	err := a.be.update(ctx, fn)
	if err == nil || ownError(err) || ctx.Err() != nil {
		return err
	}
	return fmt.Errorf("%w: %w", ErrBackend, err)
}

func ownError(err error) bool {
	for _, e := range []error{ErrUnknownAgent, ErrUnknownQueue, ErrUnknownCall, ErrUnknownSkill, ErrIllegalState,
		ErrStaleOffer, ErrBlacklisted, ErrQueueFull, ErrBackend, ErrInvalid, errConflict} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// emit publishes events; a failure is logged (the state change itself is stored).
func (a *ACD) emit(ctx context.Context, evs ...Event) {
	for _, ev := range evs {
		if ev.At.IsZero() {
			ev.At = a.now()
		}
		if ev.Node == "" {
			ev.Node = a.node
		}
		if err := a.be.publish(ctx, ev); err != nil {
			a.log.Warn("acd publish failed", "kind", ev.Kind, "call_id", ev.CallID, "agent_id", ev.AgentID, "err", err)
		}
	}
}

func newEpoch() string { return uuid.NewString() }

func agentEvent(ag agentRec, reason string) Event {
	cp := ag.Agent
	cp.Skills = maps.Clone(cp.Skills)
	cp.Calls = slices.Clone(cp.Calls)
	return Event{Kind: EventAgentState, AgentID: ag.ID, Agent: &cp, Reason: reason}
}

func (a *ACD) queue(name string) (QueueConfig, error) {
	q, ok := a.queues[name]
	if !ok {
		return QueueConfig{}, fmt.Errorf("%w: %q", ErrUnknownQueue, name)
	}
	return q, nil
}
