package handoff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-cc/parley/acd"
	"github.com/parley-cc/parley/bot/voice"
	"github.com/parley-cc/parley/media/play"
	"github.com/parley-cc/parley/nlu/summary"
	"github.com/parley-cc/parley/telephony"
)

// Config configures a Service. ACD, UA and Voice.Client are required;
// zero values of the rest mean the defaults given.
type Config struct {
	// ACD queues the calls and offers them to agents. Its Run loop is the
	// caller's to run; the Service subscribes to its events in Run.
	ACD *acd.ACD
	// Node is this Parley node's name, as given to the ACD: only offers
	// for calls this node holds are rung from here.
	Node string
	// UA rings agents' phones (its Registrar) and dials callbacks.
	UA *telephony.UA
	// Voice is the template of the voice loops the Service opens itself:
	// the whisper on an agent's call, and the caller's loop again after
	// an agent sends a call back to a queue.
	Voice voice.Config
	// HoldAudio is a WAV file played, looping, to callers in a queue;
	// empty plays HoldMusic.
	HoldAudio string
	// DisableWhisper bridges the caller in as soon as the agent answers.
	DisableWhisper bool
	// WhisperMax bounds the spoken summary the agent hears; default 8 s.
	WhisperMax time.Duration
	// Summarizer, if set, rewrites the packet's summary (an LLM through
	// nlu/llm); nil keeps the bot's extractive summary.
	Summarizer *summary.Summarizer
	// CustomerData looks up what is known about a caller number (a CRM);
	// optional. A "vip" value of "true" or "yes" raises the priority by
	// VIPPriority.
	CustomerData func(ctx context.Context, number string) map[string]string
	// VIPPriority is added to a VIP caller's priority; default 10.
	VIPPriority int
	// CallbackTrunk carries callbacks to numbers; a caller number that is
	// a SIP URI is dialled directly. Empty: callbacks to numbers are
	// dialled as registered users of the UA.
	CallbackTrunk string
	// MessageMax caps a voicemail message; default 2 min.
	MessageMax time.Duration
	Log        *slog.Logger
}

// Service carries out warm transfers: it implements voice.Transferer.
type Service struct {
	cfg  Config
	log  *slog.Logger
	hold *play.Clip

	mu    sync.Mutex
	calls map[string]*session // call ID -> the goroutine serving it here
	wg    sync.WaitGroup      // callbacks started by Run
	run   context.Context     // Run's, while it runs
	// packets of this node's callback requests, for the agent's whisper
	// (offers carry no context).
	packets map[string]Packet
	clips   map[int]*play.Clip // the hold audio at each call rate
}

var _ voice.Transferer = (*Service)(nil)

// session is what Run needs of a call served on this node: a mailbox of
// its ACD events, and its calls for Hangup.
type session struct {
	events chan acd.Event

	mu    sync.Mutex
	calls []*telephony.Call
}

// add makes c one of the calls Hangup ends.
func (se *session) add(c *telephony.Call) {
	se.mu.Lock()
	se.calls = append(se.calls, c)
	se.mu.Unlock()
}

// Hangup ends a call this node serves (the console's hang-up): the
// caller's call, or both legs of a callback; the conversation then ends
// as if the caller had hung up. acd.ErrUnknownCall when this node serves
// no such call.
func (s *Service) Hangup(ctx context.Context, callID string) error {
	s.mu.Lock()
	se := s.calls[callID]
	s.mu.Unlock()
	if se == nil {
		return fmt.Errorf("%w: %q is not served on node %s", acd.ErrUnknownCall, callID, s.cfg.Node)
	}
	se.mu.Lock()
	calls := append([]*telephony.Call(nil), se.calls...)
	se.mu.Unlock()
	var errs []error
	for _, c := range calls {
		if err := c.Hangup(ctx); err != nil && !c.Ended() {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.ACD == nil || cfg.UA == nil {
		return nil, errors.New("handoff: an ACD and a UA are required")
	}
	if cfg.Voice.Client == nil {
		return nil, errors.New("handoff: Voice.Client (MRCP) is required")
	}
	if cfg.WhisperMax <= 0 {
		cfg.WhisperMax = 8 * time.Second
	}
	if cfg.VIPPriority == 0 {
		cfg.VIPPriority = 10
	}
	if cfg.MessageMax <= 0 {
		cfg.MessageMax = 2 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Service{cfg: cfg, log: cfg.Log.With("component", "handoff"), calls: map[string]*session{}, packets: map[string]Packet{}, clips: map[int]*play.Clip{}}
	if cfg.HoldAudio == "" {
		s.hold = HoldMusic()
	} else {
		c, err := play.LoadClip(cfg.HoldAudio)
		if err != nil {
			return nil, fmt.Errorf("handoff: hold audio: %w", err)
		}
		s.hold = c
	}
	return s, nil
}

// Run reads the ACD's events until ctx ends: it hands each to the call it
// is for and rings the agents of callback requests this node made. It
// returns after the callbacks it started have ended.
func (s *Service) Run(ctx context.Context) error {
	s.mu.Lock()
	s.run = ctx
	s.mu.Unlock()
	for ev := range s.cfg.ACD.Subscribe(ctx) {
		s.dispatch(ctx, ev)
	}
	s.mu.Lock()
	s.run = nil // no callback starts after this
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// dispatch delivers one event; it never blocks on a call.
func (s *Service) dispatch(ctx context.Context, ev acd.Event) {

	if ev.CallID == "" {
		return
	}
	s.mu.Lock()
	se := s.calls[ev.CallID]
	s.mu.Unlock()
	if se != nil {
		select {
		case se.events <- ev:
		default:
			s.log.Warn("call event dropped: the call's mailbox is full", "call_id", ev.CallID, "kind", ev.Kind)
		}
		return
	}
	if ev.Kind != acd.EventOffer || ev.Offer == nil || ev.Offer.Node != s.cfg.Node {
		return
	}
	o := *ev.Offer
	if o.Call.Callback != "" {
		s.mu.Lock()
		if s.run == nil {
			s.mu.Unlock()
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		se := s.register(o.CallID)
		go func() {
			defer s.wg.Done()
			defer s.unregister(o.CallID)
			s.callback(ctx, o, se)
		}()
		return
	}
	// An offer for a call that is no longer here: its media path is gone.
	s.log.Warn("offer for a call this node no longer holds: abandoning it", "call_id", o.CallID, "agent_id", o.AgentID)
	if err := s.cfg.ACD.Abandon(ctx, o.CallID); err != nil && !errors.Is(err, acd.ErrUnknownCall) {
		s.log.Warn("abandon failed", "call_id", o.CallID, "err", err)
	}
}

func (s *Service) register(id string) *session {
	se := &session{events: make(chan acd.Event, 64)}
	s.mu.Lock()
	s.calls[id] = se
	s.mu.Unlock()
	return se
}

func (s *Service) unregister(id string) {
	s.mu.Lock()
	delete(s.calls, id)
	s.mu.Unlock()
}

// release ends a transfer's hold on its call's events: the events that
// reached its mailbox after it stopped reading (an offer of the callback
// request the call became, made while the caller heard the goodbye) are
// dispatched again, now as for a call this node no longer holds.
func (s *Service) release(id string, se *session) {
	s.unregister(id)
	s.mu.Lock()
	ctx := s.run
	s.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		return
	}
	for {
		select {
		case ev := <-se.events:
			if ev.Kind == acd.EventOffer {
				s.dispatch(ctx, ev)
			}
		default:
			return
		}
	}
}

// Waiting is how many calls this node serves in queues or with agents now.
func (s *Service) Waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// keepPacket remembers the packet of a callback request until its offer.
func (s *Service) keepPacket(id string, p Packet) {
	s.mu.Lock()
	s.packets[id] = p
	s.mu.Unlock()
}

// takePacket returns (and forgets) a callback request's packet.
func (s *Service) takePacket(id string) (Packet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.packets[id]
	delete(s.packets, id)
	return p, ok
}
