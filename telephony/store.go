package telephony

import (
	"context"
	"time"

	"github.com/parley-cc/parley/store"
)

// CallStore is what the UA writes of every call's record: the subset of
// store.Store it uses. *store.SQLite satisfies it.
type CallStore interface {
	CreateCall(ctx context.Context, c store.Call) error
	AnswerCall(ctx context.Context, id store.CallID, at time.Time) error
	EndCall(ctx context.Context, id store.CallID, end store.End) error
	AddLeg(ctx context.Context, l store.Leg) error
	AnswerLeg(ctx context.Context, call store.CallID, leg store.LegID, at time.Time) error
	EndLeg(ctx context.Context, call store.CallID, leg store.LegID, at time.Time, reason string) error
	AddEvent(ctx context.Context, e store.Event) error
	SetRecording(ctx context.Context, r store.Recording) error
}

var _ CallStore = (*store.SQLite)(nil)

// storeTimeout bounds each write of a call record. It is long: the store
// commits queued writes together, and under a saturated CPU a write can
// wait seconds; giving up loses the record (the SIPp load run lost one
// call at 5 s).
const storeTimeout = 30 * time.Second

// callerLeg is the leg id of the inbound caller's dialog.
const callerLeg store.LegID = "caller"

// record runs one store write for c, detached from any request context,
// and logs a failure: a call goes on when its record cannot be written.
func (c *Call) record(what string, fn func(ctx context.Context, s CallStore) error) {
	s := c.ua.cfg.Store
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := fn(ctx, s); err != nil {
		c.log.Warn("call record", "op", what, "err", err)
	}
}

// event adds a call event with a reason code.
func (c *Call) event(typ string, code int) {
	c.addEvent(store.Event{LegID: c.legID, At: time.Now(), Type: typ, Code: code})
}

// addEvent tells Config.OnEvent and writes the event to the record.
func (c *Call) addEvent(e store.Event) {
	e.CallID = store.CallID(c.recordID())
	if h := c.ua.cfg.OnEvent; h != nil {
		h(CallEvent{Event: e, Call: c})
	}
	c.record("event "+e.Type, func(ctx context.Context, s CallStore) error {
		return s.AddEvent(ctx, e)
	})
}

// CallEvent is one thing that happened on a call, as Config.OnEvent gets
// it: the event written to the record (its CallID is the record's: the
// caller's call for an agent's or a transfer target's leg) and the leg it
// happened on.
type CallEvent struct {
	store.Event
	Call *Call
}
