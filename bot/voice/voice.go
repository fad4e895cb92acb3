package voice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/client"
	"github.com/parley-cc/parley/telephony"
)

// ErrNoMedia is returned by Open for a call that has no audio (not answered).
var ErrNoMedia = errors.New("voice: call has no media leg")

// Call is what the loop needs of a call; *telephony.Call implements it.
type Call interface {
	Leg() *media.Leg
	Digits() <-chan telephony.Digit
	Done() <-chan struct{}
}

var _ Call = (*telephony.Call)(nil)

// Config configures a voice loop. Client is required; zero fields take
// the defaults given.
type Config struct {
	// Client opens the MRCPv2 session (synthesizer and recognizer); it
	// should offer a wideband codec first (L16/16000, G.722) so that
	// wideband calls reach the recognizer as such.
	Client *client.Client
	// NarrowbandClient, if set, opens the sessions of 8 kHz calls; it
	// should offer PCMU, so that the recognizer works on the call's own
	// narrowband audio (PocketSphinx has an 8 kHz front-end prior) rather
	// than an upsampled copy.
	NarrowbandClient *client.Client
	// Language is the Speech-Language of every RECOGNIZE; empty leaves it
	// to the grammar's xml:lang (the script's language). The embedded
	// PocketSphinx has en-US only.
	Language string
	// CallID names the call in logs and message files.
	CallID string
	// DeadAir is the longest silence the caller may hear while the bot
	// owes an answer; default 3 s.
	DeadAir time.Duration
	// Filler is played when DeadAir passes (PCM at FillerRate); default a
	// soft two-note chime of 300 ms.
	Filler     []int16
	FillerRate int
	// MessageDir receives LeaveMessage recordings (WAV); empty records none.
	MessageDir string
	// RecognizeMargin is how long past its own timers a RECOGNIZE may take
	// before it counts as a recognizer failure; default 5 s.
	RecognizeMargin time.Duration
	// SessionTimeout bounds opening the MRCP session; default 5 s.
	SessionTimeout time.Duration
	Metrics        *Metrics
	Log            *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.DeadAir <= 0 {
		c.DeadAir = 3 * time.Second
	}
	if c.RecognizeMargin <= 0 {
		c.RecognizeMargin = 5 * time.Second
	}
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = 5 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.CallID != "" {
		c.Log = c.Log.With("call_id", c.CallID)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if len(c.Filler) == 0 {
		c.Filler, c.FillerRate = chime(16000), 16000
	}
	return c
}

// chime is the default filler: two soft notes (E5, C5) of 150 ms with
// short fades, about -20 dBFS.
func chime(rate int) []int16 {
	note := func(f float64) []int16 {
		n := rate * 150 / 1000
		out := make([]int16, n)
		fade := rate / 100
		for i := range out {
			g := 1.0
			if i < fade {
				g = float64(i) / float64(fade)
			} else if n-i < fade {
				g = float64(n-i) / float64(fade)
			}
			out[i] = int16(3000 * g * math.Sin(2*math.Pi*f*float64(i)/float64(rate)))
		}
		return out
	}
	return append(note(659.25), note(523.25)...)
}

// Outcome is how the bot's part of a call ended.
type Outcome int

const (
	// OutcomeHangup: the dialogue hung up (goodbye).
	OutcomeHangup Outcome = iota
	// OutcomeTransfer: the dialogue asks for a transfer (Result.Transfer).
	OutcomeTransfer
	// OutcomeCallerHangup: the caller hung up.
	OutcomeCallerHangup
	// OutcomeFailed: the loop could not go on (context ended).
	OutcomeFailed
)

func (o Outcome) String() string {
	switch o {
	case OutcomeHangup:
		return "hangup"
	case OutcomeTransfer:
		return "transfer"
	case OutcomeCallerHangup:
		return "caller-hangup"
	case OutcomeFailed:
		return "failed"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is what Run leaves for its caller to act on.
type Result struct {
	Outcome  Outcome
	Reason   string
	Transfer *runtime.Transfer // OutcomeTransfer
	// Messages are the files LeaveMessage recorded.
	Messages []string
	// Latency has one entry per caller turn the bot answered with audio.
	Latency  []Latency
	BargeIns int
}

// Run runs dialogue d on call until it hangs up, transfers or the caller
// hangs up: Open, Loop.Run, Close.
func Run(ctx context.Context, call Call, d *runtime.Dialogue, cfg Config) (Result, error) {
	l, err := Open(ctx, call, cfg)
	if err != nil {
		return Result{Outcome: OutcomeFailed, Reason: err.Error()}, err
	}
	defer l.Close()
	return l.Run(ctx, d)
}

// Loop is one call's voice loop: the MRCP session and the audio relays.
type Loop struct {
	cfg  Config
	log  *slog.Logger
	call Call
	sess *client.Session

	synth, recog *client.Channel
	out          *output
	in           *input
	callRate     int
	txRate       int
	unlisten     func()

	st state
}

// Open starts the MRCP session for an answered call and the audio relays
// between them.
func Open(ctx context.Context, call Call, cfg Config) (*Loop, error) {
	cfg = cfg.withDefaults()
	if cfg.Client == nil {
		return nil, errors.New("voice: no MRCP client")
	}
	leg := call.Leg()
	if leg == nil || leg.Receiver() == nil || leg.Transmitter() == nil {
		return nil, ErrNoMedia
	}
	l := &Loop{cfg: cfg, log: cfg.Log, call: call, callRate: leg.Receiver().Rate(), txRate: leg.Transmitter().Rate()}
	var err error
	// The session runs at the caller's rate: no resampling on the way to
	// the recognizer (a wideband call stays wideband).
	if l.out, err = newOutput(l.callRate, l.txRate, 30*time.Second, cfg.Now); err != nil {
		return nil, fmt.Errorf("voice: output: %w", err)
	}
	if l.in, err = newInput(l.callRate, l.callRate, cfg.Now); err != nil {
		return nil, fmt.Errorf("voice: input: %w", err)
	}
	octx, cancel := context.WithTimeout(ctx, cfg.SessionTimeout)
	defer cancel()
	cli := cfg.Client
	if l.callRate <= 8000 && cfg.NarrowbandClient != nil {
		cli = cfg.NarrowbandClient
	}
	l.sess, err = cli.Open(octx, client.SessionOptions{
		Resources: []mrcp.Resource{mrcp.ResourceSpeechSynth, mrcp.ResourceSpeechRecog},
		Rate:      l.callRate, OnAudio: l.out.fromTTS,
		SendSlack: relaySlack,
	})
	if err != nil {
		return nil, fmt.Errorf("voice: speech session: %w", err)
	}
	l.synth, l.recog = l.sess.Channel(mrcp.ResourceSpeechSynth), l.sess.Channel(mrcp.ResourceSpeechRecog)
	if l.synth == nil || l.recog == nil {
		_ = l.sess.Close(context.WithoutCancel(ctx))
		return nil, errors.New("voice: speech server gave no synthesizer or recognizer")
	}
	// The caller's audio goes to the recognizer packet by packet as it
	// arrives (no jitter buffer: the recognizer needs it soon, not
	// smooth), each frame sent on at once.
	tx := l.sess.Leg().Transmitter()
	l.in.kick = func(now time.Time) int { return tx.Kick(now, media.MaxKickLead) }
	tx.Play(l.in, nil)
	l.unlisten = leg.Receiver().AddArrivalListener(l.in.fromCaller)
	leg.Transmitter().Play(l.out, nil)
	l.log.Debug("voice loop open", "rate", l.callRate, "tx_rate", l.txRate)
	return l, nil
}

// Close stops the relays and ends the MRCP session. The call itself is
// left as it is (answered, silent).
func (l *Loop) Close() error {
	if l.unlisten == nil {
		return nil
	}
	l.unlisten()
	l.unlisten = nil
	if leg := l.call.Leg(); leg != nil {
		leg.Transmitter().Stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := l.sess.Close(ctx); err != nil {
		return fmt.Errorf("voice: close speech session: %w", err)
	}
	return nil
}

// Say speaks text to the caller and returns once it has been heard (or
// the call ended). It is for the caller of Run, after Run: a goodbye, an
// explanation why a transfer cannot be made.
func (l *Loop) Say(ctx context.Context, text string) error {
	req := l.synth.NewRequest(mrcp.MethodSpeak)
	req.SetBody("text/plain", []byte(text))
	l.out.arm()
	res, err := l.synth.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("voice: SPEAK: %w", err)
	}
	if !res.Status.Success() {
		return fmt.Errorf("voice: SPEAK refused: %d", res.Status)
	}
	for {
		select {
		case ev, ok := <-l.synth.Events():
			if !ok {
				return errors.New("voice: speech session ended")
			}
			if ev.Event == mrcp.EventSpeakComplete && ev.RequestID == res.RequestID {
				l.drain(ctx)
				return nil
			}
		case <-l.call.Done():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// drain waits until the audio queued for the caller has been sent, and a
// little longer for the last frames still on their way from the speech
// server, at most 30 s.
func (l *Loop) drain(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	deadline := time.After(30 * time.Second)
	quiet := 0
	for quiet < 5 {
		select {
		case <-t.C:
			if !l.out.audible() {
				quiet++
			} else {
				quiet = 0
			}
		case <-l.call.Done():
			return
		case <-ctx.Done():
			return
		case <-deadline:
			return
		}
	}
}
