package acd

import (
	"log/slog"
	"time"
)

// State is the state of an agent.
type State string

// The states of an agent. Legal changes by the agent (SetState, Login, Logout, EndWrapUp):
// logged-out -> not-ready ("login"); not-ready <-> ready; ready|not-ready -> logged-out;
// wrap-up -> ready (EndWrapUp or the queue's WrapUp timer). The engine moves ready ->
// offered -> on-call (Accept) or back (Decline, Missed, cancel) and on-call -> wrap-up.
const (
	StateLoggedOut State = "logged-out"
	StateReady     State = "ready"
	StateNotReady  State = "not-ready" // with Agent.Reason (a reason code: "break", "lunch", "missed-offer", "declined", ...)
	StateOffered   State = "offered"
	StateOnCall    State = "on-call"
	StateWrapUp    State = "wrap-up" // ends after the queue's WrapUp, or EndWrapUp
)

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool {
	switch s {
	case StateLoggedOut, StateReady, StateNotReady, StateOffered, StateOnCall, StateWrapUp:
		return true
	}
	return false
}

// AgentConfig is the provisioned identity of an agent.
type AgentConfig struct {
	ID       string         `json:"id"`              // e.g. "alice"
	Name     string         `json:"name,omitempty"`  // display name
	Phone    string         `json:"phone,omitempty"` // registrar user whose phones ring for offers (telephony UA.DialUser)
	Skills   map[string]int `json:"skills,omitempty"`
	MaxCalls int            `json:"max_calls,omitempty"` // concurrent calls; 0 means 1
}

func (c AgentConfig) maxCalls() int {
	if c.MaxCalls <= 0 {
		return 1
	}
	return c.MaxCalls
}

// Agent is an agent's configuration and live state.
type Agent struct {
	AgentConfig
	State     State         `json:"state"`
	Reason    string        `json:"reason,omitempty"` // not-ready reason code; while on-call: not-ready requested once the calls end
	Since     time.Time     `json:"since"`            // of the current state
	IdleSince time.Time     `json:"idle_since"`       // last call ended (longest idle)
	Calls     []string      `json:"calls,omitempty"`  // call IDs on this agent now
	Offer     string        `json:"offer,omitempty"`  // offer ID while offered
	Missed    int           `json:"missed,omitempty"` // offers missed in a row
	Handled   int           `json:"handled,omitempty"`
	TalkTime  time.Duration `json:"talk_time,omitempty"`
	// WrapUntil is when the wrap-up state ends by itself (zero: only EndWrapUp ends it).
	// Added to the agreed API.
	WrapUntil time.Time `json:"wrap_until"`
}

// Strategy chooses among the agents able to take a call.
type Strategy string

// Strategies. The default is StrategyLongestIdle.
const (
	StrategyLongestIdle    Strategy = "longest-idle"    // ready agent whose last call ended longest ago
	StrategyFewestCalls    Strategy = "fewest-calls"    // fewest calls handled
	StrategyLeastTalkTime  Strategy = "least-talk-time" // least talk time
	StrategySkillsWeighted Strategy = "skills-weighted" // highest summed proficiency in the required skills
	StrategyRoundRobin     Strategy = "round-robin"     // the agent offered a call least recently
	StrategyRingAll        Strategy = "ring-all"        // every able agent at once; the first to accept wins
)

// Valid reports whether s is a known strategy (the empty string means the default).
func (s Strategy) Valid() bool {
	switch s {
	case "", StrategyLongestIdle, StrategyFewestCalls, StrategyLeastTalkTime, StrategySkillsWeighted, StrategyRoundRobin, StrategyRingAll:
		return true
	}
	return false
}

// Relax is one step of relaxing a queue's skill requirements with waiting time.
type Relax struct {
	After  time.Duration  `json:"after"`  // waited this long...
	Skills map[string]int `json:"skills"` // ...the requirements become these (usually lower levels or fewer skills)
}

// Fallback is what happens to a caller who waited MaxWait or found the queue full.
type Fallback string

// Fallbacks.
const (
	FallbackCallback  Fallback = "callback"  // the caller is called back; the request keeps the caller's place
	FallbackVoicemail Fallback = "voicemail" // the caller leaves a message
	FallbackGoodbye   Fallback = "goodbye"   // the caller is told to call later
)

// QueueConfig configures a queue. Zero values mean the defaults noted.
type QueueConfig struct {
	Name            string         `json:"name"`
	Skills          map[string]int `json:"skills,omitempty"` // required skills and minimum levels
	Relax           []Relax        `json:"relax,omitempty"`
	Strategy        Strategy       `json:"strategy,omitempty"`       // default longest-idle
	Ageing          time.Duration  `json:"ageing,omitempty"`         // a waiting call gains one priority point per Ageing (0: none)
	OfferTimeout    time.Duration  `json:"offer_timeout,omitempty"`  // how long an agent's phone rings (default 20 s)
	WrapUp          time.Duration  `json:"wrap_up,omitempty"`        // after-call work (default 0: straight back to ready)
	AutoPause       int            `json:"auto_pause,omitempty"`     // missed offers in a row before not-ready "missed-offer" (default 1)
	OverflowAfter   time.Duration  `json:"overflow_after,omitempty"` // waited this long in this queue...
	OverflowTo      string         `json:"overflow_to,omitempty"`    // ...moves to this queue (keeping its place)
	MaxWait         time.Duration  `json:"max_wait,omitempty"`       // then Fallback (0: no limit)
	MaxLength       int            `json:"max_length,omitempty"`     // calls waiting; beyond it Enqueue returns ErrQueueFull and the Fallback (0: no limit)
	Fallback        Fallback       `json:"fallback,omitempty"`       // default goodbye
	ServiceLevel    time.Duration  `json:"service_level,omitempty"`  // answered within this counts towards the service level (default 20 s)
	Announce        time.Duration  `json:"announce,omitempty"`       // interval of position/expected-wait announcements (0: none)
	PreferLastAgent time.Duration  `json:"prefer_last_agent,omitempty"`
}

// Default queue settings.
const (
	DefaultOfferTimeout = 20 * time.Second
	DefaultServiceLevel = 20 * time.Second
	DefaultAutoPause    = 1
	// OfferGrace is how long after its Expires an unresolved offer is expired as missed
	// by whichever node notices.
	OfferGrace = 5 * time.Second
)

func (q *QueueConfig) fillDefaults() {
	if q.Strategy == "" {
		q.Strategy = StrategyLongestIdle
	}
	if q.OfferTimeout <= 0 {
		q.OfferTimeout = DefaultOfferTimeout
	}
	if q.AutoPause <= 0 {
		q.AutoPause = DefaultAutoPause
	}
	if q.ServiceLevel <= 0 {
		q.ServiceLevel = DefaultServiceLevel
	}
	if q.Fallback == "" {
		q.Fallback = FallbackGoodbye
	}
}

// CallRequest asks for a call to be queued.
type CallRequest struct {
	ID       string            `json:"id"`                 // Parley call ID (telephony.CallID as string)
	Queue    string            `json:"queue"`              // queue name
	Caller   string            `json:"caller,omitempty"`   // caller number (blacklist, last-agent preference)
	Priority int               `json:"priority,omitempty"` // higher first (VIP from caller data)
	Skills   map[string]int    `json:"skills,omitempty"`   // extra requirements from the bot, merged with the queue's (never relaxed)
	Data     map[string]string `json:"data,omitempty"`     // known customer data
	Context  []byte            `json:"context,omitempty"`  // the handoff context packet (JSON, <= 256 KiB), kept with the call on every backend
	Node     string            `json:"node,omitempty"`     // the Parley node whose media path holds the call (set by the engine)
	Callback string            `json:"callback,omitempty"` // non-empty: a callback request for this number keeping the caller's place
}

// MaxContext is the largest CallRequest.Context accepted.
const MaxContext = 256 << 10

// Position is a waiting call's place in its queue.
type Position struct {
	Queue    string        `json:"queue"`
	Position int           `json:"position"` // 1 = next
	Waited   time.Duration `json:"waited"`
	EWT      time.Duration `json:"ewt"` // expected wait
}

// Offer is a call offered to an agent.
type Offer struct {
	ID      string        `json:"id"`
	CallID  string        `json:"call_id"`
	AgentID string        `json:"agent_id"`
	Queue   string        `json:"queue"`
	Node    string        `json:"node"` // node that owns the call: only its handoff rings the phone
	Created time.Time     `json:"created"`
	Expires time.Time     `json:"expires"`
	Call    CallRequest   `json:"call"` // incl. Context
	Waited  time.Duration `json:"waited"`
}

// EventKind names an event.
type EventKind string

// Event kinds.
const (
	EventAgentState      EventKind = "agent-state"
	EventCallQueued      EventKind = "call-queued"
	EventOffer           EventKind = "offer"
	EventOfferAccepted   EventKind = "offer-accepted"
	EventOfferDeclined   EventKind = "offer-declined"
	EventOfferMissed     EventKind = "offer-missed"
	EventOfferCancelled  EventKind = "offer-cancelled"
	EventCallConnected   EventKind = "call-connected"
	EventCallEnded       EventKind = "call-ended"
	EventCallAbandoned   EventKind = "call-abandoned"
	EventCallOverflowed  EventKind = "call-overflowed"
	EventCallFallback    EventKind = "call-fallback"
	EventCallTransferred EventKind = "call-transferred"
	EventAnnounce        EventKind = "announce"
)

// Event is something that happened in the ACD, on any node sharing the backend.
type Event struct {
	Kind     EventKind `json:"kind"`
	At       time.Time `json:"at"`
	Node     string    `json:"node,omitempty"`
	AgentID  string    `json:"agent_id,omitempty"`
	CallID   string    `json:"call_id,omitempty"`
	Queue    string    `json:"queue,omitempty"`
	Agent    *Agent    `json:"agent,omitempty"`    // agent-state
	Offer    *Offer    `json:"offer,omitempty"`    // offer*
	Position *Position `json:"position,omitempty"` // call-queued, announce
	Fallback Fallback  `json:"fallback,omitempty"` // call-fallback
	Reason   string    `json:"reason,omitempty"`
}

// QueueStats are a queue's live figures, counted since the backend's state began.
type QueueStats struct {
	Queue                                    string        `json:"queue"`
	Waiting                                  int           `json:"waiting"`
	Longest                                  time.Duration `json:"longest"`
	AgentsReady, AgentsBusy, AgentsLoggedIn  int
	Offered, Answered, Abandoned, Overflowed int
	ServiceLevel                             float64       `json:"service_level"` // answered within threshold / (answered + abandoned after threshold), 0..1
	AverageWait                              time.Duration `json:"average_wait"`  // of answered calls
	EWT                                      time.Duration `json:"ewt"`           // for a call queued now
}

// Config configures an ACD.
type Config struct {
	Backend   Backend          // NewMemory() (default) or NewRedis(...)
	Node      string           // this node's name (default "local")
	Queues    []QueueConfig    // queue names are unique
	Agents    []AgentConfig    // provisioned agents (also PutAgent at run time)
	Blacklist []string         // caller numbers refused before queuing (also AddBlacklist)
	Log       *slog.Logger     // default slog.Default()
	Now       func() time.Time // tests; default time.Now
	// Tick is how often Run checks timers (offer expiry, wrap-up, overflow, max wait,
	// announcements) and retries routing; default 250 ms. Added to the agreed API.
	Tick time.Duration
}
