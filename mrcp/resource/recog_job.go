package resource

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
)

// endReason says why the recognition of an utterance ends.
type endReason uint8

const (
	endNone       endReason = iota
	endComplete             // Speech-Complete-Timeout of silence after a complete match
	endIncomplete           // Speech-Incomplete-Timeout of silence
	endMaxtime              // Recognition-Timeout
	endDiscard              // hotword: the utterance was too short or too long
)

// recogJob is one accepted RECOGNIZE request: its grammars and timer
// settings, read when it arrived, and its progress.
type recogJob struct {
	id            mrcp.RequestID
	gs            *grammarSet
	engine        speech.Recognizer // nil when only DTMF grammars listen
	engReq        speech.RecogRequest
	hotword       bool
	cancelIfQueue bool
	startTimers   bool
	clearDTMF     bool
	noInput       time.Duration // 0: none
	recogTimeout  time.Duration // 0: none
	complete      time.Duration
	incomplete    time.Duration
	interdigit    time.Duration
	termTimeout   time.Duration
	hotMin        time.Duration
	hotMax        time.Duration // 0: none
	termChar      rune
	threshold     float64
	nbest         int
	vadDB         float64

	ctx          context.Context
	cancel       context.CancelFunc
	speechCancel context.CancelFunc

	// Guarded by Recog.mu.
	done          bool
	timersStarted bool
	inputStarted  bool // START-OF-INPUT sent (or, in hotword mode, speech heard)
	dtmfMode      bool // DTMF took the input over from speech
	digits        []rune
	speechEndAt   time.Time
	noInputT      timer
	recogT        timer
	endT          timer
	dtmfT         timer

	// Between the input goroutine and the engine's goroutine.
	capturing atomic.Bool // speech is being written to the engine
	speechOff atomic.Bool // speech no longer counts (DTMF took over, or done)
	cap       capture
}

// timer is a job timer: a time.AfterFunc whose callback runs only if the
// timer was not stopped or re-armed meanwhile.
type timer struct {
	t   *time.Timer
	gen uint64
}

func (tm *timer) stop() {
	if tm.t != nil {
		tm.t.Stop()
		tm.t = nil
	}
	tm.gen++
}

// arm (re)starts a job timer; fire runs under r.mu while j is active.
func (r *Recog) arm(j *recogJob, tm *timer, d time.Duration, fire func()) {
	tm.stop()
	gen := tm.gen
	tm.t = time.AfterFunc(max(d, 0), func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.active != j || j.done || tm.gen != gen || r.ch.closed {
			return
		}
		tm.t = nil
		fire()
	})
}

// recogFailure is a RECOGNIZE refused before it starts.
type recogFailure struct {
	cause  mrcp.RecogCause
	reason string
}

// newJob reads a RECOGNIZE's fields and picks its engine.
func (r *Recog) newJob(req *mrcp.Message, gs *grammarSet) (*recogJob, *recogFailure) {
	v := func(name string) string { return r.ch.value(req, name) }
	lang, explicit := r.ch.explicit(req, mrcp.HeaderSpeechLanguage)
	if !explicit && gs.lang() != "" {
		lang = gs.lang()
	}
	threshold, _ := parseUnit(v(mrcp.HeaderConfidenceThreshold))
	sensitivity, _ := parseUnit(v(mrcp.HeaderSensitivityLevel))
	nbest, _ := strconv.Atoi(v(mrcp.HeaderNBestListLength))
	nbest = min(max(nbest, 1), maxNBest)
	j := &recogJob{
		id:            req.RequestID,
		gs:            gs,
		hotword:       strings.EqualFold(v(mrcp.HeaderRecognitionMode), "hotword"),
		cancelIfQueue: strings.EqualFold(v(mrcp.HeaderCancelIfQueue), "true"),
		startTimers:   !strings.EqualFold(v(mrcp.HeaderStartInputTimers), "false"),
		clearDTMF:     strings.EqualFold(v(mrcp.HeaderClearDTMFBuffer), "true"),
		noInput:       millis(v(mrcp.HeaderNoInputTimeout)),
		recogTimeout:  millis(v(mrcp.HeaderRecognitionTimeout)),
		complete:      millis(v(mrcp.HeaderSpeechCompleteTimeout)),
		incomplete:    millis(v(mrcp.HeaderSpeechIncompleteTimeout)),
		interdigit:    millis(v(mrcp.HeaderDTMFInterdigitTimeout)),
		termTimeout:   millis(v(mrcp.HeaderDTMFTermTimeout)),
		hotMin:        millis(v(mrcp.HeaderHotwordMinDuration)),
		hotMax:        millis(v(mrcp.HeaderHotwordMaxDuration)),
		threshold:     threshold,
		nbest:         nbest,
		vadDB:         sensitivityDB(sensitivity),
	}
	if tc := v(mrcp.HeaderDTMFTermChar); len(tc) == 1 {
		j.termChar = dtmfKey(rune(tc[0]))
	}
	j.cap.kick = make(chan struct{}, 1)
	j.cap.limit = maxCaptureSecs * r.cfg.Rate
	if gs.speech() {
		engine, err := r.cfg.Engines.SelectRecognizer(lang, "")
		if err == nil && engine == nil {
			err = speech.ErrLanguage
		}
		if err != nil {
			cause := mrcp.RecogRecognizerError
			if errors.Is(err, speech.ErrLanguage) {
				cause = mrcp.RecogLanguageUnsupported
			}
			return nil, &recogFailure{cause: cause, reason: err.Error()}
		}
		j.engine = engine
		j.engReq = speech.RecogRequest{
			Language:   lang,
			Rate:       r.cfg.Rate,
			Grammars:   gs.engineGrammars(),
			Phrases:    gs.phrases,
			Transcribe: gs.transc != nil,
			NBest:      nbest,
		}
	}
	return j, nil
}

// recognize handles RECOGNIZE (RFC 6787 section 9.9). Grammars and the
// engine are resolved now, so that failures are answered at once with
// 407 (or 408 for an unknown grammar type) and a Completion-Cause. While
// another RECOGNIZE is in progress the request waits (PENDING), unless
// the active one said Cancel-If-Queue: true, which ends it with 011
// cancelled.
func (r *Recog) recognize(req *mrcp.Message) {
	code, ok := r.ch.checkRequest(req)
	if !ok {
		return
	}
	if len(r.queue) >= maxQueue {
		r.ch.reply(req, mrcp.StatusMethodFailed, causeFields(mrcp.RecogRecognizerError.String(), "too many RECOGNIZE requests queued")...)
		return
	}
	gs, gerr := r.resolve(req)
	if gerr != nil {
		r.ch.reply(req, gerr.status, gerr.fields()...)
		return
	}
	j, fail := r.newJob(req, gs)
	if fail != nil {
		r.ch.reply(req, mrcp.StatusMethodFailed, causeFields(fail.cause.String(), fail.reason)...)
		return
	}
	if a := r.active; a != nil && a.cancelIfQueue {
		r.finish(a, mrcp.RecogCancelled, nil)
	}
	if r.active != nil {
		r.queue = append(r.queue, j)
		r.ch.emit(r.ch.response(req, code, mrcp.StatePending))
		return
	}
	r.ch.emit(r.ch.response(req, code, mrcp.StateInProgress))
	r.start(j)
}

// start makes j the active RECOGNIZE: timers, the engine's goroutine,
// and the DTMF typed ahead.
func (r *Recog) start(j *recogJob) {
	j.ctx, j.cancel = context.WithCancel(r.ctx)
	r.active = j
	r.cur.Store(j)
	r.recognized = false
	r.threshold.Store(thresholdBits(j.vadDB))
	r.ch.log.Info("recognize", "request_id", j.id, "grammars", len(j.gs.all), "hotword", j.hotword,
		"engine", engineName(j.engine))
	if j.startTimers {
		r.startTimers(j)
	}
	if j.engine != nil {
		ctx, cancel := context.WithCancel(j.ctx)
		j.speechCancel = cancel
		r.wg.Add(1)
		go r.runSpeech(ctx, j)
	} else {
		j.speechOff.Store(true)
	}
	if j.clearDTMF {
		r.typeAhead = nil
	}
	if len(j.gs.dtmf) > 0 && len(r.typeAhead) > 0 {
		keys := r.typeAhead
		r.typeAhead = nil
		now := time.Now()
		for _, k := range keys {
			if !j.done && now.Before(k.expires) {
				r.dtmfInput(j, k.key)
			}
		}
	}
}

func engineName(e speech.Recognizer) string {
	if e == nil {
		return ""
	}
	return e.Name()
}

// startTimers starts the No-Input-Timeout (RFC 6787 section 9.4.6) and,
// in hotword mode, the Recognition-Timeout, which there bounds the whole
// wait for the hotword.
func (r *Recog) startTimers(j *recogJob) {
	j.timersStarted = true
	if !j.inputStarted && j.noInput > 0 {
		r.arm(j, &j.noInputT, j.noInput, func() {
			r.finish(j, mrcp.RecogNoInputTimeout, &recogOutcome{job: j, noInput: true})
		})
	}
	if j.hotword && j.recogTimeout > 0 {
		r.arm(j, &j.recogT, j.recogTimeout, func() { r.maxtime(j) })
	}
}

// maxtime handles the Recognition-Timeout: the utterance under way is
// recognized as it stands; a hotword wait with nothing under way ends
// with 003 hotword-maxtime.
func (r *Recog) maxtime(j *recogJob) {
	if j.capturing.Load() {
		r.requestEnd(j, endMaxtime)
		return
	}
	if j.hotword {
		r.finish(j, mrcp.RecogHotwordMaxtime, nil)
	}
}

// requestEnd asks the engine's goroutine to end the utterance.
func (r *Recog) requestEnd(j *recogJob, reason endReason) {
	j.endT.stop()
	j.recogT.stop()
	j.cap.end(reason)
}

// halt stops an active or queued job without an event.
func (r *Recog) halt(j *recogJob) {
	j.done = true
	j.speechOff.Store(true)
	j.capturing.Store(false)
	for _, tm := range []*timer{&j.noInputT, &j.recogT, &j.endT, &j.dtmfT} {
		tm.stop()
	}
	if j.cancel != nil {
		j.cancel()
	}
	if r.active == j {
		r.active = nil
		r.cur.Store(nil)
	}
}

// failed reports whether a cause means the RECOGNIZE failed, so that the
// queued ones are cancelled (RFC 6787 section 9.4.21).
func failed(c mrcp.RecogCause) bool {
	switch c {
	case mrcp.RecogGrammarLoadFailure, mrcp.RecogGrammarCompilationFailure, mrcp.RecogRecognizerError,
		mrcp.RecogURIFailure, mrcp.RecogLanguageUnsupported, mrcp.RecogSemanticsFailure,
		mrcp.RecogGrammarDefinitionFailure:
		return true
	}
	return false
}

// finish ends the active RECOGNIZE with RECOGNITION-COMPLETE (RFC 6787
// section 9.13), carrying the NLSML result when input was heard or keyed.
// The outcome becomes what GET-RESULT returns. Then the next queued
// RECOGNIZE starts, or after a failure all are cancelled.
func (r *Recog) finish(j *recogJob, cause mrcp.RecogCause, o *recogOutcome) {
	r.finishReason(j, cause, o, "")
}

func (r *Recog) finishReason(j *recogJob, cause mrcp.RecogCause, o *recogOutcome, reason string) {
	r.halt(j)
	var body []byte
	if o != nil && !o.noInput {
		b, err := o.marshal(j.threshold, j.nbest)
		if err != nil {
			r.ch.log.Warn("nlsml result", "request_id", j.id, "err", err)
			cause, o, reason = mrcp.RecogSemanticsFailure, nil, err.Error()
		}
		body = b
	}
	ev := r.ch.event(mrcp.EventRecognitionComplete, j.id, mrcp.StateComplete)
	for _, f := range causeFields(cause.String(), reason) {
		ev.Header.Add(f.Name, f.Value)
	}
	if body != nil {
		ev.SetBody(nlsmlContentType, body)
	}
	r.last, r.recognized = o, o != nil
	r.ch.emit(ev)
	r.ch.log.Info("recognition complete", "request_id", j.id, "cause", cause.String())
	if failed(cause) {
		for _, q := range r.queue {
			ev := r.ch.event(mrcp.EventRecognitionComplete, q.id, mrcp.StateComplete)
			ev.Header.Add(mrcp.HeaderCompletionCause, mrcp.RecogCancelled.String())
			r.ch.emit(ev)
		}
		r.queue = nil
	}
	r.next()
}

// next starts the first queued RECOGNIZE; its PENDING response already
// went out, and START-OF-INPUT tells the client it is listening.
func (r *Recog) next() {
	if len(r.queue) == 0 {
		return
	}
	j := r.queue[0]
	r.queue = slices.Delete(r.queue, 0, 1)
	r.start(j)
}

// startInputTimers handles START-INPUT-TIMERS (RFC 6787 section 9.12):
// 402 unless a RECOGNIZE is in progress.
func (r *Recog) startInputTimers(req *mrcp.Message) {
	if _, ok := r.ch.checkRequest(req); !ok {
		return
	}
	j := r.active
	if j == nil {
		r.ch.reply(req, mrcp.StatusMethodNotValidInState)
		return
	}
	if !j.timersStarted {
		r.startTimers(j)
	}
	r.ch.reply(req, mrcp.StatusSuccess)
}

// stop handles STOP (RFC 6787 section 9.10): the RECOGNIZE requests in
// Active-Request-Id-List, or all, end without RECOGNITION-COMPLETE, and
// the response lists them. A queued one left then starts.
func (r *Recog) stop(req *mrcp.Message) {
	if _, ok := r.ch.checkRequest(req); !ok {
		return
	}
	ids, err := req.ActiveRequestIDs()
	all := err != nil
	var stopped []mrcp.RequestID
	j := r.active
	activeStopped := j != nil && (all || slices.Contains(ids, j.id))
	if activeStopped {
		r.halt(j)
		stopped = append(stopped, j.id)
	}
	r.queue = slices.DeleteFunc(r.queue, func(q *recogJob) bool {
		if all || slices.Contains(ids, q.id) {
			stopped = append(stopped, q.id)
			return true
		}
		return false
	})
	r.recognized = false
	resp := r.ch.response(req, mrcp.StatusSuccess, mrcp.StateComplete)
	resp.SetActiveRequestIDs(stopped...)
	r.ch.emit(resp)
	if activeStopped {
		r.ch.log.Info("recognition stopped", "request_id", j.id)
		r.next()
	}
}

// getResult handles GET-RESULT (RFC 6787 section 9.11): the last
// RECOGNITION-COMPLETE's result, filtered again by the request's
// Confidence-Threshold and N-Best-List-Length if it has them; 402 when
// there is none (no recognition since DEFINE-GRAMMAR, STOP or a new
// RECOGNIZE).
func (r *Recog) getResult(req *mrcp.Message) {
	if _, ok := r.ch.checkRequest(req); !ok {
		return
	}
	o := r.last
	if !r.recognized || o == nil {
		r.ch.reply(req, mrcp.StatusMethodNotValidInState)
		return
	}
	threshold, nbest := o.job.threshold, o.job.nbest
	if v, ok := req.Header.Lookup(mrcp.HeaderConfidenceThreshold); ok {
		threshold, _ = parseUnit(v)
	}
	if v, ok := req.Header.Lookup(mrcp.HeaderNBestListLength); ok {
		n, _ := strconv.Atoi(v)
		nbest = min(max(n, 1), maxNBest)
	}
	body, err := o.marshal(threshold, nbest)
	if err != nil {
		r.ch.reply(req, mrcp.StatusServerInternalError)
		return
	}
	resp := r.ch.response(req, mrcp.StatusSuccess, mrcp.StateComplete)
	resp.SetBody(nlsmlContentType, body)
	r.ch.emit(resp)
}

// interpret handles INTERPRET (RFC 6787 section 9.20): Interpret-Text
// matched against the request's grammars like recognized speech (or keys,
// for DTMF grammars), answered IN-PROGRESS and at once
// INTERPRETATION-COMPLETE with 000 success or 001 no-match and the NLSML
// result. It is refused with 402 while a RECOGNIZE is in progress.
func (r *Recog) interpret(req *mrcp.Message) {
	code, ok := r.ch.checkRequest(req)
	if !ok {
		return
	}
	if r.active != nil {
		r.ch.reply(req, mrcp.StatusMethodNotValidInState)
		return
	}
	text, ok := req.Header.Lookup(mrcp.HeaderInterpretText)
	if !ok {
		r.ch.reply(req, mrcp.StatusMandatoryHeaderMissing)
		return
	}
	gs, gerr := r.resolve(req)
	if gerr != nil {
		r.ch.reply(req, gerr.status, gerr.fields()...)
		return
	}
	res, matched := interpretText(gs, text)
	body, err := marshalResult(res)
	if err != nil {
		r.ch.reply(req, mrcp.StatusMethodFailed, causeFields(mrcp.RecogSemanticsFailure.String(), err.Error())...)
		return
	}
	r.ch.emit(r.ch.response(req, code, mrcp.StateInProgress))
	cause := mrcp.RecogSuccess
	if !matched {
		cause = mrcp.RecogNoMatch
	}
	ev := r.ch.event(mrcp.EventInterpretationComplete, req.RequestID, mrcp.StateComplete)
	ev.Header.Add(mrcp.HeaderCompletionCause, cause.String())
	ev.SetBody(nlsmlContentType, body)
	r.ch.emit(ev)
}

// engineCause maps an engine's error to a Completion-Cause.
func engineCause(err error) mrcp.RecogCause {
	switch {
	case errors.Is(err, speech.ErrGrammar):
		return mrcp.RecogGrammarCompilationFailure
	case errors.Is(err, speech.ErrLanguage):
		return mrcp.RecogLanguageUnsupported
	}
	return mrcp.RecogRecognizerError
}
