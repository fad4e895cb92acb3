package voice

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// vadHangoverMs is the quiet the loop's VAD waits before it calls the
// caller's speech ended: the speech server's own endpointer uses the same,
// so the end is known before the recognizer's Speech-Complete-Timeout.
const vadHangoverMs = 150

// Latency is the time one caller turn took, stage by stage. Zero times
// are stages that did not happen (a turn answered by a recorded prompt has
// no synthesized audio).
type Latency struct {
	Seq       int       // caller turn number in the call, from 1
	SpeechEnd time.Time // end of caller speech (VAD), or the last key
	Result    time.Time // recognition result (or DTMF entry complete)
	Decision  time.Time // the dialogue's next actions
	FirstTTS  time.Time // first synthesized audio received from the speech server
	FirstSent time.Time // first audio frame handed to the caller's transmitter
}

// ASR is end of speech -> recognition result.
func (l Latency) ASR() time.Duration { return since(l.SpeechEnd, l.Result) }

// NLU is recognition result -> decision.
func (l Latency) NLU() time.Duration { return since(l.Result, l.Decision) }

// TTS is decision -> first synthesized audio.
func (l Latency) TTS() time.Duration { return since(l.Decision, l.FirstTTS) }

// Send is first synthesized audio -> first frame to the caller.
func (l Latency) Send() time.Duration { return since(l.FirstTTS, l.FirstSent) }

// Total is end of speech -> first frame to the caller.
func (l Latency) Total() time.Duration { return since(l.SpeechEnd, l.FirstSent) }

func since(a, b time.Time) time.Duration {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return 0
	}
	return b.Sub(a)
}

// Metrics exports turn latency and barge-ins as Prometheus metrics.
type Metrics struct {
	stage    *prometheus.HistogramVec
	bargeIns prometheus.Counter
	bargeIn  prometheus.Histogram
	failures *prometheus.CounterVec
	fillers  prometheus.Counter
}

// NewMetrics registers the voice loop's metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		stage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parley_bot_turn_latency_seconds",
			Help:    "Latency of a caller turn by stage: asr (end of speech to result), nlu (result to decision), tts (decision to first synthesized audio), send (to the first frame to the caller), total.",
			Buckets: []float64{.005, .01, .025, .05, .1, .2, .3, .5, .75, 1, 1.5, 2, 3, 5},
		}, []string{"stage"}),
		bargeIns: prometheus.NewCounter(prometheus.CounterOpts{Name: "parley_bot_barge_ins_total", Help: "Prompts the caller interrupted."}),
		bargeIn: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "parley_bot_barge_in_seconds",
			Help:    "Time from the recognizer's START-OF-INPUT to the caller's audio queue being cleared.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25},
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_bot_speech_failures_total", Help: "Recognizer and synthesizer failures the bot degraded around."}, []string{"engine"}),
		fillers:  prometheus.NewCounter(prometheus.CounterOpts{Name: "parley_bot_dead_air_fillers_total", Help: "Fillers played because the caller would have heard dead air."}),
	}
	for _, c := range []prometheus.Collector{m.stage, m.bargeIns, m.bargeIn, m.failures, m.fillers} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) observe(l Latency) {
	if m == nil {
		return
	}
	for _, s := range []struct {
		name string
		d    time.Duration
	}{{"asr", l.ASR()}, {"nlu", l.NLU()}, {"tts", l.TTS()}, {"send", l.Send()}, {"total", l.Total()}} {
		if s.d > 0 {
			m.stage.WithLabelValues(s.name).Observe(s.d.Seconds())
		}
	}
}

func (m *Metrics) observeBargeIn(d time.Duration) {
	if m == nil {
		return
	}
	m.bargeIns.Inc()
	m.bargeIn.Observe(d.Seconds())
}

func (m *Metrics) failure(engine string) {
	if m != nil {
		m.failures.WithLabelValues(engine).Inc()
	}
}

func (m *Metrics) filler() {
	if m != nil {
		m.fillers.Inc()
	}
}
