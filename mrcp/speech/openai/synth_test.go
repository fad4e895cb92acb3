package openai

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// toneAnswer answers speech requests with secs of a 440 Hz tone as raw
// 24 kHz PCM.
func toneAnswer(secs float64) func(http.ResponseWriter, *http.Request, int, speechBody) {
	pcm := pcmBytes(mediatest.ToneSamples(440, pcmRate, 0.5, int(secs*pcmRate)))
	return func(w http.ResponseWriter, _ *http.Request, _ int, _ speechBody) {
		w.Header().Set("Content-Type", "audio/pcm")
		_, _ = w.Write(pcm)
	}
}

// textDoc is a document of one Text item.
func textDoc(s string) *ssml.Document {
	return &ssml.Document{Items: []ssml.Item{{Kind: ssml.Text, Text: s, Prosody: ssml.DefaultProsody}}}
}

// collect gathers a synthesis' audio and marks; marks are recorded as
// their name at the position (in samples) where they were emitted.
type collect struct {
	pcm    []int16
	chunks int
	marks  []string
	at     []int
}

func (c *collect) emit(ch speech.Chunk) error {
	if ch.Mark != "" {
		c.marks = append(c.marks, ch.Mark)
		c.at = append(c.at, len(c.pcm))
		return nil
	}
	c.chunks++
	c.pcm = append(c.pcm, ch.PCM...)
	return nil
}

func rms(pcm []int16) float64 {
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(len(pcm), 1)))
}

func newSynth(t *testing.T, cfg Config) *Synthesizer {
	t.Helper()
	s, err := NewSynthesizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSynthesizeRequest(t *testing.T) {
	f := newFakeAPI(t)
	f.onSpeech = toneAnswer(1)
	s := newSynth(t, f.config())
	for _, rate := range []int{8000, 16000, 48000} {
		t.Run(strconv.Itoa(rate), func(t *testing.T) {
			var c collect
			req := speech.SynthRequest{Doc: textDoc("your balance is fifty pounds"), Voice: speech.Voice{Name: "nova"},
				Rate: rate, Prosody: ssml.Prosody{Rate: 1.5, Pitch: 1, Range: 1, Volume: 1}}
			if err := s.Synthesize(t.Context(), req, c.emit); err != nil {
				t.Fatal(err)
			}
			reqs := f.speechRequests()
			b := reqs[len(reqs)-1]
			if b.Model != "tts-1" || b.Voice != "nova" || b.Input != "your balance is fifty pounds" || b.ResponseFormat != "pcm" || b.Speed == nil || *b.Speed != 1.5 {
				t.Errorf("request %+v (speed %v)", b, b.Speed)
			}
			// One second of audio: the whole tone, delay pushed out.
			if len(c.pcm) < rate || len(c.pcm) > rate+rate/50 {
				t.Errorf("%d samples, want about %d", len(c.pcm), rate)
			}
			lag, corr := mediatest.BestLag(mediatest.ToneSamples(440, rate, 0.5, rate), c.pcm, rate/100)
			if corr < 0.99 {
				t.Errorf("tone at %d Hz: correlation %.4f (lag %.1f)", rate, corr, lag)
			}
		})
	}
	if got := f.auth[0]; got != "Bearer test-key" {
		t.Errorf("Authorization %q", got)
	}
}

// TestSynthesizeStreams checks that audio is emitted while the response
// body is still arriving: the fake sends half, then waits until the
// client has emitted something before sending the rest.
func TestSynthesizeStreams(t *testing.T) {
	f := newFakeAPI(t)
	emitted := make(chan struct{})
	var beforeEnd atomic.Bool
	body := pcmBytes(mediatest.ToneSamples(440, pcmRate, 0.5, pcmRate))
	f.onSpeech = func(w http.ResponseWriter, r *http.Request, _ int, _ speechBody) {
		w.Header().Set("Content-Type", "audio/pcm")
		_, _ = w.Write(body[:12001]) // an odd byte count: a sample split across reads
		w.(http.Flusher).Flush()
		select {
		case <-emitted:
			beforeEnd.Store(true)
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write(body[12001:])
	}
	s := newSynth(t, f.config())
	var c collect
	var once bool
	err := s.Synthesize(t.Context(), speech.SynthRequest{Doc: textDoc("hello"), Rate: 24000 / 3 * 2}, func(ch speech.Chunk) error {
		if !once {
			once = true
			close(emitted)
		}
		return c.emit(ch)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !beforeEnd.Load() {
		t.Fatal("no audio was emitted before the response ended")
	}
	if c.chunks < 2 {
		t.Errorf("%d chunks, want several", c.chunks)
	}
	want := mediatest.ToneSamples(440, 16000, 0.5, 16000)
	if _, corr := mediatest.BestLag(want, c.pcm, 160); corr < 0.99 {
		t.Errorf("correlation %.4f: samples garbled across reads", corr)
	}
}

// TestSynthesizeDocument checks how a document becomes requests, pauses
// and marks.
func TestSynthesizeDocument(t *testing.T) {
	f := newFakeAPI(t)
	f.onSpeech = toneAnswer(0.2)
	s := newSynth(t, f.config())
	p := ssml.DefaultProsody
	slow := ssml.Prosody{Rate: 0.5, Pitch: 1.2, Range: 1, Volume: 1}
	doc := &ssml.Document{Items: []ssml.Item{
		{Kind: ssml.Text, Text: "hello  there", Prosody: p},
		{Kind: ssml.Text, Text: "caller", Prosody: p, Voice: ssml.Voice{Name: "unknown-voice"}},
		{Kind: ssml.Mark, Name: "m1"},
		{Kind: ssml.Break, Break: 300 * time.Millisecond},
		{Kind: ssml.Break, Break: 200 * time.Millisecond},
		{Kind: ssml.Text, Text: "world", Prosody: p, Voice: ssml.Voice{Name: "onyx"}},
		{Kind: ssml.Text, Text: "again", Prosody: p, Voice: ssml.Voice{Name: "onyx"}},
		{Kind: ssml.Audio, Name: "x.wav", Text: "fallback", Prosody: p, Voice: ssml.Voice{Name: "onyx"}},
		{Kind: ssml.Text, Text: "slowly", Prosody: slow, Voice: ssml.Voice{Name: "onyx"}},
		{Kind: ssml.Text, Text: "   ", Prosody: p},
		{Kind: ssml.Mark, Name: "end"},
	}}
	var c collect
	req := speech.SynthRequest{Doc: doc, Voice: speech.Voice{Name: "alloy"}, Rate: 8000, Prosody: ssml.Prosody{Rate: 2, Pitch: 1, Range: 1, Volume: 1}}
	if err := s.Synthesize(t.Context(), req, c.emit); err != nil {
		t.Fatal(err)
	}
	type want struct {
		voice, input string
		speed        float64
	}
	var got []want
	for _, b := range f.speechRequests() {
		got = append(got, want{b.Voice, b.Input, *b.Speed})
	}
	exp := []want{{"alloy", "hello there caller", 2}, {"onyx", "world again fallback", 2}, {"onyx", "slowly", 1}}
	if !slices.Equal(got, exp) {
		t.Errorf("requests %+v, want %+v", got, exp)
	}
	seg := 1600 // 0.2 s at 8 kHz
	if !slices.Equal(c.marks, []string{"m1", "end"}) || c.at[0] != seg || c.at[1] != len(c.pcm) {
		t.Errorf("marks %v at %v, want m1 at %d and end at %d", c.marks, c.at, seg, len(c.pcm))
	}
	if len(c.pcm) != 3*seg+4000 {
		t.Fatalf("%d samples, want %d (three requests and 0.5 s of pause)", len(c.pcm), 3*seg+4000)
	}
	if pause := c.pcm[seg : seg+4000]; slices.ContainsFunc(pause, func(v int16) bool { return v != 0 }) {
		t.Error("the break is not silent")
	}
}

func TestSynthesizeWAV(t *testing.T) {
	f := newFakeAPI(t)
	f.onSpeech = func(w http.ResponseWriter, _ *http.Request, _ int, _ speechBody) {
		b, err := wavBytes(mediatest.ToneSamples(300, 22050, 0.5, 22050/2), 22050)
		if err != nil {
			panic(err)
		}
		w.Header().Set("Content-Type", "audio/wav")
		_, _ = w.Write(b)
	}
	cfg := f.config()
	cfg.SpeechFormat = SpeechWAV
	s := newSynth(t, cfg)
	var c collect
	if err := s.Synthesize(t.Context(), speech.SynthRequest{Doc: textDoc("hi"), Rate: 16000}, c.emit); err != nil {
		t.Fatal(err)
	}
	if f.speechRequests()[0].ResponseFormat != "wav" {
		t.Errorf("response_format %q", f.speechRequests()[0].ResponseFormat)
	}
	if len(c.pcm) < 8000 || len(c.pcm) > 8200 {
		t.Errorf("%d samples, want about 8000", len(c.pcm))
	}
	if _, corr := mediatest.BestLag(mediatest.ToneSamples(300, 16000, 0.5, 8000), c.pcm, 160); corr < 0.99 {
		t.Errorf("correlation %.4f", corr)
	}
}

func TestSynthesizeProsody(t *testing.T) {
	f := newFakeAPI(t)
	f.onSpeech = toneAnswer(0.5)
	s := newSynth(t, f.config())
	var loud, quiet collect
	if err := s.Synthesize(t.Context(), speech.SynthRequest{Doc: textDoc("a"), Rate: 16000}, loud.emit); err != nil {
		t.Fatal(err)
	}
	doc := &ssml.Document{Items: []ssml.Item{{Kind: ssml.Text, Text: "a", Prosody: ssml.Prosody{Rate: 10, Pitch: 1, Range: 1, Volume: 0.5}}}}
	if err := s.Synthesize(t.Context(), speech.SynthRequest{Doc: doc, Rate: 16000}, quiet.emit); err != nil {
		t.Fatal(err)
	}
	if r := rms(quiet.pcm) / rms(loud.pcm); math.Abs(r-0.5) > 0.01 {
		t.Errorf("volume 0.5 gave %.3f of the level", r)
	}
	reqs := f.speechRequests()
	if *reqs[0].Speed != 1 || *reqs[1].Speed != 4 || reqs[0].Voice != "alloy" {
		t.Errorf("speeds %v, %v (voice %s); want 1 and 4 (clamped), alloy", *reqs[0].Speed, *reqs[1].Speed, reqs[0].Voice)
	}
}

func TestSynthesizeRetry(t *testing.T) {
	f := newFakeAPI(t)
	tone := toneAnswer(0.1)
	f.onSpeech = func(w http.ResponseWriter, r *http.Request, n int, b speechBody) {
		switch n {
		case 0:
			apiError(w, http.StatusTooManyRequests, "slow down")
		case 1:
			http.Error(w, "oops", http.StatusBadGateway)
		case 2:
			time.Sleep(300 * time.Millisecond) // past the attempt timeout
			tone(w, r, n, b)
		default:
			tone(w, r, n, b)
		}
	}
	cfg := f.config()
	cfg.Timeout = 100 * time.Millisecond
	s := newSynth(t, cfg)
	var c collect
	if err := s.Synthesize(t.Context(), speech.SynthRequest{Doc: textDoc("a"), Rate: 8000}, c.emit); err != nil {
		t.Fatal(err)
	}
	if n := len(f.speechRequests()); n != 4 {
		t.Errorf("%d requests, want 4 (429, 502, timeout, success)", n)
	}
	if len(c.pcm) < 800 {
		t.Errorf("%d samples", len(c.pcm))
	}
}

func TestSynthesizeErrors(t *testing.T) {
	errEmit := errors.New("caller hung up")
	tests := []struct {
		name     string
		answer   func(http.ResponseWriter, *http.Request, int, speechBody)
		req      speech.SynthRequest
		emit     func(speech.Chunk) error
		want     error
		requests int
	}{
		{"bad request not retried", func(w http.ResponseWriter, _ *http.Request, _ int, _ speechBody) {
			apiError(w, http.StatusBadRequest, "bad voice")
		}, speech.SynthRequest{Doc: textDoc("a"), Rate: 8000}, nil, speech.ErrEngine, 1},
		{"server errors, retries exhausted", func(w http.ResponseWriter, _ *http.Request, _ int, _ speechBody) {
			apiError(w, http.StatusServiceUnavailable, "down")
		}, speech.SynthRequest{Doc: textDoc("a"), Rate: 8000}, nil, speech.ErrEngine, 3},
		{"unknown voice", toneAnswer(0.1), speech.SynthRequest{Doc: textDoc("a"), Voice: speech.Voice{Name: "kal"}, Rate: 8000}, nil, speech.ErrNoVoice, 0},
		{"bad rate", toneAnswer(0.1), speech.SynthRequest{Doc: textDoc("a"), Rate: 12345}, nil, speech.ErrEngine, 0},
		{"emit error as is", toneAnswer(0.1), speech.SynthRequest{Doc: textDoc("a"), Rate: 8000},
			func(speech.Chunk) error { return errEmit }, errEmit, 1},
		{"emit error on a mark", toneAnswer(0.1), speech.SynthRequest{Doc: &ssml.Document{Items: []ssml.Item{{Kind: ssml.Mark, Name: "m"}}}, Rate: 8000},
			func(speech.Chunk) error { return errEmit }, errEmit, 0},
		{"cut off after audio, not retried", func(w http.ResponseWriter, _ *http.Request, _ int, _ speechBody) {
			w.Header().Set("Content-Length", "96000")
			_, _ = w.Write(make([]byte, 9600))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, speech.SynthRequest{Doc: textDoc("a"), Rate: 8000}, nil, speech.ErrEngine, 1},
		{"nil document", toneAnswer(0.1), speech.SynthRequest{Rate: 8000}, nil, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.onSpeech = tc.answer
			cfg := f.config()
			cfg.Retries = 2
			s := newSynth(t, cfg)
			emit := tc.emit
			if emit == nil {
				emit = func(speech.Chunk) error { return nil }
			}
			err := s.Synthesize(t.Context(), tc.req, emit)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Synthesize: %v, want %v", err, tc.want)
			}
			if errors.Is(tc.want, errEmit) && err != errEmit {
				t.Errorf("emit's error came back as %v, not as is", err)
			}
			if n := len(f.speechRequests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			t.Log(err)
		})
	}
}

func TestSynthesizeCancel(t *testing.T) {
	f := newFakeAPI(t)
	started := make(chan struct{})
	f.onSpeech = func(w http.ResponseWriter, r *http.Request, _ int, _ speechBody) {
		close(started)
		<-r.Context().Done()
	}
	s := newSynth(t, f.config())
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	err := s.Synthesize(ctx, speech.SynthRequest{Doc: textDoc("a"), Rate: 8000}, func(speech.Chunk) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Synthesize: %v, want context.Canceled", err)
	}
}

func TestVoices(t *testing.T) {
	s := newSynth(t, Config{Voices: []string{"alloy", "nova", "custom"}, Language: "en-GB", Name: "cloud"})
	want := []speech.Voice{
		{Name: "alloy", Engine: "cloud", Language: "en-GB", Gender: "neutral"},
		{Name: "nova", Engine: "cloud", Language: "en-GB", Gender: "female"},
		{Name: "custom", Engine: "cloud", Language: "en-GB", Gender: "neutral"},
	}
	if got := s.Voices(); !slices.Equal(got, want) || s.Name() != "cloud" {
		t.Errorf("Voices = %+v, Name %q", got, s.Name())
	}
	s.Voices()[0].Name = "changed"
	if s.Voices()[0].Name != "alloy" {
		t.Error("Voices returned the internal slice")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{SpeechFormat: "mp3"},
		{TranscriptFormat: "srt"},
		{Confidence: 2},
		{Timeout: -time.Second},
		{Voices: []string{""}},
	} {
		if _, err := NewSynthesizer(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("NewSynthesizer(%+v) = %v, want ErrConfig", cfg, err)
		}
		if _, err := NewRecognizer(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("NewRecognizer(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

func TestAppendSaySplitsLongText(t *testing.T) {
	word := "abcdefghi "
	long := ""
	for range 1000 {
		long += word
	}
	steps := appendSay(nil, step{kind: stepSay, text: long[:len(long)-1], voice: "alloy", speed: 1, gain: 1})
	total := 0
	for _, st := range steps {
		if len(st.text) > MaxInput || st.text[0] == ' ' || st.text[len(st.text)-1] == ' ' {
			t.Fatalf("piece of %d bytes %q...", len(st.text), st.text[:20])
		}
		total += len(strings.Fields(st.text))
	}
	if len(steps) != 3 || total != 1000 {
		t.Errorf("%d pieces, %d words; want 3, 1000", len(steps), total)
	}
}
