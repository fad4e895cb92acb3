package resource

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

const (
	synthChannel mrcp.ChannelID = "32AECB23433802@speechsynth"
	recogChannel mrcp.ChannelID = "32AECB23433801@speechrecog"
)

// quietLog discards the resources' logs in tests.
var quietLog = slog.New(slog.DiscardHandler)

// fakeSender records what a resource sends.
type fakeSender struct {
	mu   sync.Mutex
	msgs []*mrcp.Message
	at   map[*mrcp.Message]time.Time
	err  error
}

func (s *fakeSender) Send(m *mrcp.Message) error {
	if err := m.Validate(); err != nil {
		panic(fmt.Sprintf("resource sent an invalid message %s: %v", m, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	if s.at == nil {
		s.at = make(map[*mrcp.Message]time.Time)
	}
	s.at[m] = time.Now()
	return s.err
}

// all returns the messages sent so far.
func (s *fakeSender) all() []*mrcp.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// sentAt returns when m was sent.
func (s *fakeSender) sentAt(m *mrcp.Message) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at[m]
}

// take returns the messages sent since the last take.
func (s *fakeSender) take() []*mrcp.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs
	s.msgs = nil
	return m
}

// summary describes messages compactly for comparisons: "id status
// state", "EVENT id state cause".
func summary(msgs []*mrcp.Message) []string {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		s := m.String()
		if v, ok := m.Header.Lookup(mrcp.HeaderCompletionCause); ok {
			s += " " + v
		}
		if v, ok := m.Header.Lookup(mrcp.HeaderActiveRequestIDList); ok {
			s += " [" + v + "]"
		}
		out = append(out, s)
	}
	return out
}

func wantSummary(t *testing.T, got []*mrcp.Message, want ...string) {
	t.Helper()
	if g := summary(got); !slices.Equal(g, want) {
		t.Fatalf("messages:\n got  %q\n want %q", g, want)
	}
}

// request builds a request on ch with "Name: value" header fields.
func request(ch mrcp.ChannelID, method mrcp.Method, id mrcp.RequestID, fields ...string) *mrcp.Message {
	m := mrcp.NewRequest(method, id, ch)
	for _, f := range fields {
		name, value, _ := strings.Cut(f, ":")
		m.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return m
}

func withBody(m *mrcp.Message, contentType, body string) *mrcp.Message {
	m.SetBody(contentType, []byte(body))
	return m
}

// fakeOutput plays sources like a media.Transmitter: a frame every 20 ms
// on its own goroutine, done(nil) at the end, done(ErrStopped) on Stop or
// replacement (synchronously, as the Transmitter does).
type fakeOutput struct {
	frame int

	mu      sync.Mutex
	cur     *fakePlay
	plays   int
	audio   int // samples of sound played
	silence int // samples of silence played from a source
	stop    chan struct{}
	wg      sync.WaitGroup
}

type fakePlay struct {
	src  media.Source
	done func(error)
}

func newFakeOutput(t *testing.T, rate int) *fakeOutput {
	o := &fakeOutput{frame: rate / 50, stop: make(chan struct{})}
	o.wg.Add(1)
	go o.run()
	t.Cleanup(o.close)
	return o
}

func (o *fakeOutput) close() {
	select {
	case <-o.stop:
	default:
		close(o.stop)
	}
	o.wg.Wait()
}

func (o *fakeOutput) run() {
	defer o.wg.Done()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	pcm := make([]int16, o.frame)
	for {
		select {
		case <-o.stop:
			return
		case <-tick.C:
		}
		o.tick(pcm)
	}
}

func (o *fakeOutput) tick(pcm []int16) {
	o.mu.Lock()
	cur := o.cur
	o.mu.Unlock()
	if cur == nil {
		return
	}
	n, err := cur.src.Next(pcm)
	o.mu.Lock()
	if err != nil {
		if o.cur == cur {
			o.cur = nil
			o.mu.Unlock()
			cur.done(nil)
			return
		}
		o.mu.Unlock()
		return
	}
	for _, v := range pcm[:n] {
		if v != 0 {
			o.audio++
		} else {
			o.silence++
		}
	}
	o.mu.Unlock()
}

func (o *fakeOutput) Play(src media.Source, done func(error)) {
	o.mu.Lock()
	old := o.cur
	o.cur = &fakePlay{src, done}
	o.plays++
	o.mu.Unlock()
	if old != nil {
		old.done(media.ErrStopped)
	}
}

func (o *fakeOutput) Stop() bool {
	o.mu.Lock()
	old := o.cur
	o.cur = nil
	o.mu.Unlock()
	if old != nil {
		old.done(media.ErrStopped)
	}
	return old != nil
}

func (o *fakeOutput) counts() (audio, silence int, playing bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.audio, o.silence, o.cur != nil
}

// fakeSynth is a synthesizer that says every word as wordDur of a
// constant non-zero sample, breaks as silence, and reports marks.
type fakeSynth struct {
	wordDur  time.Duration
	latency  time.Duration // before the first audio
	failAt   int           // fail with ErrEngine before this word (1-based); 0 never
	mu       sync.Mutex
	requests []speech.SynthRequest
}

func (f *fakeSynth) Name() string { return "fake" }

func (f *fakeSynth) Voices() []speech.Voice {
	return []speech.Voice{{Name: "fake", Engine: "fake", Language: "en-US", Gender: "female"}}
}

func (f *fakeSynth) Synthesize(ctx context.Context, req speech.SynthRequest, emit func(speech.Chunk) error) error {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	if f.latency > 0 {
		select {
		case <-time.After(f.latency):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	word := make([]int16, int(f.wordDur)*req.Rate/int(time.Second))
	for i := range word {
		word[i] = 1000
	}
	words := 0
	for _, it := range req.Doc.Items {
		switch it.Kind {
		case ssml.Mark:
			if err := emit(speech.Chunk{Mark: it.Name}); err != nil {
				return err
			}
		case ssml.Break:
			if err := emit(speech.Chunk{PCM: make([]int16, int(it.Break)*req.Rate/int(time.Second))}); err != nil {
				return err
			}
		case ssml.Text, ssml.Audio:
			for range strings.Fields(it.Text) {
				words++
				if f.failAt > 0 && words >= f.failAt {
					return fmt.Errorf("%w: fake failure", speech.ErrEngine)
				}
				if err := emit(speech.Chunk{PCM: word}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (f *fakeSynth) lastRequest() speech.SynthRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return speech.SynthRequest{}
	}
	return f.requests[len(f.requests)-1]
}

func (f *fakeSynth) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// fakeEngines selects the fake engines; languages starting "xx" are
// unsupported, and the voice "nobody" does not exist.
type fakeEngines struct {
	synth *fakeSynth
	rec   speech.Recognizer

	mu        sync.Mutex
	voiceSels []VoiceSelection
	recLangs  []string
}

func (e *fakeEngines) SelectVoice(sel VoiceSelection) (speech.Synthesizer, speech.Voice, error) {
	e.mu.Lock()
	e.voiceSels = append(e.voiceSels, sel)
	e.mu.Unlock()
	switch {
	case strings.HasPrefix(sel.Language, "xx"):
		return nil, speech.Voice{}, fmt.Errorf("%w: %s", speech.ErrLanguage, sel.Language)
	case sel.Name == "nobody":
		return nil, speech.Voice{}, fmt.Errorf("%w: %s", speech.ErrNoVoice, sel.Name)
	}
	return e.synth, speech.Voice{Name: "fake", Engine: "fake", Language: sel.Language, Gender: "female"}, nil
}

func (e *fakeEngines) SelectRecognizer(language, name string) (speech.Recognizer, error) {
	e.mu.Lock()
	e.recLangs = append(e.recLangs, language)
	e.mu.Unlock()
	if strings.HasPrefix(language, "xx") || e.rec == nil {
		return nil, fmt.Errorf("%w: %s", speech.ErrLanguage, language)
	}
	return e.rec, nil
}

func (e *fakeEngines) lastVoice() VoiceSelection {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.voiceSels[len(e.voiceSels)-1]
}

// fakeRecognizer is a recognizer whose streams count the audio written
// and return the hypotheses the test set.
type fakeRecognizer struct {
	mu       sync.Mutex
	final    []speech.Hypothesis
	partial  string // returned by Partial when not ""
	startErr error
	delay    time.Duration // before Start returns
	endErr   error
	requests []speech.RecogRequest
	written  int // samples, all streams
	ends     int
	open     int // streams started and not closed
}

func (f *fakeRecognizer) Name() string        { return "fakerec" }
func (f *fakeRecognizer) Languages() []string { return []string{"en-US"} }

func (f *fakeRecognizer) Start(ctx context.Context, req speech.RecogRequest) (speech.Stream, error) {
	f.mu.Lock()
	delay := f.delay
	f.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	if f.startErr != nil {
		return nil, f.startErr
	}
	f.open++
	return &fakeStream{f: f}, nil
}

func (f *fakeRecognizer) set(partial string, final ...speech.Hypothesis) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.partial, f.final = partial, final
}

func (f *fakeRecognizer) stats() (starts, ends, open, written int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests), f.ends, f.open, f.written
}

func (f *fakeRecognizer) lastRequest() speech.RecogRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

type fakeStream struct {
	f      *fakeRecognizer
	closed bool
}

func (s *fakeStream) Write(pcm []int16) error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.written += len(pcm)
	return nil
}

func (s *fakeStream) Partial() (speech.Hypothesis, bool) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if s.f.partial == "" {
		return speech.Hypothesis{}, false
	}
	return speech.Hypothesis{Text: s.f.partial, Confidence: 0.5, Grammar: -1}, true
}

func (s *fakeStream) End(ctx context.Context) ([]speech.Hypothesis, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.ends++
	return slices.Clone(s.f.final), s.f.endErr
}

func (s *fakeStream) Close() error {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.f.open--
	}
	return nil
}

// voice synthesizes secs of a voiced, speech-like sound at rate: a
// 120 Hz glottal pulse train through three formants, with a syllable
// rhythm. The VAD takes it for speech.
func voice(rate int, secs float64, gain float64) []int16 {
	n := int(secs * float64(rate))
	out := make([]int16, n)
	formants := []struct{ f, bw, g float64 }{{700, 110, 1}, {1220, 120, 0.6}, {2600, 160, 0.3}}
	for i := range out {
		t := float64(i) / float64(rate)
		f0 := 120 + 15*math.Sin(2*math.Pi*1.3*t)
		env := 0.55 + 0.45*math.Sin(2*math.Pi*4*t)
		var s float64
		for h := 1; float64(h)*f0 < 3800; h++ {
			fh := float64(h) * f0
			var amp float64
			for _, fm := range formants {
				d := (fh - fm.f) / fm.bw
				amp += fm.g / (1 + d*d)
			}
			s += amp * math.Sin(2*math.Pi*fh*t+float64(h))
		}
		out[i] = int16(s * env * 3000 * gain)
	}
	return out
}

// hiss is secs of quiet white noise: the line between utterances.
func hiss(rate int, secs float64) []int16 {
	rng := rand.New(rand.NewPCG(uint64(rate), uint64(secs*1000)))
	out := make([]int16, int(secs*float64(rate)))
	for i := range out {
		out[i] = int16(rng.NormFloat64() * 30)
	}
	return out
}
