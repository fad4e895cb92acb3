package acd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Backend stores the ACD's shared state: agents, calls with their offers, queue
// counters, the blacklist and the caller -> last agent map, and carries events between
// the nodes sharing it. Every state change runs in one atomic transaction. The methods
// are unexported: use NewMemory or NewRedis.
type Backend interface {
	// update runs fn as one atomic transaction, retrying when another writer changed
	// what fn read (fn must be repeatable).
	update(ctx context.Context, fn func(tx txn) error) error
	// snapshot reads every agent and call (calls without their Context).
	snapshot(ctx context.Context) (snapshot, error)
	callContext(ctx context.Context, callID string) ([]byte, error)
	counters(ctx context.Context, queue string) (map[string]int64, error)
	blacklisted(ctx context.Context, caller string) (bool, error)
	setBlacklist(ctx context.Context, caller string, on bool) error
	// publish sends ev to every node's subscription, this one included.
	publish(ctx context.Context, ev Event) error
	// subscribe calls deliver for every published event until ctx ends; ready is
	// closed once the subscription is active.
	subscribe(ctx context.Context, deliver func(Event), ready chan<- struct{}) error
	// epoch returns the identifier of the stored state's lifetime, setting it to create
	// when none is set; it changes when the state was lost (a Redis restart without
	// persistence), which tells the nodes to resync.
	epoch(ctx context.Context, create string) (string, error)
	ping(ctx context.Context) error
}

// txn is the view of the state inside one transaction. Reads see the state as of the
// transaction; writes apply together when fn returns nil.
type txn interface {
	agent(id string) (agentRec, bool, error)
	call(id string) (callRec, bool, error)
	lastAgent(caller string) (string, bool, error)
	putAgent(a agentRec)
	putCall(c callRec)
	putContext(callID string, b []byte)
	delCall(id string)
	delAgent(id string)
	incr(queue, field string, n int64)
	setLastAgent(caller, agentID string)
}

type snapshot struct {
	agents []agentRec
	calls  []callRec
}

// agentRec is an agent as stored.
type agentRec struct {
	Agent
	LastOffer time.Time `json:"last_offer"` // round robin
}

// callStatus is where a call is in its life.
type callStatus string

const (
	callWaiting   callStatus = "waiting"
	callOffered   callStatus = "offered"
	callConnected callStatus = "connected"
)

// callRec is a call as stored (Req.Context lives apart).
type callRec struct {
	Req        CallRequest `json:"req"`
	Queue      string      `json:"queue"`     // current queue
	Entered    time.Time   `json:"entered"`   // first queued: the call's place, kept across decline, miss, overflow and transfer
	QueuedAt   time.Time   `json:"queued_at"` // entered the current queue (overflow)
	Status     callStatus  `json:"status"`
	Offers     []Offer     `json:"offers,omitempty"` // current offers (several with ring-all), Call without Context
	AgentID    string      `json:"agent_id,omitempty"`
	Answered   time.Time   `json:"answered"`
	Preferred  string      `json:"preferred,omitempty"` // the agent who last served the caller
	Direct     string      `json:"direct,omitempty"`    // TransferToAgent: only this agent
	FellBack   bool        `json:"fell_back,omitempty"` // became a callback after MaxWait
	Overflowed int         `json:"overflowed,omitempty"`
}

func (c *callRec) offer(id string) (Offer, bool) {
	for _, o := range c.Offers {
		if o.ID == id {
			return o, true
		}
	}
	return Offer{}, false
}

func (c *callRec) dropOffer(id string) {
	out := c.Offers[:0]
	for _, o := range c.Offers {
		if o.ID != id {
			out = append(out, o)
		}
	}
	c.Offers = out
	if len(c.Offers) == 0 {
		c.Offers = nil
	}
}

// offerCall returns the call ID inside an offer ID ("<call>~<n>").
func offerCall(offerID string) (string, bool) {
	i := strings.LastIndexByte(offerID, '~')
	if i <= 0 {
		return "", false
	}
	return offerID[:i], true
}

// Counter names kept per queue.
const (
	ctrOffered        = "offered"
	ctrAnswered       = "answered"
	ctrAnsweredWithin = "answered_within"
	ctrAbandoned      = "abandoned"
	ctrAbandonedAfter = "abandoned_after"
	ctrOverflowed     = "overflowed"
	ctrFallback       = "fallback"
	ctrWaitMs         = "wait_ms"   // summed wait of answered calls
	ctrTalkMs         = "talk_ms"   // summed talk time of completed calls
	ctrCompleted      = "completed" // calls completed (talk time average)
)

// decodeAgent and decodeCall parse stored records; bad input is an error, never a panic.
func decodeAgent(b []byte) (agentRec, error) {
	var a agentRec
	if err := json.Unmarshal(b, &a); err != nil {
		return agentRec{}, fmt.Errorf("decode agent: %w", err)
	}
	if a.ID == "" || !a.State.Valid() {
		return agentRec{}, fmt.Errorf("decode agent: missing id or bad state %q", a.State)
	}
	return a, nil
}

func decodeCall(b []byte) (callRec, error) {
	var c callRec
	if err := json.Unmarshal(b, &c); err != nil {
		return callRec{}, fmt.Errorf("decode call: %w", err)
	}
	switch c.Status {
	case callWaiting, callOffered, callConnected:
	default:
		return callRec{}, fmt.Errorf("decode call %q: bad status %q", c.Req.ID, c.Status)
	}
	if c.Req.ID == "" || c.Queue == "" {
		return callRec{}, fmt.Errorf("decode call: missing id or queue")
	}
	return c, nil
}

func decodeEvent(b []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	if e.Kind == "" {
		return Event{}, fmt.Errorf("decode event: no kind")
	}
	return e, nil
}
