package handoff

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/telephony"
)

// ring is an agent's phone ringing for an offer.
type ring struct {
	cancel    context.CancelFunc
	cancelled bool
}

// ringResult is how a ring ended: the agent's answered call, or why not.
type ringResult struct {
	offer     acd.Offer
	agent     *telephony.Call
	err       error
	cancelled bool // stopped by us (declined, cancelled, caller gone)
}

// minRing is the shortest time a phone is rung, even for an offer that is
// about to expire.
const minRing = 5 * time.Second

// ringAgent rings the offered agent's phones on a goroutine; the result
// comes back on q.results.
func (q *queued) ringAgent(ctx context.Context, o acd.Offer) {
	if _, dup := q.rings[o.ID]; dup {
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	rg := &ring{cancel: cancel}
	q.rings[o.ID] = rg
	timeout := max(minRing, time.Until(o.Expires))
	if o.Expires.IsZero() {
		timeout = 20 * time.Second
	}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		defer cancel()
		agent, err := q.s.dialAgent(rctx, o, q.call, timeout)
		res := ringResult{offer: o, agent: agent, err: err, cancelled: rctx.Err() != nil && err != nil}
		q.results <- res // read by wait or stopRings: one result per ring
	}()
	q.log.Info("ringing agent", "agent_id", o.AgentID, "offer", o.ID, "ring_timeout", timeout.Round(time.Second))
}

// dialAgent rings the phones of the offer's agent.
func (s *Service) dialAgent(ctx context.Context, o acd.Offer, parent *telephony.Call, timeout time.Duration) (*telephony.Call, error) {
	ag, err := s.cfg.ACD.Agent(ctx, o.AgentID)
	if err != nil {
		return nil, err
	}
	phone := ag.Phone
	if phone == "" {
		phone = ag.ID
	}
	return s.cfg.UA.DialUser(ctx, phone, telephony.DialOptions{Parent: parent, RingTimeout: timeout,
		DisplayName: "Parley " + o.Queue, CallerID: callerIDOf(o.Call.Caller)})
}

// callerIDOf is what an agent's phone shows: the caller's number when it
// is one a From header can carry.
func callerIDOf(n string) string {
	if n == "" || len(n) > 32 {
		return ""
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r == '+' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' || r == '_') {
			return ""
		}
	}
	return n
}

// cancelRing stops the phone ringing for offer id (declined on the
// desktop, cancelled or expired by the ACD).
func (q *queued) cancelRing(id string) {
	if rg := q.rings[id]; rg != nil {
		rg.cancelled = true
		rg.cancel()
	}
}

// stopRings stops every phone still ringing and waits for their results,
// hanging up any that answered meanwhile.
func (q *queued) stopRings() {
	for id := range q.rings {
		q.cancelRing(id)
	}
	for len(q.rings) > 0 {
		r := <-q.results
		delete(q.rings, r.offer.ID)
		if r.agent != nil {
			_ = r.agent.Hangup(context.Background())
		}
	}
}

// connect whispers to the agent, bridges the caller in and stays until
// the conversation ends; false when the call went back to waiting (the
// agent dropped during the whisper, or sent the call to another queue).
func (q *queued) connect(ctx context.Context, agent *telephony.Call, o acd.Offer) bool {
	s := q.s
	if !s.cfg.DisableWhisper {
		s.whisper(ctx, agent, whisperText(q.packet, s.cfg.WhisperMax), q.log)
	}
	if agent.Ended() || q.call.Ended() {
		return q.agentGone(ctx, agent)
	}
	q.stopAnnounce()
	if q.loop != nil {
		_ = q.loop.Close()
		q.loop = nil
	}
	br, err := s.cfg.UA.NewBridge(q.call, agent)
	if err != nil {
		q.log.Error("bridge failed", "err", err)
		return q.agentGone(ctx, agent)
	}
	q.log.Info("caller connected to agent", "agent_id", o.AgentID, "queue", q.queue)
	defer br.Close()
	for {
		select {
		case <-q.call.Done():
			_ = agent.Hangup(context.WithoutCancel(ctx))
			q.complete(ctx)
			return true
		case <-agent.Done():
			q.complete(ctx)
			return true
		case <-ctx.Done():
			_ = agent.Hangup(context.WithoutCancel(ctx))
			q.complete(ctx)
			return true
		case ev := <-q.se.events:
			switch ev.Kind {
			case acd.EventCallEnded, acd.EventCallAbandoned:
				_ = agent.Hangup(context.WithoutCancel(ctx))
				return true
			case acd.EventCallTransferred, acd.EventCallQueued:
				// The agent sent the call on: back to hold for the next offer.
				q.log.Info("agent transferred the call", "agent_id", o.AgentID, "queue", ev.Queue)
				br.Close()
				_ = agent.Hangup(context.WithoutCancel(ctx))
				if ev.Queue != "" {
					q.queue = ev.Queue
				}
				if !q.reopen(ctx) {
					return true
				}
				return false
			case acd.EventOffer:
				// A direct transfer to another agent arrives as an offer.
				if ev.Offer != nil && ev.Offer.Node == s.cfg.Node {
					br.Close()
					_ = agent.Hangup(context.WithoutCancel(ctx))
					if !q.reopen(ctx) {
						return true
					}
					q.ringAgent(ctx, *ev.Offer)
					return false
				}
			}
		}
	}
}

// agentGone puts the call back in its queue when the agent's leg ended
// before the caller was bridged in; true when the caller is gone too.
func (q *queued) agentGone(ctx context.Context, agent *telephony.Call) bool {
	_ = agent.Hangup(context.WithoutCancel(ctx))
	if q.call.Ended() {
		q.complete(ctx)
		return true
	}
	if err := q.s.cfg.ACD.TransferToQueue(ctx, q.id, q.queue); err != nil {
		q.log.Warn("call not put back in its queue", "err", err)
		q.complete(ctx)
		q.say(ctx, sayUnknown)
		return true
	}
	q.log.Info("agent left before the caller was connected: back in the queue", "queue", q.queue)
	return false
}

// complete tells the ACD the conversation is over.
func (q *queued) complete(ctx context.Context) {
	if err := q.s.cfg.ACD.Complete(context.WithoutCancel(ctx), q.id); err != nil && !errors.Is(err, acd.ErrUnknownCall) {
		q.log.Warn("complete failed", "err", err)
	}
}

// reopen gives the caller a voice loop and hold audio again.
func (q *queued) reopen(ctx context.Context) bool {
	l, err := voice.Open(ctx, q.call, q.s.voiceConfig(q.id))
	if err != nil {
		q.log.Error("caller cannot be put back on hold", "err", err)
		_ = q.s.cfg.ACD.Abandon(context.WithoutCancel(ctx), q.id)
		return false
	}
	q.loop = l
	q.startHold()
	return true
}

func (s *Service) voiceConfig(callID string) voice.Config {
	vc := s.cfg.Voice
	vc.CallID, vc.Log = callID, s.cfg.Log
	return vc
}

// whisper speaks text to the agent's leg before the bridge, within
// WhisperMax plus a margin for the speech session.
func (s *Service) whisper(ctx context.Context, agent *telephony.Call, text string, log *slog.Logger) {
	if text == "" {
		return
	}
	l, err := voice.Open(ctx, agent, s.voiceConfig(string(agent.ID())))
	if err != nil {
		log.Warn("whisper skipped: no speech session", "err", err)
		return
	}
	defer l.Close()
	if err := sayWithin(ctx, l, text, s.cfg.WhisperMax+2*time.Second); err != nil {
		log.Warn("whisper cut short", "err", err)
		return
	}
	log.Debug("whisper spoken", "text", text)
}
