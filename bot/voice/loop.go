package voice

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/bot/script"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/telephony"
)

// maxTypeAhead bounds the keys kept while no Listen takes them.
const maxTypeAhead = 32

// state is the loop's per-call state, owned by Run's goroutine.
type state struct {
	d     *runtime.Dialogue
	queue []runtime.Action
	speak *speaking
	// pre is a recognition started before its Listen (for barge-in during
	// the prompts before it); listen is the Listen being waited on.
	pre, listen *listening
	typeAhead   []telephony.Digit
	deadAir     time.Time // zero: the bot owes no audio
	fillers     int
	turn        *Latency
	turns       int
	grammars    int
	ttsDown     bool
	asrDown     bool // the recognizer failed: listen for keys only
	res         Result
}

type speaking struct {
	say     *runtime.Say
	req     mrcp.RequestID // 0: a recorded prompt
	fileEnd time.Time      // recorded prompt: when it has been played
}

type listening struct {
	l         *runtime.Listen
	req       mrcp.RequestID // 0: not recognizing
	timers    bool           // input timers running
	input     bool           // START-OF-INPUT seen
	started   time.Time
	watchdog  time.Time
	keys      []rune
	keyBy     time.Time // inter-digit deadline
	noInputBy time.Time // keypad-only no-input deadline
	lastKey   time.Time
}

func (li *listening) speech() bool { return li.l.Input != script.InputDTMF }
func (li *listening) dtmf() bool   { return li.l.Input != script.InputSpeech }

// Run executes dialogue d until it ends. It returns the Result for its
// caller to act on; the error is set only when ctx ended it.
func (l *Loop) Run(ctx context.Context, d *runtime.Dialogue) (Result, error) {
	st := &l.st
	*st = state{d: d}
	st.queue = d.Start(ctx)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if done := l.advance(ctx); done {
			return st.res, nil
		}
		timer.Reset(l.nextDeadline())
		select {
		case m, ok := <-l.synth.Events():
			if ok {
				l.onSynth(ctx, m)
			}
		case m, ok := <-l.recog.Events():
			if ok {
				l.onRecog(ctx, m)
			}
		case dg := <-l.call.Digits():
			l.onDigit(ctx, dg)
		case <-l.out.signal:
			l.onFirstAudio()
		case <-l.in.onset:
			l.onOnset(ctx)
		case <-timer.C:
			l.onTimer(ctx)
		case <-l.sess.Done():
			l.log.Warn("speech session ended", "err", l.sess.Err())
			l.cfg.Metrics.failure("session")
			st.speak, st.pre, st.listen = nil, nil, nil
			st.ttsDown = true
			l.feed(ctx, runtime.Event{Kind: runtime.TTSFailure, Err: fmt.Errorf("speech session ended: %w", l.sess.Err())})
		case <-l.call.Done():
			d.Input(ctx, runtime.Event{Kind: runtime.Hangup})
			st.res.Outcome, st.res.Reason = OutcomeCallerHangup, "caller hung up"
			return st.res, nil
		case <-ctx.Done():
			select {
			case <-l.call.Done(): // the call's context ends with the call
				d.Input(context.WithoutCancel(ctx), runtime.Event{Kind: runtime.Hangup})
				st.res.Outcome, st.res.Reason = OutcomeCallerHangup, "caller hung up"
				return st.res, nil
			default:
			}
			st.res.Outcome, st.res.Reason = OutcomeFailed, ctx.Err().Error()
			return st.res, ctx.Err()
		}
	}
}

// advance starts queued actions until one is under way; it reports
// whether the loop is over.
func (l *Loop) advance(ctx context.Context) bool {
	st := &l.st
	for st.speak == nil && st.listen == nil && len(st.queue) > 0 {
		a := st.queue[0]
		st.queue = st.queue[1:]
		l.log.Debug("action", "action", a.String())
		switch a := a.(type) {
		case *runtime.Say:
			l.startSay(ctx, a)
		case *runtime.Listen:
			l.startListen(ctx, a)
		case *runtime.LeaveMessage:
			if path := l.leaveMessage(ctx, a); path != "" {
				st.res.Messages = append(st.res.Messages, path)
			}
		case *runtime.Transfer:
			l.drain(ctx)
			st.res.Outcome, st.res.Transfer, st.res.Reason = OutcomeTransfer, a, a.Reason
			return true
		case *runtime.HangupAction:
			l.drain(ctx)
			st.res.Outcome, st.res.Reason = OutcomeHangup, a.Reason
			return true
		}
	}
	if st.speak == nil && st.listen == nil && len(st.queue) == 0 {
		if st.d.Ended() {
			l.drain(ctx)
			st.res.Outcome, st.res.Reason = OutcomeHangup, st.d.EndReason()
			return true
		}
		// A dialogue that neither listens nor ends: never leave the
		// caller in silence.
		l.log.Error("dialogue left nothing to do; ending the call", "step", st.d.Step())
		st.res.Outcome, st.res.Reason = OutcomeHangup, "dialogue stalled"
		return true
	}
	return false
}

// pendingListen is the Listen the queued prompts lead to, if any.
func (l *Loop) pendingListen() *runtime.Listen {
	for _, a := range l.st.queue {
		switch a := a.(type) {
		case *runtime.Listen:
			return a
		case *runtime.Say:
		default:
			return nil
		}
	}
	return nil
}

func (l *Loop) startSay(ctx context.Context, a *runtime.Say) {
	st := &l.st
	next := l.pendingListen()
	switch {
	case a.BargeIn == script.BargeInOff && st.pre != nil:
		l.stopRecognize(ctx, st.pre) // a compliance prompt is heard out
		st.pre = nil
	case a.BargeIn == script.BargeInOn && next != nil && st.pre == nil && next.Input != script.InputDTMF && !st.d.Ended():
		li := &listening{l: next}
		if l.recognize(ctx, li, false) == nil {
			st.pre = li
		}
	}
	if a.Audio != "" {
		if pcm, err := loadPrompt(a.Audio, l.txRate); err == nil {
			l.out.arm()
			l.out.play(pcm, true)
			st.speak = &speaking{say: a, fileEnd: l.cfg.Now().Add(time.Duration(len(pcm)+l.out.queued()) * time.Second / time.Duration(l.txRate))}
			l.owe()
			return
		} else {
			l.log.Warn("recorded prompt not playable; synthesizing its text", "file", a.Audio, "err", err)
		}
	}
	if st.ttsDown {
		return
	}
	req, err := l.speakRequest(ctx, a, true)
	if err != nil {
		l.log.Warn("SPEAK failed", "err", err, "prompt", a.Prompt)
		req, err = l.speakRequest(ctx, a, false) // plain text, the server's voice
	}
	if err != nil {
		l.ttsFailed(ctx, err)
		return
	}
	st.speak = &speaking{say: a, req: req}
	l.owe()
}

// speakRequest sends SPEAK for a; full uses the prompt's SSML, voice and
// language, else plain text with the server's defaults.
func (l *Loop) speakRequest(ctx context.Context, a *runtime.Say, full bool) (mrcp.RequestID, error) {
	req := l.synth.NewRequest(mrcp.MethodSpeak)
	switch {
	case full && a.SSML != "":
		req.SetBody("application/ssml+xml", []byte(a.SSML))
	default:
		req.SetBody("text/plain", []byte(a.Text))
	}
	if full && a.Voice != "" {
		req.Header.Set(mrcp.HeaderVoiceName, a.Voice)
	}
	l.out.arm()
	res, err := l.synth.Do(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("SPEAK: %w", err)
	}
	if !res.Status.Success() {
		return 0, fmt.Errorf("SPEAK refused: %d %s", res.Status, res.Header.Get(mrcp.HeaderCompletionCause))
	}
	return res.RequestID, nil
}

// owe arms the dead-air timer: the bot owes the caller audio.
func (l *Loop) owe() {
	if l.st.deadAir.IsZero() {
		l.st.deadAir = l.cfg.Now().Add(l.cfg.DeadAir)
	}
}

func (l *Loop) ttsFailed(ctx context.Context, err error) {
	l.cfg.Metrics.failure("tts")
	st := &l.st
	st.speak = nil
	if st.ttsDown {
		return
	}
	st.ttsDown = true
	l.feed(ctx, runtime.Event{Kind: runtime.TTSFailure, Err: err})
}

func (l *Loop) onSynth(ctx context.Context, m *mrcp.Message) {
	st := &l.st
	if m.Event != mrcp.EventSpeakComplete || st.speak == nil || m.RequestID != st.speak.req {
		return
	}
	cause, _ := m.SynthCause()
	switch cause {
	case mrcp.SynthNormal, mrcp.SynthBargeIn:
		st.speak = nil
	default:
		l.ttsFailed(ctx, fmt.Errorf("SPEAK-COMPLETE %s", m.Header.Get(mrcp.HeaderCompletionCause)))
	}
}

func (l *Loop) startListen(ctx context.Context, a *runtime.Listen) {
	st := &l.st
	now := l.cfg.Now()
	st.deadAir, st.fillers = time.Time{}, 0 // the caller's turn now
	if st.pre != nil && st.pre.l == a {
		li := st.pre
		st.pre = nil
		st.listen = li
		li.started = now
		if !li.input {
			l.startTimers(ctx, li)
		}
	} else {
		li := &listening{l: a, started: now}
		st.listen = li
		if li.speech() && !(st.asrDown && li.dtmf()) {
			if err := l.recognize(ctx, li, true); err != nil {
				l.cfg.Metrics.failure("asr")
				st.listen = nil
				st.asrDown = true
				l.feed(ctx, runtime.Event{Kind: runtime.ASRFailure, Err: err})
				return
			}
		} else if a.NoInput > 0 {
			li.noInputBy = now.Add(a.NoInput)
		} else {
			li.noInputBy = now.Add(10 * time.Second) // never wait forever
		}
	}
	for len(st.typeAhead) > 0 && st.listen != nil && st.listen.dtmf() {
		dg := st.typeAhead[0]
		st.typeAhead = st.typeAhead[1:]
		l.key(ctx, dg)
	}
}

// recognize sends DEFINE-GRAMMAR (the step's hints) and RECOGNIZE.
func (l *Loop) recognize(ctx context.Context, li *listening, timers bool) error {
	st := &l.st
	uri := "builtin:speech/transcribe"
	if g := li.l.Speech; g != nil {
		st.grammars++
		id := "step" + strconv.Itoa(st.grammars)
		def := l.recog.NewRequest(mrcp.MethodDefineGrammar)
		def.Header.Set(mrcp.HeaderContentID, id)
		def.SetBody(g.Type, []byte(g.Body))
		res, err := l.recog.Do(ctx, def)
		if err != nil {
			return fmt.Errorf("DEFINE-GRAMMAR: %w", err)
		}
		if !res.Status.Success() {
			return fmt.Errorf("DEFINE-GRAMMAR refused: %d %s", res.Status, res.Header.Get(mrcp.HeaderCompletionCause))
		}
		uri = "session:" + id
	}
	rec := l.recog.NewRequest(mrcp.MethodRecognize)
	rec.Header.Set(mrcp.HeaderNoInputTimeout, millis(li.l.NoInput))
	rec.Header.Set(mrcp.HeaderRecognitionTimeout, millis(li.l.Recognition))
	rec.Header.Set(mrcp.HeaderStartInputTimers, strconv.FormatBool(timers))
	if l.cfg.Language != "" {
		rec.Header.Set(mrcp.HeaderSpeechLanguage, l.cfg.Language)
	}
	rec.SetBody("text/uri-list", []byte(uri))
	res, err := l.recog.Do(ctx, rec)
	if err != nil {
		return fmt.Errorf("RECOGNIZE: %w", err)
	}
	if !res.Status.Success() {
		return fmt.Errorf("RECOGNIZE refused: %d %s", res.Status, res.Header.Get(mrcp.HeaderCompletionCause))
	}
	li.req = res.RequestID
	if timers {
		li.timers = true
		li.watchdog = l.cfg.Now().Add(li.l.NoInput + li.l.Recognition + l.cfg.RecognizeMargin)
	}
	return nil
}

func millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// startTimers starts the no-input timer of a recognition begun during
// the prompts (RFC 6787 section 9.8).
func (l *Loop) startTimers(ctx context.Context, li *listening) {
	li.timers = true
	li.watchdog = l.cfg.Now().Add(li.l.NoInput + li.l.Recognition + l.cfg.RecognizeMargin)
	if li.req == 0 {
		return
	}
	if res, err := l.recog.Do(ctx, l.recog.NewRequest(mrcp.MethodStartInputTimers)); err != nil || !res.Status.Success() {
		l.log.Warn("START-INPUT-TIMERS failed", "err", err)
	}
}

func (l *Loop) stopRecognize(ctx context.Context, li *listening) {
	if li == nil || li.req == 0 {
		return
	}
	li.req = 0
	if _, err := l.recog.Do(ctx, l.recog.NewRequest(mrcp.MethodStop)); err != nil {
		l.log.Warn("recognizer STOP failed", "err", err)
	}
}

func (l *Loop) onRecog(ctx context.Context, m *mrcp.Message) {
	st := &l.st
	li := st.listen
	if li == nil || li.req != m.RequestID {
		li = st.pre
	}
	if li == nil || li.req != m.RequestID || li.req == 0 {
		return
	}
	switch m.Event {
	case mrcp.EventStartOfInput:
		li.input = true
		if st.speak != nil && st.speak.say.BargeIn == script.BargeInOn {
			l.log.Debug("barge-in", "by", "recognizer")
			l.bargeIn(ctx)
		}
	case mrcp.EventRecognitionComplete:
		li.req = 0
		now := l.cfg.Now()
		end, _ := l.in.lastSpeechEnd()
		if end.Before(li.started) {
			end = time.Time{}
		}
		ev := recognitionEvent(m, li.started, now)
		if ev.Kind == runtime.ASRFailure {
			st.asrDown = true
			l.cfg.Metrics.failure("asr")
			l.log.Warn("recognizer failed", "err", ev.Err)
		}
		if st.pre == li { // completed before its Listen came up
			l.skipTo(li)
		}
		st.listen = nil
		l.turnDone(ctx, ev, end, now)
	}
}

// onOnset is the loop's own VAD hearing the caller start to speak. While
// a prompt that allows barge-in plays and the recognizer listens for what
// follows, it stops the prompt at once rather than waiting for the
// recognizer's START-OF-INPUT. If the recognizer then hears nothing (a
// false onset), its no-input timer, started here, ends the turn as
// NoInput and the dialogue reprompts.
func (l *Loop) onOnset(ctx context.Context) {
	st := &l.st
	li := st.pre
	if st.speak == nil || st.speak.say.BargeIn != script.BargeInOn || li == nil || li.req == 0 || li.input {
		return
	}
	l.log.Debug("barge-in", "by", "vad")
	l.bargeIn(ctx)
	if st.listen == li && !li.input {
		l.startTimers(ctx, li)
	}
}

// skipTo drops the queued prompts before li's Listen (and the Listen).
func (l *Loop) skipTo(li *listening) {
	st := &l.st
	for i, a := range st.queue {
		if a == li.l {
			st.queue = st.queue[i+1:]
			break
		}
	}
	st.pre = nil
}

// bargeIn stops the prompt being spoken: the caller's queue first (what
// the caller hears), then the synthesizer.
func (l *Loop) bargeIn(ctx context.Context) {
	st := &l.st
	t0 := l.cfg.Now()
	l.out.bargeIn()
	l.cfg.Metrics.observeBargeIn(l.cfg.Now().Sub(t0))
	st.res.BargeIns++
	if st.speak.req != 0 {
		if _, err := l.synth.Do(ctx, l.synth.NewRequest(mrcp.MethodBargeInOccurred)); err != nil {
			l.log.Warn("BARGE-IN-OCCURRED failed", "err", err)
		}
	}
	l.log.Debug("barge-in", "prompt", st.speak.say.Prompt)
	st.speak = nil
	st.deadAir, st.fillers = time.Time{}, 0
	if li := st.pre; li != nil {
		l.skipTo(li)
		st.listen = li
		li.started = t0
		li.timers = true
		li.watchdog = t0.Add(li.l.Recognition + l.cfg.RecognizeMargin)
	} else {
		l.dropPrompts()
	}
}

// dropPrompts drops the queued prompts up to the next Listen.
func (l *Loop) dropPrompts() {
	st := &l.st
	for len(st.queue) > 0 {
		if _, ok := st.queue[0].(*runtime.Say); !ok {
			return
		}
		st.queue = st.queue[1:]
	}
}

func (l *Loop) onDigit(ctx context.Context, dg telephony.Digit) {
	st := &l.st
	if st.speak != nil {
		next := l.pendingListen()
		mode := st.speak.say.BargeIn
		if (mode == script.BargeInOn || mode == script.BargeInDTMF) && next != nil && next.Input != script.InputSpeech {
			if st.pre != nil {
				l.stopRecognize(ctx, st.pre)
			}
			l.bargeIn(ctx)
			if st.listen == nil {
				l.dropPrompts()
				if len(st.queue) > 0 {
					st.queue = st.queue[1:] // the Listen
				}
				st.listen = &listening{l: next, started: l.cfg.Now()}
			}
			l.key(ctx, dg)
			return
		}
	}
	if st.listen != nil && st.listen.dtmf() {
		l.key(ctx, dg)
		return
	}
	if len(st.typeAhead) < maxTypeAhead {
		st.typeAhead = append(st.typeAhead, dg)
	}
}

// key adds a key to the Listen's entry and ends the entry on '#' or at
// its maximum length.
func (l *Loop) key(ctx context.Context, dg telephony.Digit) {
	li := l.st.listen
	if li.req != 0 {
		l.stopRecognize(ctx, li) // a key wins over speech
	}
	now := l.cfg.Now()
	li.keys = append(li.keys, dg.Key)
	li.lastKey = now
	li.noInputBy = time.Time{}
	inter := li.l.InterDigit
	if inter <= 0 {
		inter = 3 * time.Second
	}
	li.keyBy = now.Add(inter)
	if dg.Key == '#' || len(li.keys) >= max(li.l.MaxDigits, 1) {
		l.keysDone(ctx)
	}
}

func (l *Loop) keysDone(ctx context.Context) {
	li := l.st.listen
	l.st.listen = nil
	l.turnDone(ctx, runtime.Event{Kind: runtime.DTMF, Digits: string(li.keys), Start: li.started, End: li.lastKey}, li.lastKey, l.cfg.Now())
}

// turnDone gives the caller's turn to the dialogue and queues its answer.
func (l *Loop) turnDone(ctx context.Context, ev runtime.Event, speechEnd, result time.Time) {
	st := &l.st
	if ev.Kind == runtime.Speech || ev.Kind == runtime.DTMF || ev.Kind == runtime.NoMatch {
		st.turns++
		st.turn = &Latency{Seq: st.turns, SpeechEnd: speechEnd, Result: result}
	}
	l.feed(ctx, ev)
	if st.turn != nil {
		st.turn.Decision = l.cfg.Now()
	}
}

// feed applies an event and queues the dialogue's actions.
func (l *Loop) feed(ctx context.Context, ev runtime.Event) {
	st := &l.st
	if ev.Err != nil {
		l.log.Info("speech event", "event", ev.Kind.String(), "err", ev.Err)
	}
	if st.pre != nil {
		l.stopRecognize(ctx, st.pre)
		st.pre = nil
	}
	acts := st.d.Input(ctx, ev)
	st.queue = append(st.queue[:0], acts...)
	if len(acts) > 0 {
		l.owe()
	}
}

func (l *Loop) onFirstAudio() {
	st := &l.st
	st.deadAir, st.fillers = time.Time{}, 0
	if st.turn == nil {
		return
	}
	st.turn.FirstTTS, st.turn.FirstSent = l.out.firsts()
	st.res.Latency = append(st.res.Latency, *st.turn)
	l.cfg.Metrics.observe(*st.turn)
	st.turn = nil
}

func (l *Loop) nextDeadline() time.Duration {
	st := &l.st
	next := time.Time{}
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	consider(st.deadAir)
	if st.speak != nil {
		consider(st.speak.fileEnd)
	}
	if li := st.listen; li != nil {
		if li.timers && li.req != 0 {
			consider(li.watchdog)
		}
		if len(li.keys) > 0 {
			consider(li.keyBy)
		}
		consider(li.noInputBy)
	}
	if next.IsZero() {
		return time.Hour
	}
	return max(next.Sub(l.cfg.Now()), time.Millisecond)
}

func (l *Loop) onTimer(ctx context.Context) {
	st := &l.st
	now := l.cfg.Now()
	if sp := st.speak; sp != nil && !sp.fileEnd.IsZero() && !now.Before(sp.fileEnd) {
		st.speak = nil
	}
	if !st.deadAir.IsZero() && !now.Before(st.deadAir) {
		l.deadAirPassed(ctx)
	}
	li := st.listen
	if li == nil {
		return
	}
	switch {
	case len(li.keys) > 0 && !now.Before(li.keyBy):
		l.keysDone(ctx)
	case !li.noInputBy.IsZero() && !now.Before(li.noInputBy):
		st.listen = nil
		l.feed(ctx, runtime.Event{Kind: runtime.NoInput})
	case li.timers && li.req != 0 && !now.Before(li.watchdog):
		l.stopRecognize(ctx, li)
		st.listen = nil
		st.asrDown = true
		l.cfg.Metrics.failure("asr")
		l.feed(ctx, runtime.Event{Kind: runtime.ASRFailure, Err: errors.New("recognizer did not complete in time")})
	}
}

// deadAirPassed plays the filler; a synthesizer that has not produced a
// sound after two fillers has failed.
func (l *Loop) deadAirPassed(ctx context.Context) {
	st := &l.st
	if st.speak != nil && st.speak.req != 0 && st.fillers >= 2 {
		if _, err := l.synth.Do(ctx, l.synth.NewRequest(mrcp.MethodStop)); err != nil {
			l.log.Warn("synthesizer STOP failed", "err", err)
		}
		st.deadAir = time.Time{}
		l.ttsFailed(ctx, errors.New("synthesizer silent"))
		return
	}
	st.fillers++
	l.cfg.Metrics.filler()
	l.log.Info("dead air: playing a filler", "fillers", st.fillers)
	l.out.play(l.filler(), false)
	st.deadAir = l.cfg.Now().Add(l.cfg.DeadAir)
}

func (l *Loop) filler() []int16 {
	pcm, err := resamplePCM(l.cfg.Filler, l.cfg.FillerRate, l.txRate)
	if err != nil {
		return nil
	}
	return pcm
}
