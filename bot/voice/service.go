package voice

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/store"
	"github.com/parley-cc/parley/telephony"
)

// TranscriptStore keeps the bot's transcripts with the call records.
type TranscriptStore interface {
	SaveTranscript(ctx context.Context, t store.Transcript) error
}

// ServiceConfig configures a Service.
type ServiceConfig struct {
	// Lookup returns the bot serving a dialled number; required.
	Lookup func(number string) (*runtime.Bot, bool)
	// Voice is the template of each call's loop (Client is required).
	Voice Config
	// Store receives each call's transcript; nil keeps none.
	Store TranscriptStore
	// Verifier backs the scripts' verify steps; nil fails every verification.
	Verifier runtime.Verifier
	// Transferer carries out transfers to queues (package handoff). When
	// nil, UA places them: TransferTo is where a transfer then goes: a SIP
	// URI, a number dialled through TransferTrunk, or else a registered
	// user (phone) of the UA's registrar. Empty: the caller is told no one
	// can take the call, and the call ends.
	Transferer    Transferer
	UA            *telephony.UA
	TransferTo    string
	TransferTrunk string
	Log           *slog.Logger
}

// TransferRequest is a transfer the bot asks for, handed to a Transferer
// with the call and the caller's voice loop still open.
type TransferRequest struct {
	Call *telephony.Call
	// Loop is the caller's voice loop, idle: the Transferer may Say, play
	// hold audio around Audio, LeaveMessage, and must Close it.
	Loop     *Loop
	Transfer *runtime.Transfer
	// Script names the dialogue script that served the call.
	Script string
}

// Transferer carries out a transfer: it owns the call and its loop from
// then on, until the call ends (it hangs up what it does not bridge).
// Transfer returns when its part of the call is over.
type Transferer interface {
	Transfer(ctx context.Context, r TransferRequest)
}

// TransfererFunc adapts a function to Transferer.
type TransfererFunc func(ctx context.Context, r TransferRequest)

// Transfer calls f.
func (f TransfererFunc) Transfer(ctx context.Context, r TransferRequest) { f(ctx, r) }

// Audio is the source of what the loop says to the caller (Say, the
// message beep), for a Transferer that plays it over its own hold audio
// on the call's transmitter.
func (l *Loop) Audio() media.Source { return l.out }

// LeaveMessage records the caller's message for mailbox, as a script's
// LeaveMessage step does; it returns the file written, or "".
func (l *Loop) LeaveMessage(ctx context.Context, mailbox string, maxDuration time.Duration) string {
	return l.leaveMessage(ctx, &runtime.LeaveMessage{Mailbox: mailbox, MaxDuration: maxDuration})
}

// Service answers inbound calls with the bot: it implements
// telephony.Handler.
type Service struct {
	cfg ServiceConfig
	log *slog.Logger
}

var _ telephony.Handler = (*Service)(nil)

// NewService returns a Service.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Lookup == nil {
		return nil, errors.New("voice: service needs a Lookup")
	}
	if cfg.Voice.Client == nil {
		return nil, errors.New("voice: service needs an MRCP client")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{cfg: cfg, log: cfg.Log.With("component", "bot")}, nil
}

// Texts the service speaks itself.
const (
	sayNoAgent    = "I'm sorry, there is no one available to take your call right now. Please call again later. Goodbye."
	sayTransferNo = "I'm sorry, I couldn't put you through. Please call again later. Goodbye."
)

// HandleCall runs the bot serving the dialled number; a number no script
// serves is refused with 480.
func (s *Service) HandleCall(ctx context.Context, c *telephony.Call) {
	number := DialledNumber(c.To())
	b, ok := s.cfg.Lookup(number)
	log := s.log.With("call_id", string(c.ID()), "number", number)
	if !ok {
		log.Info("no script serves the dialled number")
		_ = c.Reject(480, "no dialogue script serves this number")
		return
	}
	if err := c.Answer(ctx); err != nil {
		log.Warn("answer failed", "err", err)
		return
	}
	vc := s.cfg.Voice
	vc.CallID, vc.Log = string(c.ID()), s.cfg.Log
	if max := time.Duration(b.Script.Settings.MaxDeadAir); max > 0 && (vc.DeadAir <= 0 || max < vc.DeadAir) {
		vc.DeadAir = max
	}
	loop, err := Open(ctx, c, vc)
	if err != nil {
		log.Error("bot cannot speak: ending the call", "err", err)
		_ = c.Hangup(context.WithoutCancel(ctx))
		return
	}
	d := b.NewDialogue(runtime.Config{CallID: string(c.ID()), Verifier: s.cfg.Verifier, Log: s.cfg.Log})
	res, err := loop.Run(ctx, d)
	log.Info("bot finished", "outcome", res.Outcome.String(), "reason", res.Reason, "turns", len(d.Transcript()), "barge_ins", res.BargeIns)
	s.save(ctx, c, b, d, res)
	if err == nil && res.Outcome == OutcomeTransfer && s.cfg.Transferer != nil {
		s.cfg.Transferer.Transfer(ctx, TransferRequest{Call: c, Loop: loop, Transfer: res.Transfer, Script: b.Script.Name})
		return
	}
	if err == nil && res.Outcome == OutcomeTransfer {
		s.transfer(ctx, c, loop, res.Transfer, log)
		return
	}
	_ = loop.Close()
	if res.Outcome != OutcomeCallerHangup {
		_ = c.Hangup(context.WithoutCancel(ctx))
	}
}

// transfer carries out a Transfer without a Transferer: to the
// configured target, else an honest goodbye.
func (s *Service) transfer(ctx context.Context, c *telephony.Call, loop *Loop, t *runtime.Transfer, log *slog.Logger) {
	defer func() { _ = c.Hangup(context.WithoutCancel(ctx)) }()
	if s.cfg.TransferTo == "" || s.cfg.UA == nil {
		log.Warn("transfer requested but no transfer target is configured", "queue", t.Queue)
		_ = loop.Say(ctx, sayNoAgent)
		_ = loop.Close()
		return
	}
	opts := telephony.DialOptions{Parent: c, Headers: nil}
	var agent *telephony.Call
	var err error
	switch to := s.cfg.TransferTo; {
	case strings.HasPrefix(to, "sip:") || strings.HasPrefix(to, "sips:"):
		opts.To = to
		agent, err = s.cfg.UA.Dial(ctx, opts)
	case s.cfg.TransferTrunk != "":
		opts.To, opts.Trunk = to, s.cfg.TransferTrunk
		agent, err = s.cfg.UA.Dial(ctx, opts)
	default:
		agent, err = s.cfg.UA.DialUser(ctx, to, opts)
	}
	if err != nil {
		log.Warn("transfer failed", "queue", t.Queue, "to", s.cfg.TransferTo, "err", err)
		_ = loop.Say(ctx, sayTransferNo)
		_ = loop.Close()
		return
	}
	_ = loop.Close()
	br, err := s.cfg.UA.NewBridge(c, agent)
	if err != nil {
		log.Error("bridge failed", "err", err)
		_ = agent.Hangup(context.WithoutCancel(ctx))
		return
	}
	defer br.Close()
	log.Info("transferred", "queue", t.Queue, "to", s.cfg.TransferTo)
	select {
	case <-c.Done():
	case <-agent.Done():
	case <-ctx.Done():
	}
	_ = agent.Hangup(context.WithoutCancel(ctx))
}

// save stores the transcript with the call record.
func (s *Service) save(ctx context.Context, c *telephony.Call, b *runtime.Bot, d *runtime.Dialogue, res Result) {
	if s.cfg.Store == nil {
		return
	}
	t := Transcript(store.CallID(c.ID()), b, d, res)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.cfg.Store.SaveTranscript(sctx, t); err != nil {
		s.log.Error("transcript not stored", "call_id", string(c.ID()), "err", err)
	}
}

// Transcript converts a finished dialogue and its Result into the stored form.
func Transcript(id store.CallID, b *runtime.Bot, d *runtime.Dialogue, res Result) store.Transcript {
	t := store.Transcript{CallID: id, Script: b.Script.Name, Version: b.Script.Version, Path: d.Path(), Outcome: res.Outcome.String()}
	if res.Outcome == OutcomeTransfer && res.Transfer != nil {
		t.Outcome += ":" + res.Transfer.Queue
	}
	for _, tu := range d.Transcript() {
		st := store.Turn{Speaker: tu.Speaker, Text: tu.Text, DTMF: tu.DTMF, Step: tu.Step, Start: tu.Start, End: tu.End,
			ASRConfidence: tu.Confidence, Intent: tu.Intent, IntentConfidence: tu.IntentConfidence, Sentiment: tu.Sentiment}
		for _, sl := range tu.Slots {
			if st.Slots == nil {
				st.Slots = map[string]string{}
			}
			v := sl.Normalized
			if v == "" {
				v = sl.Value
			}
			st.Slots[sl.Name] = v
		}
		t.Turns = append(t.Turns, st)
	}
	for _, l := range res.Latency {
		t.Latency = append(t.Latency, store.TurnLatency{Seq: l.Seq, SpeechEnd: l.SpeechEnd, ASR: l.ASR(), NLU: l.NLU(),
			TTS: l.TTS(), Send: l.Send(), Total: l.Total()})
	}
	return t
}

// DialledNumber is the user part of a To URI ("sip:0800123000@host;x=y",
// "<tel:+442071230000>", "sips:+44...@h"), without visual separators; the
// input itself when it has no user part.
func DialledNumber(uri string) string {
	s := strings.TrimSpace(uri)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	for _, scheme := range []string{"sips:", "sip:", "tel:"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			s = s[len(scheme):]
			break
		}
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexAny(s, ";?"); i >= 0 {
		s = s[:i]
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '-', '.', '(', ')', ' ':
		default:
			b = append(b, c)
		}
	}
	return strings.TrimSpace(string(b))
}
