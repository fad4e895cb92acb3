package handoff

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/telephony"
)

// callback serves an offer of a callback request: it rings the agent,
// whispers the context, dials the customer and bridges the two.
func (s *Service) callback(ctx context.Context, o acd.Offer, se *session) {
	log := s.log.With("call_id", o.CallID, "agent_id", o.AgentID, "callback", o.Call.Callback)
	timeout := max(minRing, time.Until(o.Expires))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c   *telephony.Call
		err error
	}
	rang := make(chan result, 1)
	go func() {
		c, err := s.dialAgent(rctx, o, nil, timeout)
		rang <- result{c, err}
	}()
	var agent *telephony.Call
	for agent == nil {
		select {
		case ev := <-se.events:
			if ev.Offer != nil && ev.Offer.ID == o.ID && (ev.Kind == acd.EventOfferCancelled || ev.Kind == acd.EventOfferDeclined || ev.Kind == acd.EventOfferMissed) {
				cancel()
				if r := <-rang; r.c != nil {
					_ = r.c.Hangup(context.WithoutCancel(ctx))
				}
				return
			}
		case r := <-rang:
			if r.err != nil {
				log.Info("callback offer not answered", "err", r.err)
				if err := s.cfg.ACD.Missed(context.WithoutCancel(ctx), o.ID); err != nil && !errors.Is(err, acd.ErrStaleOffer) {
					log.Warn("missed offer not recorded", "err", err)
				}
				return
			}
			agent = r.c
		}
	}
	defer func() { _ = agent.Hangup(context.WithoutCancel(ctx)) }()
	se.add(agent)
	if err := s.cfg.ACD.Accept(ctx, o.ID); err != nil {
		log.Warn("agent answered a stale callback offer", "err", err)
		return
	}
	defer func() {
		if err := s.cfg.ACD.Complete(context.WithoutCancel(ctx), o.CallID); err != nil && !errors.Is(err, acd.ErrUnknownCall) {
			log.Warn("complete failed", "err", err)
		}
	}()
	text := "Callback to " + spelled(o.Call.Callback) + "."
	p, ok := s.takePacket(o.CallID)
	if !ok {
		var err error
		p, err = ParsePacket(o.Call.Context)
		ok = err == nil
	}
	if ok {
		text += " " + whisperText(p, s.cfg.WhisperMax)
	}
	s.whisper(ctx, agent, text, log)
	customer, err := s.dialCustomer(ctx, o.Call.Callback, agent)
	if err != nil {
		log.Info("callback not answered by the customer", "err", err)
		s.whisper(ctx, agent, "The customer did not answer.", log)
		return
	}
	defer func() { _ = customer.Hangup(context.WithoutCancel(ctx)) }()
	se.add(customer)
	br, err := s.cfg.UA.NewBridge(agent, customer)
	if err != nil {
		log.Error("bridge failed", "err", err)
		return
	}
	defer br.Close()
	log.Info("callback connected")
	select {
	case <-agent.Done():
	case <-customer.Done():
	case <-ctx.Done():
	}
}

// dialCustomer calls the customer back: a SIP URI directly, a number
// through the callback trunk, else a registered user.
func (s *Service) dialCustomer(ctx context.Context, number string, agent *telephony.Call) (*telephony.Call, error) {
	o := telephony.DialOptions{Parent: agent}
	switch {
	case strings.HasPrefix(number, "sip:") || strings.HasPrefix(number, "sips:"):
		o.To = number
		return s.cfg.UA.Dial(ctx, o)
	case s.cfg.CallbackTrunk != "":
		o.To, o.Trunk = number, s.cfg.CallbackTrunk
		return s.cfg.UA.Dial(ctx, o)
	default:
		return s.cfg.UA.DialUser(ctx, number, o)
	}
}

// spelled reads a number digit by digit.
func spelled(n string) string {
	var b strings.Builder
	for i, r := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
