package resource

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-cc/parley/mrcp"
)

// RecogConfig configures a Recog.
type RecogConfig struct {
	// Channel is the channel's identifier, "...@speechrecog"; required.
	Channel mrcp.ChannelID
	// Send writes responses and events; required.
	Send Sender
	// Rate is the sample rate of the PCM given to Audio: 8000 (the
	// default), 16000 or 48000.
	Rate int
	// Engines picks the recognizer for a language; required.
	Engines Engines
	// Log receives the channel's log; default slog.Default() with a
	// "channel" attribute.
	Log *slog.Logger
}

// Recog is the server side of one speechrecog channel (RFC 6787 section
// 9): grammars defined for the session, one RECOGNIZE at a time with
// others queued behind it, speech detected in the caller's audio and
// written to a recognizer engine, DTMF matched against DTMF grammars, the
// input timers, and results as NLSML. See the package documentation for
// the behaviour of each method.
type Recog struct {
	cfg RecogConfig

	mu         sync.Mutex
	ch         channel
	grammars   map[string]*grammarRef // DEFINE-GRAMMAR'd, by Content-ID
	order      []string               // Content-IDs in definition order
	active     *recogJob
	queue      []*recogJob
	last       *recogOutcome // the result GET-RESULT returns
	recognized bool          // the recognizer is in the recognized state
	typeAhead  []bufferedDigit

	cur atomic.Pointer[recogJob] // active, for the input goroutine

	in        inputQueue
	threshold atomic.Uint64 // VAD ThresholdDB wanted by the active job, as float64 bits

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewRecog returns the speechrecog resource for a channel. It starts one
// goroutine that analyses the caller's audio, stopped by Close.
func NewRecog(cfg RecogConfig) (*Recog, error) {
	switch {
	case cfg.Send == nil || cfg.Engines == nil:
		return nil, fmt.Errorf("%w: recognizer needs Send and Engines", ErrConfig)
	case cfg.Channel.Resource() != mrcp.ResourceSpeechRecog:
		return nil, fmt.Errorf("%w: channel %q is not a speechrecog channel", ErrConfig, cfg.Channel)
	}
	if cfg.Rate == 0 {
		cfg.Rate = 8000
	}
	if cfg.Rate != 8000 && cfg.Rate != 16000 && cfg.Rate != 48000 {
		return nil, fmt.Errorf("%w: rate %d, want 8000, 16000 or 48000", ErrConfig, cfg.Rate)
	}
	r := &Recog{cfg: cfg, grammars: make(map[string]*grammarRef)}
	r.ch = newChannel(cfg.Channel, cfg.Send, cfg.Log, newParamTable(genericParams(), recogParams()))
	r.in.init(cfg.Rate)
	r.threshold.Store(thresholdBits(defaultSensitivity))
	det, err := newDetector(cfg.Rate, defaultSensitivity)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(1)
	go r.runInput(det)
	return r, nil
}

// Handle processes one request from the client and answers it through
// Send before returning; events follow later. It does not wait for the
// engines. Messages that are not requests are ignored.
func (r *Recog) Handle(req *mrcp.Message) {
	if req == nil || req.Kind != mrcp.KindRequest {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ch.admit(req) {
		return
	}
	r.ch.log.Debug("mrcp request", "msg", req.String())
	switch req.Method {
	case mrcp.MethodSetParams:
		r.ch.setParams(req)
	case mrcp.MethodGetParams:
		r.ch.getParams(req)
	case mrcp.MethodDefineGrammar:
		r.defineGrammar(req)
	case mrcp.MethodRecognize:
		r.recognize(req)
	case mrcp.MethodStartInputTimers:
		r.startInputTimers(req)
	case mrcp.MethodStop:
		r.stop(req)
	case mrcp.MethodGetResult:
		r.getResult(req)
	case mrcp.MethodInterpret:
		r.interpret(req)
	default:
		// Phrase enrollment, the synthesizer's methods and unknown ones.
		r.ch.reply(req, mrcp.StatusMethodNotAllowed)
	}
}

// Close stops recognition without events, stops the engines and waits
// for the resource's goroutines. Requests handled afterwards get 405. It
// is idempotent.
func (r *Recog) Close() {
	r.mu.Lock()
	if r.ch.closed {
		r.mu.Unlock()
		return
	}
	r.ch.closed = true
	if r.active != nil {
		r.halt(r.active)
	}
	r.queue = nil
	r.cancel()
	r.mu.Unlock()
	r.wg.Wait()
}

// Dropped returns how many audio frames Audio dropped because the
// analysis fell behind.
func (r *Recog) Dropped() uint64 { return r.in.dropped.Load() }

// Default values of the recognizer's parameters (RFC 6787 section 9.4
// leaves them to the implementation).
const (
	defaultSensitivity = 0.5
	maxNBest           = 10
	maxTypeAhead       = 64
	maxDigits          = 128
)

// recogParams are the speechrecog header fields (RFC 6787 section 9.4)
// with their defaults.
func recogParams() []paramSpec {
	return []paramSpec{
		{name: mrcp.HeaderConfidenceThreshold, def: "0.5", check: checkUnit, settable: true},
		{name: mrcp.HeaderSensitivityLevel, def: "0.5", check: checkUnit, settable: true},
		{name: mrcp.HeaderSpeedVsAccuracy, def: "0.5", check: checkUnit, settable: true, use: advisory},
		{name: mrcp.HeaderNBestListLength, def: "1", check: checkNBest, settable: true},
		{name: mrcp.HeaderNoInputTimeout, def: "5000", check: checkMillis, settable: true},
		{name: mrcp.HeaderRecognitionTimeout, def: "10000", check: checkMillis, settable: true},
		{name: mrcp.HeaderSpeechCompleteTimeout, def: "500", check: checkMillis, settable: true},
		{name: mrcp.HeaderSpeechIncompleteTimeout, def: "1000", check: checkMillis, settable: true},
		{name: mrcp.HeaderDTMFInterdigitTimeout, def: "5000", check: checkMillis, settable: true},
		{name: mrcp.HeaderDTMFTermTimeout, def: "0", check: checkMillis, settable: true},
		{name: mrcp.HeaderDTMFTermChar, check: checkTermChar, settable: true},
		{name: mrcp.HeaderDTMFBufferTime, def: "10000", check: checkMillis, settable: true},
		{name: mrcp.HeaderClearDTMFBuffer, def: "false", check: checkBool},
		{name: mrcp.HeaderSpeechLanguage, def: "en-US", check: checkLanguage, settable: true},
		{name: mrcp.HeaderRecognitionMode, def: "normal", check: checkOneOf("normal", "hotword"), settable: true},
		{name: mrcp.HeaderStartInputTimers, def: "true", check: checkBool},
		{name: mrcp.HeaderCancelIfQueue, def: "false", check: checkBool},
		{name: mrcp.HeaderHotwordMaxDuration, check: checkMillis, settable: true},
		{name: mrcp.HeaderHotwordMinDuration, check: checkMillis, settable: true},
		{name: mrcp.HeaderInterpretText, check: checkText},
		{name: mrcp.HeaderMediaType, settable: true, use: ignored},
		{name: mrcp.HeaderSaveWaveform, check: checkBool, settable: true, use: ignored},
		{name: mrcp.HeaderInputWaveformURI, use: ignored},
		{name: mrcp.HeaderRecognizerContextBlock, settable: true, use: ignored},
		{name: mrcp.HeaderNewAudioChannel, check: checkBool, use: ignored},
		{name: mrcp.HeaderVerBufferUtterance, check: checkBool, use: ignored},
		{name: mrcp.HeaderEarlyNoMatch, check: checkBool, settable: true, use: ignored},
		{name: mrcp.HeaderPersonalGrammarURI, settable: true, use: ignored},
		{name: mrcp.HeaderNumMinConsistentPronunciations, settable: true, use: ignored},
		{name: mrcp.HeaderConsistencyThreshold, settable: true, use: ignored},
		{name: mrcp.HeaderClashThreshold, settable: true, use: ignored},
		{name: mrcp.HeaderEnrollUtterance, use: ignored},
		{name: mrcp.HeaderPhraseID, use: ignored},
		{name: mrcp.HeaderPhraseNL, use: ignored},
		{name: mrcp.HeaderWeight, use: ignored},
		{name: mrcp.HeaderSaveBestWaveform, use: ignored},
		{name: mrcp.HeaderNewPhraseID, use: ignored},
		{name: mrcp.HeaderConfusablePhrasesURI, use: ignored},
		{name: mrcp.HeaderAbortPhraseEnrollment, use: ignored},
	}
}

func checkNBest(v string) error {
	if err := checkDigits(19)(v); err != nil {
		return err
	}
	if v == "0" || len(v) == strings.Count(v, "0") {
		return fmt.Errorf("N-Best-List-Length must be at least 1")
	}
	return nil
}

// checkTermChar accepts one DTMF key (RFC 6787 section 9.4.20 allows any
// visible character; only keys can ever terminate input).
func checkTermChar(v string) error {
	if len(v) != 1 || v[0] <= ' ' || v[0] >= 0x7f {
		return fmt.Errorf("want one character")
	}
	return nil
}

// millis reads a timer field already checked, capped at maxTimer.
func millis(v string) time.Duration {
	h := mrcp.Header{{Name: "x", Value: v}}
	d, err := h.Duration("x")
	if err != nil {
		return 0
	}
	return min(d, maxTimer)
}
