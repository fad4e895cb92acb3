package resource

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/media/vad"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
)

// Input queue sizes: Audio and Digit never block; when the analysis falls
// this far behind, the oldest items are dropped.
const (
	inputSlots     = 100 // 2 s of 20 ms frames
	maxSlotSamples = 960 // 20 ms at 48 kHz; longer frames take several slots
	prerollMs      = 500 // audio kept from before speech is detected
	maxCaptureSecs = 60  // audio waiting for a slow engine
	vadHangoverMs  = 150 // silence before the VAD reports the end of speech
	partialEvery   = 100 * time.Millisecond
)

// Audio takes a frame of the caller's audio (20 ms at RecogConfig.Rate)
// at media time at. It copies the frame into a bounded queue and returns
// at once; when the queue is full the oldest frame is dropped (or this
// one, when the oldest item is a key) and counted (Dropped). It is safe from any goroutine; frames must come from one.
func (r *Recog) Audio(at time.Duration, pcm []int16) {
	r.in.putAudio(pcm)
}

// Digit takes an RFC 4733 DTMF key that ended: 0-9, *, #, A-D. Other
// runes are ignored. It queues the key behind the audio before it and
// returns at once.
func (r *Recog) Digit(digit rune) {
	if k := dtmfKey(digit); k != 0 {
		r.in.put(k, nil)
	}
}

// dtmfKey returns the canonical key for r, or 0.
func dtmfKey(r rune) rune {
	switch {
	case r >= '0' && r <= '9', r == '*', r == '#', r >= 'A' && r <= 'D':
		return r
	case r >= 'a' && r <= 'd':
		return r - 'a' + 'A'
	}
	return 0
}

// inputItem is a slot of the input queue: audio, or a key when digit is
// not 0.
type inputItem struct {
	digit rune
	n     int
	pcm   []int16
}

// inputQueue is the bounded queue between Audio/Digit and the input
// goroutine. Slots are allocated once.
type inputQueue struct {
	mu      sync.Mutex
	items   []inputItem
	head, n int
	signal  chan struct{}
	dropped atomic.Uint64
}

func (q *inputQueue) init() {
	q.items = make([]inputItem, inputSlots)
	for i := range q.items {
		q.items[i].pcm = make([]int16, maxSlotSamples)
	}
	q.signal = make(chan struct{}, 1)
}

func (q *inputQueue) putAudio(pcm []int16) {
	for len(pcm) > 0 {
		k := min(len(pcm), maxSlotSamples)
		q.put(0, pcm[:k])
		pcm = pcm[k:]
	}
}

func (q *inputQueue) put(digit rune, pcm []int16) {
	q.mu.Lock()
	if q.n == len(q.items) {
		// Full: drop the oldest audio, or this frame rather than a key.
		q.dropped.Add(1)
		if q.items[q.head].digit != 0 && digit == 0 {
			q.mu.Unlock()
			return
		}
		q.head = (q.head + 1) % len(q.items)
		q.n--
	}
	it := &q.items[(q.head+q.n)%len(q.items)]
	it.digit = digit
	it.n = copy(it.pcm, pcm)
	q.n++
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// pop copies the oldest item's audio into buf.
func (q *inputQueue) pop(buf []int16) (digit rune, n int, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return 0, 0, false
	}
	it := &q.items[q.head]
	q.head = (q.head + 1) % len(q.items)
	q.n--
	return it.digit, copy(buf, it.pcm[:it.n]), true
}

// sensitivityDB maps Sensitivity-Level (0 to 1, default 0.5) to the VAD's
// speech threshold: 10 dB at 0, 2.5 dB (the VAD's default) at 0.5, 0.625
// dB at 1.
func sensitivityDB(s float64) float64 {
	return min(max(2.5*math.Pow(4, 1-2*s), 0.5), 30)
}

func thresholdBits(db float64) uint64 { return math.Float64bits(db) }

func newDetector(rate int, sensitivity float64) (*vad.Detector, error) {
	return newDetectorDB(rate, sensitivityDB(sensitivity))
}

func newDetectorDB(rate int, db float64) (*vad.Detector, error) {
	return vad.New(vad.Config{SampleRate: rate, FrameMs: 20, HangoverMs: vadHangoverMs, ThresholdDB: db})
}

// inputState is the input goroutine's own: the detector, the frame being
// assembled and the audio from before speech was detected.
type inputState struct {
	r        *Recog
	det      *vad.Detector
	detBits  uint64
	frame    []int16
	pre      []int16 // ring of the last prerollMs
	preHead  int
	preFill  int
	samplePs float64 // samples per second
}

// runInput is the input goroutine: it analyses the caller's audio with
// the VAD, hands speech to the active RECOGNIZE and routes keys.
func (r *Recog) runInput(det *vad.Detector) {
	defer r.wg.Done()
	s := &inputState{
		r:        r,
		det:      det,
		detBits:  thresholdBits(det.Config().ThresholdDB),
		frame:    make([]int16, 0, det.FrameSize()),
		pre:      make([]int16, r.cfg.Rate*prerollMs/1000),
		samplePs: float64(r.cfg.Rate),
	}
	buf := make([]int16, maxSlotSamples)
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-r.in.signal:
		}
		for {
			digit, n, ok := r.in.pop(buf)
			if !ok {
				break
			}
			if digit != 0 {
				r.mu.Lock()
				r.onDigit(digit)
				r.mu.Unlock()
				continue
			}
			s.audio(buf[:n])
		}
	}
}

func (s *inputState) audio(pcm []int16) {
	fs := cap(s.frame)
	for len(pcm) > 0 {
		k := min(fs-len(s.frame), len(pcm))
		s.frame = append(s.frame, pcm[:k]...)
		pcm = pcm[k:]
		if len(s.frame) == fs {
			s.analyse(s.frame)
			s.frame = s.frame[:0]
		}
	}
}

// analyse runs one 20 ms frame through the VAD and acts on what it
// finds.
func (s *inputState) analyse(frame []int16) {
	r := s.r
	j := r.cur.Load()
	if want := r.threshold.Load(); want != s.detBits && (j == nil || !j.capturing.Load()) {
		if det, err := newDetectorDB(r.cfg.Rate, math.Float64frombits(want)); err == nil {
			s.det = det
		}
		s.detBits = want
	}
	ev := s.det.Process(frame)
	s.keep(frame)
	if j == nil || j.speechOff.Load() {
		return
	}
	if j.capturing.Load() {
		j.cap.push(frame)
		switch ev {
		case vad.SpeechEnd:
			since := s.dur(s.det.Offset() - s.det.EndOffset())
			length := s.dur(s.det.EndOffset() - s.det.StartOffset())
			r.mu.Lock()
			r.onSpeechEnd(j, since, length)
			r.mu.Unlock()
		case vad.SpeechStart:
			r.mu.Lock()
			r.onSpeechResume(j)
			r.mu.Unlock()
		}
		return
	}
	if ev == vad.SpeechStart || ev == vad.None && s.det.Speaking() {
		n := min(int(s.det.Offset()-s.det.StartOffset()), s.preFill)
		r.mu.Lock()
		r.onSpeechStart(j, s.preroll(n))
		r.mu.Unlock()
	}
}

func (s *inputState) dur(samples int64) time.Duration {
	return time.Duration(float64(samples) / s.samplePs * float64(time.Second))
}

// keep adds a frame to the pre-roll ring.
func (s *inputState) keep(frame []int16) {
	for len(frame) > 0 {
		k := copy(s.pre[s.preHead:], frame)
		s.preHead = (s.preHead + k) % len(s.pre)
		s.preFill = min(s.preFill+k, len(s.pre))
		frame = frame[k:]
	}
}

// preroll returns the last n samples kept.
func (s *inputState) preroll(n int) []int16 {
	out := make([]int16, n)
	start := (s.preHead - n + len(s.pre)) % len(s.pre)
	k := copy(out, s.pre[start:])
	copy(out[k:], s.pre[:n-k])
	return out
}

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

// bufferedDigit is a key typed ahead of a RECOGNIZE.
type bufferedDigit struct {
	key     rune
	expires time.Time
}

// onDigit routes a key: to the active RECOGNIZE when it has DTMF
// grammars, else to the type-ahead buffer (DTMF-Buffer-Time).
func (r *Recog) onDigit(key rune) {
	if r.ch.closed {
		return
	}
	if j := r.active; j != nil && !j.done && len(j.gs.dtmf) > 0 {
		r.dtmfInput(j, key)
		return
	}
	now := time.Now()
	keep := millis(r.ch.param(mrcp.HeaderDTMFBufferTime))
	buf := r.typeAhead[:0]
	for _, d := range r.typeAhead {
		if now.Before(d.expires) {
			buf = append(buf, d)
		}
	}
	if len(buf) == maxTypeAhead {
		buf = append(buf[:0], buf[1:]...)
	}
	r.typeAhead = append(buf, bufferedDigit{key: key, expires: now.Add(keep)})
}

// dtmfInput adds a key to j's input (RFC 6787 sections 9.4.17-9.4.20):
// the first key sends START-OF-INPUT and stops listening to speech; the
// DTMF-Term-Char ends the input; input that completes a DTMF grammar and
// cannot grow ends at once (or after DTMF-Term-Timeout when a term char
// is set), input that can still grow waits DTMF-Interdigit-Timeout, and
// input that matches nothing ends as no-match.
func (r *Recog) dtmfInput(j *recogJob, key rune) {
	if !j.dtmfMode {
		j.dtmfMode = true
		j.speechOff.Store(true)
		j.capturing.Store(false)
		j.recogT.stop()
		j.endT.stop()
		if j.speechCancel != nil {
			j.speechCancel()
		}
		if !j.inputStarted || j.hotword {
			j.inputStarted = true
			j.noInputT.stop()
			r.startOfInput(j, "dtmf")
		}
	}
	if j.termChar != 0 && key == j.termChar {
		r.finishDTMF(j)
		return
	}
	j.digits = append(j.digits, key)
	if len(j.digits) >= maxDigits {
		r.finishDTMF(j)
		return
	}
	complete, viable := j.gs.prefixDTMF(string(j.digits))
	switch {
	case !viable && !complete:
		r.finishDTMF(j)
	case !viable:
		if j.termChar != 0 && j.termTimeout > 0 {
			r.arm(j, &j.dtmfT, j.termTimeout, func() { r.finishDTMF(j) })
			return
		}
		r.finishDTMF(j)
	default:
		r.arm(j, &j.dtmfT, j.interdigit, func() { r.finishDTMF(j) })
	}
}

// finishDTMF ends j with the keys entered.
func (r *Recog) finishDTMF(j *recogJob) {
	o := &recogOutcome{job: j, dtmf: true, keys: string(j.digits)}
	cause := mrcp.RecogNoMatch
	if _, ok := dtmfResult(j.gs, o.keys); ok {
		cause = mrcp.RecogSuccess
	}
	r.finish(j, cause, o)
}
