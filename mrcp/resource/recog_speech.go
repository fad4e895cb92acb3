package resource

import (
	"context"
	"sync"
	"time"

	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
)

// onSpeechStart: speech began while j listens (RFC 6787 section 9.12,
// START-OF-INPUT). In hotword mode START-OF-INPUT waits for the hotword.
func (r *Recog) onSpeechStart(j *recogJob, preroll []int16) {
	if r.active != j || j.done || j.dtmfMode || j.capturing.Load() {
		return
	}
	if !j.inputStarted {
		j.inputStarted = true
		j.noInputT.stop()
		if !j.hotword {
			r.startOfInput(j, "speech")
			if j.recogTimeout > 0 {
				r.arm(j, &j.recogT, j.recogTimeout, func() { r.maxtime(j) })
			}
		}
	}
	j.endT.stop()
	j.cap.push(preroll)
	j.capturing.Store(true)
}

func (r *Recog) startOfInput(j *recogJob, mode string) {
	ev := r.ch.event(mrcp.EventStartOfInput, j.id, mrcp.StateInProgress)
	ev.Header.Add(mrcp.HeaderInputType, mode)
	r.ch.emit(ev)
}

// onSpeechResume: speech came back before the utterance was over.
func (r *Recog) onSpeechResume(j *recogJob) {
	if r.active == j && !j.done {
		j.endT.stop()
	}
}

// onSpeechEnd: the VAD heard silence after speech, since ago; the
// utterance lasted length. The utterance ends after Speech-Complete-
// Timeout of silence when what was recognized so far completes a grammar,
// else after Speech-Incomplete-Timeout (RFC 6787 sections 9.4.15 and
// 9.4.16). In hotword mode an utterance outside Hotword-Min-Duration and
// Hotword-Max-Duration is discarded.
func (r *Recog) onSpeechEnd(j *recogJob, since, length time.Duration) {
	if r.active != j || j.done || !j.capturing.Load() {
		return
	}
	if j.hotword && (length < j.hotMin || j.hotMax > 0 && length > j.hotMax) {
		r.requestEnd(j, endDiscard)
		return
	}
	j.speechEndAt = time.Now().Add(-since)
	r.checkSilence(j)
}

// checkSilence ends the utterance if the silence has lasted long enough
// for what was recognized so far, or checks again when it might have.
func (r *Recog) checkSilence(j *recogJob) {
	complete := j.cap.completeSoFar()
	need, reason := j.incomplete, endIncomplete
	if complete {
		need, reason = j.complete, endComplete
	}
	el := time.Since(j.speechEndAt)
	if el >= need {
		r.requestEnd(j, reason)
		return
	}
	wait := need - el
	if !complete {
		wait = max(min(j.complete, j.incomplete)-el, 0) // the engine may yet complete
		if wait == 0 {
			wait = need - el
		}
	}
	r.arm(j, &j.endT, wait, func() { r.checkSilence(j) })
}

// capture is the speech of one utterance on its way to the engine, and
// what the engine made of it so far.
type capture struct {
	limit    int // samples that may wait
	mu       sync.Mutex
	pcm      []int16
	reason   endReason
	seen     bool // the engine gave a partial hypothesis
	complete bool
	viable   bool
	dropped  int
	kick     chan struct{}
}

func (c *capture) push(pcm []int16) {
	c.mu.Lock()
	if c.reason == endNone {
		if len(c.pcm)+len(pcm) > c.limit {
			c.dropped += len(pcm)
		} else {
			c.pcm = append(c.pcm, pcm...)
		}
	}
	c.mu.Unlock()
	c.signal()
}

func (c *capture) end(reason endReason) {
	c.mu.Lock()
	if c.reason == endNone {
		c.reason = reason
	}
	c.mu.Unlock()
	c.signal()
}

func (c *capture) signal() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// take swaps out the audio waiting; buf is reused.
func (c *capture) take(buf []int16) ([]int16, endReason) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pcm := c.pcm
	c.pcm = buf[:0]
	return pcm, c.reason
}

func (c *capture) setPartial(complete, viable bool) {
	c.mu.Lock()
	c.seen, c.complete, c.viable = true, complete, viable
	c.mu.Unlock()
}

// completeSoFar reports whether the speech-complete timeout applies:
// the engine's partial hypothesis completes a grammar or cannot grow
// into a match, or the engine gives no partials.
func (c *capture) completeSoFar() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.seen || c.complete || !c.viable
}

func (c *capture) reset() {
	c.mu.Lock()
	c.pcm, c.reason, c.seen, c.complete, c.viable = c.pcm[:0], endNone, false, false, false
	c.mu.Unlock()
}

// runSpeech is a RECOGNIZE's engine goroutine: it opens a stream, writes
// the captured speech, and ends the stream when the utterance ends. In
// hotword mode it starts over after an utterance that was not the
// hotword.
func (r *Recog) runSpeech(ctx context.Context, j *recogJob) {
	defer r.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			r.ch.log.Error("recognizer panicked", "engine", j.engine.Name(), "panic", v)
			r.mu.Lock()
			r.engineFailed(j, speech.ErrEngine)
			r.mu.Unlock()
		}
	}()
	for {
		st, err := j.engine.Start(ctx, j.engReq)
		if err != nil {
			if ctx.Err() == nil {
				r.ch.log.Warn("recognizer start failed", "request_id", j.id, "err", err)
				r.mu.Lock()
				r.engineFailed(j, err)
				r.mu.Unlock()
			}
			return
		}
		hyps, reason, err := r.feed(ctx, j, st)
		st.Close()
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		again := r.utteranceDone(j, hyps, reason, err)
		r.mu.Unlock()
		if !again {
			return
		}
	}
}

// feed writes captured audio to the stream until the utterance ends.
func (r *Recog) feed(ctx context.Context, j *recogJob, st speech.Stream) ([]speech.Hypothesis, endReason, error) {
	var spare []int16
	var sincePartial time.Duration
	for {
		select {
		case <-ctx.Done():
			return nil, endNone, ctx.Err()
		case <-j.cap.kick:
		}
		pcm, reason := j.cap.take(spare)
		if len(pcm) > 0 {
			if err := st.Write(pcm); err != nil {
				return nil, endNone, err
			}
			sincePartial += time.Duration(len(pcm)) * time.Second / time.Duration(r.cfg.Rate)
		}
		spare = pcm
		switch reason {
		case endNone:
		case endDiscard:
			return nil, reason, nil
		default:
			hyps, err := st.End(ctx)
			return hyps, reason, err
		}
		if sincePartial >= partialEvery {
			sincePartial = 0
			if h, ok := st.Partial(); ok {
				j.cap.setPartial(j.gs.prefixSpeech(h.Text))
			}
		}
	}
}

// engineFailed ends j with the engine's error.
func (r *Recog) engineFailed(j *recogJob, err error) {
	if r.active != j || j.done {
		return
	}
	r.finishReason(j, engineCause(err), nil, err.Error())
}

// utteranceDone evaluates an utterance's hypotheses and ends j, or in
// hotword mode reports that listening goes on.
func (r *Recog) utteranceDone(j *recogJob, hyps []speech.Hypothesis, reason endReason, err error) bool {
	if r.active != j || j.done {
		return false
	}
	if err != nil {
		r.ch.log.Warn("recognition failed", "request_id", j.id, "err", err)
		r.finishReason(j, engineCause(err), nil, err.Error())
		return false
	}
	if reason == endDiscard {
		r.rearm(j)
		return true
	}
	o := &recogOutcome{job: j, hyps: hyps}
	_, matched := o.result(j.threshold, j.nbest)
	if j.hotword {
		switch {
		case matched:
			r.startOfInput(j, "speech")
			r.finish(j, mrcp.RecogSuccess, o)
		case reason == endMaxtime:
			r.finish(j, mrcp.RecogHotwordMaxtime, nil)
		default:
			r.rearm(j)
			return true
		}
		return false
	}
	cause := mrcp.RecogNoMatch
	switch {
	case matched && reason == endMaxtime:
		cause = mrcp.RecogSuccessMaxtime
	case matched:
		cause = mrcp.RecogSuccess
	case reason == endMaxtime:
		cause = mrcp.RecogNoMatchMaxtime
	}
	r.finish(j, cause, o)
	return false
}

// rearm makes a hotword RECOGNIZE listen for the next utterance.
func (r *Recog) rearm(j *recogJob) {
	j.capturing.Store(false)
	j.endT.stop()
	j.cap.reset()
}
