package telephony

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/bridge"
	"github.com/parley-cc/parley/media/record"
	"github.com/parley-cc/parley/store"
)

// CallID identifies a call in Parley (logs, store, recording file name).
// It is not the SIP Call-ID.
type CallID string

func newCallID() CallID {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return CallID(hex.EncodeToString(b[:]))
}

// Handler runs one inbound call. HandleCall is called on a goroutine of
// its own once the caller hears ringing; ctx ends when the call ends. When
// HandleCall returns, a call still ringing is rejected with 480 and an
// answered call is hung up, as net/http finishes a response.
type Handler interface {
	HandleCall(ctx context.Context, c *Call)
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(ctx context.Context, c *Call)

// HandleCall calls f(ctx, c).
func (f HandlerFunc) HandleCall(ctx context.Context, c *Call) { f(ctx, c) }

// DefaultHandler answers every call and sends silence until the caller
// hangs up.
var DefaultHandler Handler = HandlerFunc(func(ctx context.Context, c *Call) {
	if err := c.Answer(ctx); err != nil {
		return
	}
	<-ctx.Done()
})

// callState is where a call is in its life.
type callState int

const (
	stateRinging   callState = iota // INVITE received, 180 sent
	stateDialing                    // outbound INVITE sent, not answered
	stateAnswering                  // 200 OK sent, waiting for ACK
	stateAnswered                   // ACK received
	stateEnded
)

func (s callState) String() string {
	switch s {
	case stateRinging:
		return "ringing"
	case stateDialing:
		return "dialing"
	case stateAnswering:
		return "answering"
	case stateAnswered:
		return "answered"
	}
	return "ended"
}

// Call is one inbound call, from INVITE to hangup. Its methods are safe
// from any goroutine; state changes are applied in order under one mutex.
type Call struct {
	ua    *UA
	id    CallID
	log   *slog.Logger
	dlg   *sipgo.DialogServerSession // inbound calls: the dialog Parley answers
	out   *sipgo.DialogClientSession // outbound calls: the dialog Parley started
	sd    sipDialog                  // dlg or out
	dlgID string                     // the UAS-form dialog id in UA.byDlg
	offer []byte
	from  string
	to    string
	dir   store.Direction

	// The record the call writes: its own (recID == id, owner) or, for a
	// leg dialled on behalf of another call (an agent, a transfer target),
	// the parent's, under its own leg id.
	recID CallID // guarded by mu once the call is known: a transfer moves legs
	legID store.LegID
	owner bool
	trunk string

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	final  chan struct{} // closed once the INVITE has its final response
	finalO sync.Once
	digits chan Digit

	reMu    sync.Mutex // serializes offers within the dialog
	setupMu sync.Mutex // serializes Progress and Answer

	mu    sync.Mutex
	state callState
	// answerStored is closed once the answer is in the store; the end
	// is written after it, so a BYE racing the answer cannot reorder them.
	answerStored chan struct{}
	early        bool               // 183 sent with the answer; leg and session set
	dialCancel   context.CancelFunc // cancels an outbound call's ringing
	finalClaimed bool               // the INVITE's final response is being sent
	bridge       *Bridge            // the bridge the call is in, nil if none
	part         *bridge.Participant
	referResult  chan int // sipfrag statuses of a REFER Parley sent
	leg          *media.Leg
	media        Media
	session      session
	unheld       time.Time // last unhold, for the RTP time-out
	started      time.Time // the recording's start: the answer, or early media
	rec          *record.Recorder
	recPath      string
	answered     time.Time
	disp         store.Disposition
	cause        string
}

// ID returns Parley's id of the call.
func (c *Call) ID() CallID { return c.id }

// From returns the caller's From URI.
func (c *Call) From() string { return c.from }

// To returns the To URI the caller dialled.
func (c *Call) To() string { return c.to }

// recordID is the id of the call record the call writes to.
func (c *Call) recordID() CallID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recID
}

// Ended reports whether the call has ended.
func (c *Call) Ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Direction says who placed the call: store.Inbound or store.Outbound.
func (c *Call) Direction() store.Direction { return c.dir }

// Trunk returns the name of the trunk carrying the call, empty for direct
// SIP.
func (c *Call) Trunk() string { return c.trunk }

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// Leg returns the call's audio leg, nil before Answer or Progress. Play audio to the
// caller with Leg().Transmitter().Play.
func (c *Call) Leg() *media.Leg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leg
}

// Media returns what the SDP offer/answer settled, as a re-INVITE left
// it; zero before Answer or Progress.
func (c *Call) Media() Media {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.media
}

// End returns how the call ended: DispositionUnknown while it is up.
func (c *Call) End() (store.Disposition, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.disp, c.cause
}

func (c *Call) finalized() { c.finalO.Do(func() { close(c.final) }) }

// Reject refuses a ringing call (or one in early media) with a final SIP
// status (4xx-6xx) and a Reason header (RFC 3326) carrying reason. The
// call record ends rejected, with the status as its SIP code and reason as
// its cause. The statuses a Handler picks from:
//
//   - 486 Busy Here: Parley cannot take the call now (queue or agent
//     capacity reached); cause "busy" when reason is empty.
//   - 480 Temporarily Unavailable: nothing can serve the number now
//     (closed hours, no script); cause "temporarily-unavailable". It is
//     also what a Handler returning without answering sends.
//   - 603 Decline: Parley refuses the call and will not take it elsewhere
//     (a blocked caller); cause "declined".
//
// A status outside 300-699 is sent as 480. Reject fails with ErrAnswered
// once Answer has sent 200 OK and ErrCallEnded after the call ended.
func (c *Call) Reject(code int, reason string) error {
	c.mu.Lock()
	switch c.state {
	case stateEnded:
		c.mu.Unlock()
		return ErrCallEnded
	case stateAnswering, stateAnswered:
		c.mu.Unlock()
		return ErrAnswered
	}
	c.mu.Unlock()
	if reason == "" {
		reason = defaultCause(code)
	}
	return c.reject(code, reason, store.Rejected)
}

// defaultCause is the cause of a rejection given without a reason.
func defaultCause(code int) string {
	switch code {
	case sip.StatusBusyHere:
		return "busy"
	case sip.StatusGlobalDecline:
		return "declined"
	case sip.StatusTemporarilyUnavailable:
		return "temporarily-unavailable"
	}
	return "rejected"
}

// reject sends the final response and ends the call with disp.
// reject claims the INVITE's final response, so that exactly one is sent
// however Reject, Hangup, Answer, shutdown and the Handler's return race:
// a second claimer gets ErrAnswered (or ErrCallEnded once the call ended).
func (c *Call) reject(code int, reason string, disp store.Disposition, hdrs ...sip.Header) error {
	c.mu.Lock()
	switch {
	case c.state == stateEnded:
		c.mu.Unlock()
		return ErrCallEnded
	case c.finalClaimed:
		c.mu.Unlock()
		return ErrAnswered
	}
	c.finalClaimed = true
	c.mu.Unlock()
	return c.sendReject(code, reason, disp, hdrs...)
}

// sendReject sends a final failure response the caller has claimed.
func (c *Call) sendReject(code int, reason string, disp store.Disposition, hdrs ...sip.Header) error {
	if code < 300 || code > 699 {
		code = sip.StatusTemporarilyUnavailable
	}
	c.event("reject", code)
	err := c.dlg.Respond(code, statusText(code), nil, append(hdrs, reasonHeader(code, reason))...)
	c.finish(disp, reason, code)
	return err
}

// Hangup ends the call: BYE once answered, 480 while ringing. It returns
// when the far end answered the BYE or ctx ended.
func (c *Call) Hangup(ctx context.Context) error {
	return c.hangup(ctx, store.Answered, "parley-hangup")
}

func (c *Call) hangup(ctx context.Context, disp store.Disposition, cause string) error {
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	switch st {
	case stateEnded:
		return ErrCallEnded
	case stateRinging:
		return c.reject(sip.StatusTemporarilyUnavailable, cause, store.Rejected)
	case stateDialing:
		c.mu.Lock()
		cancel := c.dialCancel
		c.mu.Unlock()
		if cancel != nil {
			cancel() // Dial sends CANCEL and ends the call
		}
		return nil
	}
	c.event("hangup", 0)
	err := c.sd.Bye(ctx)
	if err != nil {
		c.log.Debug("BYE", "err", err)
	}
	c.finish(disp, cause, 0)
	return err
}

// shutdown ends the call because the UA is closing.
func (c *Call) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	switch st {
	case stateRinging:
		_ = c.reject(sip.StatusServiceUnavailable, "shutdown", store.Failed)
		return
	case stateDialing:
		_ = c.hangup(ctx, store.Cancelled, "shutdown")
		<-c.done
		return
	}
	_ = c.hangup(ctx, store.Answered, "shutdown")
}

// finish ends the call once: it releases the media, closes the recording,
// writes the end of the record and forgets the call. It sends nothing.
func (c *Call) finish(disp store.Disposition, cause string, code int) {
	c.mu.Lock()
	if c.state == stateEnded {
		c.mu.Unlock()
		return
	}
	answered := c.state == stateAnswered
	if !answered && disp == store.Answered {
		disp = store.Failed
	}
	c.state, c.disp, c.cause = stateEnded, disp, cause
	leg, rec, answerStored := c.leg, c.rec, c.answerStored
	c.mu.Unlock()

	now := time.Now()
	c.cancel()
	close(c.done)
	c.finalized()
	if leg != nil {
		if err := leg.Close(); err != nil {
			c.log.Warn("closing audio leg", "err", err)
		}
	}
	if rec != nil {
		c.closeRecording(rec, now, answered)
	}
	if answerStored != nil {
		select {
		case <-answerStored:
		case <-time.After(storeTimeout):
		}
	}
	c.record("end", func(ctx context.Context, s CallStore) error {
		if err := s.EndLeg(ctx, store.CallID(c.recordID()), c.legID, now, cause); err != nil {
			if !c.owner && errors.Is(err, store.ErrConflict) {
				return nil // the caller's call ended first, closing its legs
			}
			return err
		}
		if !c.owner {
			return nil
		}
		return s.EndCall(ctx, store.CallID(c.recordID()), store.End{At: now, Disposition: disp, Cause: cause, SIPCode: code})
	})
	c.ua.forget(c)
	c.log.Info("call ended", "disposition", disp, "cause", cause, "sip_code", code)
	if c.owner {
		c.ua.endLegsOf(c.id)
	}
}
