package console

import (
	"encoding/json"
	"time"

	"github.com/parley-cc/parley/acd"
)

// The API's JSON shapes. They are the console's own, so that the ACD can
// change inside without breaking agents' desktops: durations are whole
// milliseconds in fields ending in _ms, times are RFC 3339.

// AgentView is an agent's identity and live state.
type AgentView struct {
	ID         string         `json:"id"`
	Name       string         `json:"name,omitempty"`
	Phone      string         `json:"phone,omitempty"`
	Skills     map[string]int `json:"skills,omitempty"`
	MaxCalls   int            `json:"max_calls,omitempty"`
	State      acd.State      `json:"state"`
	Reason     string         `json:"reason,omitempty"`
	Since      time.Time      `json:"since"`
	IdleSince  *time.Time     `json:"idle_since,omitempty"`
	WrapUntil  *time.Time     `json:"wrap_until,omitempty"`
	Calls      []string       `json:"calls"`
	Offer      string         `json:"offer,omitempty"`
	Missed     int            `json:"missed"`
	Handled    int            `json:"handled"`
	TalkTimeMS int64          `json:"talk_time_ms"`
}

func agentView(a acd.Agent) AgentView {
	v := AgentView{
		ID: a.ID, Name: a.Name, Phone: a.Phone, Skills: a.Skills, MaxCalls: a.MaxCalls,
		State: a.State, Reason: a.Reason, Since: a.Since, IdleSince: optTime(a.IdleSince), WrapUntil: optTime(a.WrapUntil),
		Calls: a.Calls, Offer: a.Offer, Missed: a.Missed, Handled: a.Handled, TalkTimeMS: a.TalkTime.Milliseconds(),
	}
	if v.Calls == nil {
		v.Calls = []string{}
	}
	return v
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// OfferView is a call offered to an agent, with its context packet.
type OfferView struct {
	ID        string            `json:"id"`
	CallID    string            `json:"call_id"`
	AgentID   string            `json:"agent_id"`
	Queue     string            `json:"queue"`
	Node      string            `json:"node,omitempty"`
	Created   time.Time         `json:"created"`
	Expires   time.Time         `json:"expires"`
	WaitedMS  int64             `json:"waited_ms"`
	Caller    string            `json:"caller,omitempty"`
	Priority  int               `json:"priority"`
	Skills    map[string]int    `json:"skills,omitempty"`
	Data      map[string]string `json:"data,omitempty"`
	Callback  string            `json:"callback,omitempty"`
	Recording string            `json:"recording"` // the recording's URL in this API
	// Context is the handoff context packet (handoff.Packet) as JSON; null
	// when the call has none or it is not valid JSON.
	Context json.RawMessage `json:"context"`
}

func offerView(o acd.Offer) OfferView {
	v := OfferView{
		ID: o.ID, CallID: o.CallID, AgentID: o.AgentID, Queue: o.Queue, Node: o.Node,
		Created: o.Created, Expires: o.Expires, WaitedMS: o.Waited.Milliseconds(),
		Caller: o.Call.Caller, Priority: o.Call.Priority, Skills: o.Call.Skills, Data: o.Call.Data,
		Callback: o.Call.Callback, Recording: Prefix + "/calls/" + o.CallID + "/recording",
		Context: json.RawMessage("null"),
	}
	if len(o.Call.Context) > 0 && json.Valid(o.Call.Context) {
		v.Context = json.RawMessage(o.Call.Context)
	}
	return v
}

// QueueView is a queue's live figures and main settings.
type QueueView struct {
	Name           string         `json:"name"`
	Strategy       acd.Strategy   `json:"strategy,omitempty"`
	Skills         map[string]int `json:"skills,omitempty"`
	Waiting        int            `json:"waiting"`
	LongestMS      int64          `json:"longest_ms"`
	AgentsReady    int            `json:"agents_ready"`
	AgentsBusy     int            `json:"agents_busy"`
	AgentsLoggedIn int            `json:"agents_logged_in"`
	Offered        int            `json:"offered"`
	Answered       int            `json:"answered"`
	Abandoned      int            `json:"abandoned"`
	Overflowed     int            `json:"overflowed"`
	// ServiceLevel is the share of calls answered within ServiceLevelMS
	// (0..1).
	ServiceLevel   float64 `json:"service_level"`
	ServiceLevelMS int64   `json:"service_level_ms"`
	AverageWaitMS  int64   `json:"average_wait_ms"`
	EWTMS          int64   `json:"ewt_ms"`
}

func queueView(q acd.QueueConfig, st acd.QueueStats) QueueView {
	return QueueView{
		Name: q.Name, Strategy: q.Strategy, Skills: q.Skills,
		Waiting: st.Waiting, LongestMS: st.Longest.Milliseconds(),
		AgentsReady: st.AgentsReady, AgentsBusy: st.AgentsBusy, AgentsLoggedIn: st.AgentsLoggedIn,
		Offered: st.Offered, Answered: st.Answered, Abandoned: st.Abandoned, Overflowed: st.Overflowed,
		ServiceLevel: st.ServiceLevel, ServiceLevelMS: q.ServiceLevel.Milliseconds(),
		AverageWaitMS: st.AverageWait.Milliseconds(), EWTMS: st.EWT.Milliseconds(),
	}
}

// PositionView is a waiting call's place.
type PositionView struct {
	Queue    string `json:"queue"`
	Position int    `json:"position"`
	WaitedMS int64  `json:"waited_ms"`
	EWTMS    int64  `json:"ewt_ms"`
}

// EventView is one message on the event WebSocket.
type EventView struct {
	Kind     acd.EventKind `json:"kind"`
	At       time.Time     `json:"at"`
	Node     string        `json:"node,omitempty"`
	AgentID  string        `json:"agent_id,omitempty"`
	CallID   string        `json:"call_id,omitempty"`
	Queue    string        `json:"queue,omitempty"`
	Agent    *AgentView    `json:"agent,omitempty"`
	Offer    *OfferView    `json:"offer,omitempty"`
	Position *PositionView `json:"position,omitempty"`
	Fallback acd.Fallback  `json:"fallback,omitempty"`
	Reason   string        `json:"reason,omitempty"`
}

func eventView(ev acd.Event) EventView {
	v := EventView{Kind: ev.Kind, At: ev.At, Node: ev.Node, AgentID: ev.AgentID, CallID: ev.CallID,
		Queue: ev.Queue, Fallback: ev.Fallback, Reason: ev.Reason}
	if ev.Agent != nil {
		a := agentView(*ev.Agent)
		v.Agent = &a
	}
	if ev.Offer != nil {
		o := offerView(*ev.Offer)
		v.Offer = &o
	}
	if ev.Position != nil {
		v.Position = &PositionView{Queue: ev.Position.Queue, Position: ev.Position.Position,
			WaitedMS: ev.Position.Waited.Milliseconds(), EWTMS: ev.Position.EWT.Milliseconds()}
	}
	return v
}
