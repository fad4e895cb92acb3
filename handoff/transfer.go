package handoff

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/nlu/summary"
	"github.com/parley-cc/parley/telephony"
)

// queued is one caller's transfer, served by the call handler's goroutine:
// every state change of the call is made there.
type queued struct {
	s      *Service
	log    *slog.Logger
	call   *telephony.Call
	id     string
	queue  string
	number string
	loop   *voice.Loop // nil while bridged
	hold   *holdSource
	se     *session
	packet Packet

	rings   map[string]*ring // offer ID -> a phone ringing
	results chan ringResult
	wg      sync.WaitGroup // rings and announcements

	annCancel context.CancelFunc
	annDone   chan struct{}
}

// Transfer queues the caller in the ACD and stays with the call until it
// ends: hold audio and announcements, offers rung, the agent bridged in,
// or a fallback (implements voice.Transferer).
func (s *Service) Transfer(ctx context.Context, r voice.TransferRequest) {
	c := r.Call
	q := &queued{s: s, call: c, id: string(c.ID()), loop: r.Loop, number: callerNumber(c.From()),
		rings: map[string]*ring{}, results: make(chan ringResult, 4)}
	q.log = s.log.With("call_id", q.id)
	t := r.Transfer
	if t == nil {
		t = &runtime.Transfer{}
	}
	q.queue = t.Queue
	q.se = s.register(q.id)
	q.se.add(c)
	defer s.release(q.id, q.se)
	defer q.end(ctx)
	q.startHold()
	req, ok := q.request(ctx, t, r.Script)
	if !ok {
		return
	}
	pos, err := s.cfg.ACD.Enqueue(ctx, req)
	if errors.Is(err, acd.ErrUnknownSkill) {
		q.log.Warn("the script asks for a skill no queue or agent has: queued without it", "skills", t.Skills, "err", err)
		req.Skills = nil
		pos, err = s.cfg.ACD.Enqueue(ctx, req)
	}
	switch {
	case errors.Is(err, acd.ErrBlacklisted):
		q.log.Info("blacklisted caller refused", "caller", q.number)
		q.say(ctx, sayRefused)
		return
	case errors.Is(err, acd.ErrQueueFull):
		q.log.Info("queue full", "queue", q.queue)
		q.fallback(ctx, s.queueFallback(q.queue))
		return
	case err != nil:
		q.log.Error("call not queued", "queue", q.queue, "err", err)
		q.say(ctx, sayUnknown)
		return
	}
	q.log.Info("call queued", "queue", q.queue, "position", pos.Position, "ewt", pos.EWT)
	q.announce(pos)
	q.wait(ctx)
}

// request builds the packet and the ACD request of the call.
func (q *queued) request(ctx context.Context, t *runtime.Transfer, script string) (acd.CallRequest, bool) {
	s := q.s
	var data map[string]string
	if s.cfg.CustomerData != nil {
		data = s.cfg.CustomerData(ctx, q.number)
	}
	q.packet = NewPacket(Source{CallID: q.id, Caller: q.number, Data: data,
		Script: script, Transfer: t})
	if s.cfg.Summarizer != nil {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		q.packet.Summary = clean(s.cfg.Summarizer.Summarize(sctx, summaryCall(t)))
		cancel()
	}
	b, err := q.packet.Marshal()
	if err != nil {
		q.log.Error("context packet not built", "err", err)
		q.say(ctx, sayUnknown)
		return acd.CallRequest{}, false
	}
	prio := t.Priority
	if v := strings.ToLower(data["vip"]); v == "true" || v == "yes" || v == "1" {
		prio += s.cfg.VIPPriority
	}
	var skills map[string]int
	for _, sk := range t.Skills {
		if skills == nil {
			skills = map[string]int{}
		}
		skills[sk] = max(skills[sk], 1)
	}
	return acd.CallRequest{ID: q.id, Queue: t.Queue, Caller: q.number, Priority: prio, Skills: skills, Data: data, Context: b}, true
}

// wait serves the queued call until it is connected and over, falls back
// or the caller hangs up.
func (q *queued) wait(ctx context.Context) {
	acdc := q.s.cfg.ACD
	for {
		select {
		case <-q.call.Done():
			q.stopRings()
			q.log.Info("caller hung up while queued", "queue", q.queue)
			if err := acdc.Abandon(context.WithoutCancel(ctx), q.id); err != nil && !errors.Is(err, acd.ErrUnknownCall) {
				q.log.Warn("abandon failed", "err", err)
			}
			return
		case <-ctx.Done():
			q.stopRings()
			_ = acdc.Abandon(context.WithoutCancel(ctx), q.id)
			return
		case ev := <-q.se.events:
			if done := q.onEvent(ctx, ev); done {
				return
			}
		case r := <-q.results:
			if done := q.onRing(ctx, r); done {
				return
			}
		}
	}
}

// onEvent applies one ACD event while the call waits; true ends the wait.
func (q *queued) onEvent(ctx context.Context, ev acd.Event) bool {
	switch ev.Kind {
	case acd.EventOffer:
		if ev.Offer != nil && ev.Offer.Node == q.s.cfg.Node {
			q.ringAgent(ctx, *ev.Offer)
		}
	case acd.EventOfferCancelled, acd.EventOfferDeclined, acd.EventOfferMissed:
		if ev.Offer != nil {
			q.cancelRing(ev.Offer.ID)
		}
	case acd.EventAnnounce:
		if ev.Position != nil {
			q.announce(*ev.Position)
		}
	case acd.EventCallOverflowed:
		if ev.Queue != "" {
			q.queue = ev.Queue
		}
	case acd.EventCallFallback:
		q.stopRings()
		q.log.Info("queue fallback", "queue", q.queue, "fallback", ev.Fallback, "reason", ev.Reason)
		q.fallback(ctx, ev.Fallback)
		return true
	case acd.EventCallAbandoned, acd.EventCallEnded:
		q.stopRings()
		q.log.Info("call removed from the queue", "kind", ev.Kind, "reason", ev.Reason)
		return true
	}
	return false
}

// onRing acts on a phone that answered or stopped ringing.
func (q *queued) onRing(ctx context.Context, r ringResult) bool {
	delete(q.rings, r.offer.ID)
	acdc := q.s.cfg.ACD
	if r.err != nil {
		if !r.cancelled {
			q.log.Info("offer not answered", "agent_id", r.offer.AgentID, "err", r.err)
			if err := acdc.Missed(ctx, r.offer.ID); err != nil && !errors.Is(err, acd.ErrStaleOffer) {
				q.log.Warn("missed offer not recorded", "err", err)
			}
		}
		return false
	}
	if err := acdc.Accept(ctx, r.offer.ID); err != nil {
		q.log.Warn("agent answered a stale offer", "agent_id", r.offer.AgentID, "err", err)
		_ = r.agent.Hangup(context.WithoutCancel(ctx))
		return false
	}
	q.stopRings()
	q.log.Info("agent answered", "agent_id", r.offer.AgentID, "queue", q.queue)
	return q.connect(ctx, r.agent, r.offer)
}

// summaryCall is what the summarizer works from.
func summaryCall(t *runtime.Transfer) summary.Call {
	h := t.Context
	c := summary.Call{Intents: h.Intents, Slots: h.Slots, Sentiment: h.Sentiment, Trend: h.Trend}
	for _, tu := range h.Transcript {
		c.Transcript = append(c.Transcript, summary.Turn{Speaker: tu.Speaker, Text: tu.Text})
	}
	if t.Reason != "" {
		c.Actions = []string{t.Reason}
	}
	return c
}

// queueFallback is the configured fallback of a queue (goodbye if unknown).
func (s *Service) queueFallback(name string) acd.Fallback {
	for _, qc := range s.cfg.ACD.Queues() {
		if qc.Name == name && qc.Fallback != "" {
			return qc.Fallback
		}
	}
	return acd.FallbackGoodbye
}

// callerNumber is the user part of a From header value.
func callerNumber(from string) string { return voice.DialledNumber(from) }
