package resource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// Sender writes a message to the channel's control connection. Resources
// call it with their lock held, from Handle's goroutine or their own, one
// message at a time and in the order the messages must arrive; it must not
// call back into the resource.
type Sender interface {
	Send(m *mrcp.Message) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(m *mrcp.Message) error

// Send calls f(m).
func (f SenderFunc) Send(m *mrcp.Message) error { return f(m) }

// Output plays the synthesizer's audio to the caller. *media.Transmitter
// satisfies it. Play replaces what is playing; done is called once when
// the source ends (nil at io.EOF) or is replaced or stopped.
type Output interface {
	Play(src media.Source, done func(error))
	Stop() bool
}

// Kicker is an Output that can send a frame ahead of its clock:
// *media.Transmitter. The synthesizer kicks it when a SPEAK's first audio
// is ready, so the prompt does not wait for the next frame tick.
type Kicker interface {
	Kick(now time.Time, lead int) int
}

// Engines picks the speech engines for requests. *speech.Registry
// satisfies it.
type Engines interface {
	SelectVoice(speech.VoiceSelection) (speech.Synthesizer, speech.Voice, error)
	SelectRecognizer(language, name string) (speech.Recognizer, error)
}

// maxQueue is how many SPEAK or RECOGNIZE requests may wait behind the
// active one.
const maxQueue = 64

// SynthConfig configures a Synth.
type SynthConfig struct {
	// Channel is the channel's identifier, "...@speechsynth"; required.
	Channel mrcp.ChannelID
	// Send writes responses and events; required.
	Send Sender
	// Out plays the synthesized audio; required.
	Out Output
	// Rate is the sample rate of the sources given to Out; default 8000.
	Rate int
	// Engines picks the synthesizer and voice; required.
	Engines Engines
	// Log receives the channel's log; default slog.Default() with a
	// "channel" attribute.
	Log *slog.Logger
}

// Synth is the server side of one speechsynth channel (RFC 6787 section
// 8): it queues SPEAK requests, runs a synthesizer for the active one and
// streams its audio to Out in real time, and answers the other methods.
// See the package documentation for the behaviour of each method.
type Synth struct {
	cfg SynthConfig

	mu     sync.Mutex
	ch     channel
	active *speakJob
	queue  []*speakJob
	paused bool // the synthesizer is in the paused state

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	kick   chan struct{}
}

// speakJob is one accepted SPEAK request.
type speakJob struct {
	id    mrcp.RequestID
	synth speech.Synthesizer
	doc   *ssml.Document      // as parsed
	req   speech.SynthRequest // Doc is set per playback
	kill  bool                // Kill-On-Barge-In
	limit int64               // Speak-Length in samples, 0 for none

	// While active (guarded by Synth.mu):
	play     *playback
	lastMark string
	item     int   // index in doc.Items of the item being played
	played   int64 // samples played by earlier playbacks of this SPEAK
}

// itemMark prefixes the marks the resource puts before each item of a
// document to know where playback is; clients' marks with this prefix
// are not reported.
const itemMark = "parley:item:"

// fromItem returns the document from item i on, with an item mark before
// each item.
func fromItem(doc *ssml.Document, i int) *ssml.Document {
	out := &ssml.Document{Lang: doc.Lang, Items: make([]ssml.Item, 0, 2*(len(doc.Items)-i))}
	for ; i < len(doc.Items); i++ {
		out.Items = append(out.Items, ssml.Item{Kind: ssml.Mark, Name: itemMark + strconv.Itoa(i)}, doc.Items[i])
	}
	return out
}

// NewSynth returns the speechsynth resource for a channel. It starts one
// goroutine, stopped by Close.
func NewSynth(cfg SynthConfig) (*Synth, error) {
	switch {
	case cfg.Send == nil || cfg.Out == nil || cfg.Engines == nil:
		return nil, fmt.Errorf("%w: synthesizer needs Send, Out and Engines", ErrConfig)
	case cfg.Channel.Resource() != mrcp.ResourceSpeechSynth:
		return nil, fmt.Errorf("%w: channel %q is not a speechsynth channel", ErrConfig, cfg.Channel)
	case cfg.Rate < 0 || cfg.Rate > 192000:
		return nil, fmt.Errorf("%w: rate %d", ErrConfig, cfg.Rate)
	}
	if cfg.Rate == 0 {
		cfg.Rate = 8000
	}
	s := &Synth{cfg: cfg, kick: make(chan struct{}, 1)}
	s.ch = newChannel(cfg.Channel, cfg.Send, cfg.Log, newParamTable(genericParams(), synthParams()))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.run()
	return s, nil
}

// Handle processes one request from the client and answers it through
// Send before returning; events follow later. It does not wait for the
// engines. Messages that are not requests are ignored.
func (s *Synth) Handle(req *mrcp.Message) {
	if req == nil || req.Kind != mrcp.KindRequest {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ch.admit(req) {
		return
	}
	s.ch.log.Debug("mrcp request", "msg", req.String())
	switch req.Method {
	case mrcp.MethodSetParams:
		s.ch.setParams(req)
	case mrcp.MethodGetParams:
		s.ch.getParams(req)
	case mrcp.MethodSpeak:
		s.speak(req)
	case mrcp.MethodStop:
		s.stop(req)
	case mrcp.MethodPause:
		s.pause(req)
	case mrcp.MethodResume:
		s.resume(req)
	case mrcp.MethodBargeInOccurred:
		s.bargeIn(req)
	case mrcp.MethodControl:
		s.control(req)
	default:
		// DEFINE-LEXICON, the recognizer's methods and unknown ones.
		s.ch.reply(req, mrcp.StatusMethodNotAllowed)
	}
}

// Close stops speaking, drops the queue without events and waits for the
// resource's goroutines. Requests handled afterwards get 405. It is
// idempotent.
func (s *Synth) Close() {
	s.mu.Lock()
	if s.ch.closed {
		s.mu.Unlock()
		return
	}
	s.ch.closed = true
	if s.active != nil {
		s.halt(s.active)
		s.active = nil
		s.cfg.Out.Stop()
	}
	s.queue = nil
	s.cancel()
	s.mu.Unlock()
	s.wg.Wait()
}

// run serves the notifications of the output and the engines: marks
// reached and playbacks ended.
func (s *Synth) run() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.kick:
		}
		s.mu.Lock()
		s.service()
		s.mu.Unlock()
	}
}

func (s *Synth) notify() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// service sends the SPEECH-MARKER events of the active SPEAK and
// completes it once its playback has ended.
func (s *Synth) service() {
	j := s.active
	if j == nil || s.ch.closed {
		return
	}
	s.marks(j)
	if !j.play.ended.Load() {
		return
	}
	cause, reason := synthCause(j.play.result())
	s.complete(j, cause, reason)
}

// marks sends SPEECH-MARKER for the marks j's playback passed and notes
// the item being played.
func (s *Synth) marks(j *speakJob) {
	for _, m := range j.play.takeReached() {
		if n, ok := strings.CutPrefix(m.name, itemMark); ok {
			j.item, _ = strconv.Atoi(n)
			continue
		}
		j.item++ // past the mark: a restart must not report it again
		ev := s.ch.event(mrcp.EventSpeechMarker, j.id, mrcp.StateInProgress)
		ev.Header.Add(mrcp.HeaderSpeechMarker, speechMarker(m.at, m.name))
		s.ch.emit(ev)
		j.lastMark = m.name
	}
}

// complete ends the active SPEAK with SPEAK-COMPLETE (RFC 6787 section
// 8.12). After a failure the queued requests complete with 007 cancelled;
// otherwise the next one starts.
func (s *Synth) complete(j *speakJob, cause mrcp.SynthCause, reason string) {
	s.halt(j)
	s.active = nil
	ev := s.ch.event(mrcp.EventSpeakComplete, j.id, mrcp.StateComplete)
	for _, f := range causeFields(cause.String(), reason) {
		ev.Header.Add(f.Name, f.Value)
	}
	ev.Header.Add(mrcp.HeaderSpeechMarker, speechMarker(time.Now(), j.lastMark))
	s.ch.emit(ev)
	s.ch.log.Info("speak complete", "request_id", j.id, "cause", cause.String())
	if cause != mrcp.SynthNormal {
		for _, q := range s.queue {
			ev := s.ch.event(mrcp.EventSpeakComplete, q.id, mrcp.StateComplete)
			ev.Header.Add(mrcp.HeaderCompletionCause, mrcp.SynthCancelled.String())
			s.ch.emit(ev)
		}
		s.queue = nil
	}
	s.next()
}

// next starts the first queued SPEAK, announcing it with a SPEECH-MARKER
// without a marker name (RFC 6787 section 8.13), or returns the
// synthesizer to idle.
func (s *Synth) next() {
	if len(s.queue) == 0 {
		s.paused = false
		return
	}
	j := s.queue[0]
	s.queue = slices.Delete(s.queue, 0, 1)
	s.start(j)
	ev := s.ch.event(mrcp.EventSpeechMarker, j.id, mrcp.StateInProgress)
	ev.Header.Add(mrcp.HeaderSpeechMarker, speechMarker(time.Now(), ""))
	s.ch.emit(ev)
}

// start makes j the active SPEAK: it runs the engine in a goroutine and
// gives the output the playback, from item j.item of the document on. In
// the paused state the playback starts paused.
func (s *Synth) start(j *speakJob) {
	s.active = j
	limit := j.limit
	if limit > 0 {
		limit = max(limit-j.played, 1)
	}
	j.req.Doc = fromItem(j.doc, j.item)
	p := newPlayback(s.cfg.Rate, limit, s.paused, s.notify)
	if k, ok := s.cfg.Out.(Kicker); ok {
		p.first = func() { k.Kick(time.Now(), 0) }
	}
	ctx, cancel := context.WithCancel(s.ctx)
	p.cancel = cancel
	j.play = p
	s.wg.Add(1)
	go s.synthesize(ctx, j, p, j.req) // a copy: CONTROL changes j.req
	s.cfg.Out.Play(p, p.done)
}

// synthesize runs the engine for one playback on its own goroutine.
func (s *Synth) synthesize(ctx context.Context, j *speakJob, p *playback, req speech.SynthRequest) {
	defer s.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			s.ch.log.Error("synthesizer panicked", "engine", j.synth.Name(), "panic", v)
			p.finish(fmt.Errorf("%w: panic: %v", speech.ErrEngine, v))
		}
	}()
	err := j.synth.Synthesize(ctx, req, p.emit(ctx))
	if ctx.Err() == nil && err != nil && !errors.Is(err, errSpeakLength) {
		s.ch.log.Warn("synthesis failed", "request_id", j.id, "engine", j.synth.Name(), "err", err)
	}
	p.finish(err)
}

// halt stops j's engine. The caller stops or replaces the output.
func (s *Synth) halt(j *speakJob) {
	if j.play != nil {
		j.play.cancel()
		j.played += j.play.position()
	}
}
