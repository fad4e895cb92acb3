package openai

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
)

// wordList is a grammar given by its vocabulary.
type wordList []string

func (w wordList) JSGF() (string, error) { return "", errors.New("not needed") }
func (w wordList) Words() []string       { return w }

// verbose is a verbose_json answer with two segments.
func verbose(text string) func(http.ResponseWriter, *http.Request, int, transcription) {
	return func(w http.ResponseWriter, _ *http.Request, _ int, _ transcription) {
		writeJSON(w, map[string]any{
			"task": "transcribe", "language": "english", "duration": 3.0, "text": text,
			"segments": []map[string]any{
				{"id": 0, "start": 0.0, "end": 1.0, "text": text, "avg_logprob": -0.2, "no_speech_prob": 0.01},
				{"id": 1, "start": 1.0, "end": 3.0, "text": "", "avg_logprob": -0.5, "no_speech_prob": 0.02},
			},
		})
	}
}

func newRecog(t *testing.T, cfg Config) *Recognizer {
	t.Helper()
	r, err := NewRecognizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// recognize writes pcm in 20 ms frames and ends the stream.
func recognize(t *testing.T, r *Recognizer, req speech.RecogRequest, pcm []int16) ([]speech.Hypothesis, error) {
	t.Helper()
	st, err := r.Start(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	frame := req.Rate / 50
	for i := 0; i < len(pcm); i += frame {
		if err := st.Write(pcm[i:min(i+frame, len(pcm))]); err != nil {
			t.Fatal(err)
		}
		if _, ok := st.Partial(); ok {
			t.Fatal("Partial reported a hypothesis")
		}
	}
	return st.End(t.Context())
}

func TestRecognize(t *testing.T) {
	f := newFakeAPI(t)
	f.onTranscribe = verbose(" Check my balance, please.")
	r := newRecog(t, f.config())
	for _, rate := range []int{8000, 16000} {
		pcm := mediatest.ToneSamples(300, rate, 0.3, rate*3/2+7)
		req := speech.RecogRequest{Language: "en-GB", Rate: rate, NBest: 3,
			Grammars: []speech.Grammar{wordList{"yes", "no"}, wordList{"check", "my", "balance", "please"}},
			Phrases:  []string{"i have lost my card", "what are your opening hours"}}
		hyps, err := recognize(t, r, req, pcm)
		if err != nil {
			t.Fatal(err)
		}
		want := speech.Hypothesis{Text: "check my balance please", Confidence: math.Exp((-0.2*1 - 0.5*2) / 3), Grammar: 1}
		if len(hyps) != 1 || hyps[0].Text != want.Text || hyps[0].Grammar != want.Grammar || math.Abs(hyps[0].Confidence-want.Confidence) > 1e-9 {
			t.Errorf("hypotheses %+v, want [%+v]", hyps, want)
		}
		trs := f.transcriptions()
		tr := trs[len(trs)-1]
		if tr.Model != "whisper-1" || tr.Language != "en" || tr.ResponseFormat != "verbose_json" {
			t.Errorf("request model %q language %q format %q", tr.Model, tr.Language, tr.ResponseFormat)
		}
		if wantPrompt := "yes, no, check, my, balance, please. i have lost my card. what are your opening hours"; tr.Prompt != wantPrompt {
			t.Errorf("prompt %q, want %q", tr.Prompt, wantPrompt)
		}
		if tr.WAVErr != nil || tr.Format.SampleRate != rate || tr.Format.Channels != 1 || tr.Format.BitsPerSample != 16 {
			t.Fatalf("uploaded file: %s, %v", tr.Format, tr.WAVErr)
		}
		if !strings.HasSuffix(tr.Filename, ".wav") || !isMultipartAudio(tr.ContentType) {
			t.Errorf("file part %q, %q", tr.Filename, tr.ContentType)
		}
		if !slices.Equal(tr.PCM, pcm) {
			t.Errorf("uploaded %d samples, not the %d written", len(tr.PCM), len(pcm))
		}
	}
	if f.auth[0] != "Bearer test-key" {
		t.Errorf("Authorization %q", f.auth[0])
	}
}

func TestRecognizeResults(t *testing.T) {
	plain := func(text string) func(http.ResponseWriter, *http.Request, int, transcription) {
		return func(w http.ResponseWriter, _ *http.Request, _ int, _ transcription) {
			writeJSON(w, map[string]any{"text": text})
		}
	}
	yesNo := []speech.Grammar{wordList{"Yes", "no", "yes please"}}
	tests := []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request, int, transcription)
		format string
		req    speech.RecogRequest
		want   []speech.Hypothesis
	}{
		{"json: constant confidence", plain("Hello there."), TranscriptJSON, speech.RecogRequest{Transcribe: true},
			[]speech.Hypothesis{{Text: "hello there", Confidence: 0.8, Grammar: -1}}},
		{"verbose without segments", plain("Hello"), TranscriptVerbose, speech.RecogRequest{Transcribe: true},
			[]speech.Hypothesis{{Text: "hello", Confidence: 0.8, Grammar: -1}}},
		{"grammar matched, case-insensitive", plain("YES please!"), TranscriptJSON, speech.RecogRequest{Grammars: yesNo},
			[]speech.Hypothesis{{Text: "yes please", Confidence: 0.8, Grammar: 0}}},
		{"out of grammar: no match", plain("maybe"), TranscriptJSON, speech.RecogRequest{Grammars: yesNo}, nil},
		{"out of grammar with phrases", plain("maybe"), TranscriptJSON, speech.RecogRequest{Grammars: yesNo, Phrases: []string{"yes"}},
			[]speech.Hypothesis{{Text: "maybe", Confidence: 0.8, Grammar: -1}}},
		{"empty transcript", plain(" ... "), TranscriptJSON, speech.RecogRequest{Transcribe: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.onTranscribe = tc.answer
			cfg := f.config()
			cfg.TranscriptFormat = tc.format
			r := newRecog(t, cfg)
			tc.req.Rate = 8000
			hyps, err := recognize(t, r, tc.req, make([]int16, 800))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(hyps, tc.want) {
				t.Errorf("hypotheses %+v, want %+v", hyps, tc.want)
			}
			if got := f.transcriptions()[0].ResponseFormat; got != tc.format {
				t.Errorf("response_format %q, want %q", got, tc.format)
			}
		})
	}
}

func TestRecognizeRetry(t *testing.T) {
	f := newFakeAPI(t)
	ok := verbose("yes")
	f.onTranscribe = func(w http.ResponseWriter, r *http.Request, n int, tr transcription) {
		if n < 2 {
			apiError(w, []int{http.StatusTooManyRequests, http.StatusInternalServerError}[n], "busy")
			return
		}
		ok(w, r, n, tr)
	}
	r := newRecog(t, f.config())
	hyps, err := recognize(t, r, speech.RecogRequest{Rate: 16000, Transcribe: true}, make([]int16, 1600))
	if err != nil || len(hyps) != 1 || hyps[0].Text != "yes" {
		t.Fatalf("End = %+v, %v", hyps, err)
	}
	trs := f.transcriptions()
	if len(trs) != 3 || !slices.Equal(trs[0].PCM, trs[2].PCM) {
		t.Errorf("%d requests, want 3 with the same audio", len(trs))
	}
}

func TestRecognizeErrors(t *testing.T) {
	f := newFakeAPI(t)
	f.onTranscribe = func(w http.ResponseWriter, _ *http.Request, _ int, _ transcription) {
		apiError(w, http.StatusBadRequest, "invalid file")
	}
	cfg := f.config()
	cfg.MaxUtterance = time.Second
	r := newRecog(t, cfg)
	ctx := t.Context()

	if _, err := r.Start(ctx, speech.RecogRequest{Language: "fr-FR", Rate: 8000}); !errors.Is(err, speech.ErrLanguage) {
		t.Errorf("Start(fr-FR) = %v, want ErrLanguage", err)
	}
	if _, err := r.Start(ctx, speech.RecogRequest{Rate: 0}); !errors.Is(err, speech.ErrEngine) {
		t.Errorf("Start(rate 0) = %v, want ErrEngine", err)
	}

	st, err := r.Start(ctx, speech.RecogRequest{Language: "en-US", Rate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(make([]int16, 8001)); !errors.Is(err, speech.ErrEngine) {
		t.Errorf("Write past MaxUtterance = %v, want ErrEngine", err)
	}
	if err := st.Write(make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.End(ctx); !errors.Is(err, speech.ErrEngine) {
		t.Errorf("End with HTTP 400 = %v, want ErrEngine", err)
	}
	if n := len(f.transcriptions()); n != 1 {
		t.Errorf("%d requests for a 400, want 1", n)
	}
	if err := st.Write(make([]int16, 10)); !errors.Is(err, ErrStreamDone) {
		t.Errorf("Write after End = %v, want ErrStreamDone", err)
	}
	if _, err := st.End(ctx); !errors.Is(err, ErrStreamDone) {
		t.Errorf("second End = %v, want ErrStreamDone", err)
	}
	if err := st.Close(); err != nil {
		t.Error(err)
	}
	if err := st.Close(); err != nil {
		t.Error(err)
	}

	// No audio: no request, no match.
	st, _ = r.Start(ctx, speech.RecogRequest{Rate: 8000})
	if hyps, err := st.End(ctx); err != nil || hyps != nil {
		t.Errorf("End of silence = %v, %v", hyps, err)
	}
	if n := len(f.transcriptions()); n != 1 {
		t.Errorf("an empty utterance was sent")
	}
}

func TestRecognizeCancel(t *testing.T) {
	f := newFakeAPI(t)
	started := make(chan struct{})
	f.onTranscribe = func(_ http.ResponseWriter, r *http.Request, _ int, _ transcription) {
		close(started)
		<-r.Context().Done()
	}
	r := newRecog(t, f.config())
	st, _ := r.Start(t.Context(), speech.RecogRequest{Rate: 8000})
	_ = st.Write(make([]int16, 800))
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	if _, err := st.End(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("End = %v, want context.Canceled", err)
	}
}

func TestRecognizerLanguages(t *testing.T) {
	r := newRecog(t, Config{Languages: []string{"en-US", "de-DE"}})
	if got := r.Languages(); !slices.Equal(got, []string{"en-US", "de-DE"}) || r.Name() != "openai" {
		t.Errorf("Languages %v, Name %q", got, r.Name())
	}
	if _, err := r.Start(t.Context(), speech.RecogRequest{Language: "de-AT", Rate: 8000}); err != nil {
		t.Errorf("de-AT: %v", err)
	}
}

func TestBuildPrompt(t *testing.T) {
	long := make([]string, 200)
	for i := range long {
		long[i] = "phrase number " + strconv.Itoa(i)
	}
	tests := []struct {
		name string
		req  speech.RecogRequest
		want string
	}{
		{"none", speech.RecogRequest{}, ""},
		{"phrases only", speech.RecogRequest{Phrases: []string{" check  my balance ", "check my balance", "yes"}}, "check my balance. yes"},
		{"words deduplicated", speech.RecogRequest{Grammars: []speech.Grammar{wordList{"yes", "no"}, wordList{"no", "maybe"}}}, "yes, no, maybe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := buildPrompt(tc.req); got != tc.want {
				t.Errorf("prompt %q, want %q", got, tc.want)
			}
		})
	}
	if p := buildPrompt(speech.RecogRequest{Phrases: long}); len(p) > MaxPrompt || len(p) < MaxPrompt-30 || strings.HasSuffix(p, ". ") {
		t.Errorf("capped prompt of %d bytes: %q", len(p), p[max(0, len(p)-40):])
	}
}

// TestNoLeaks checks that no goroutine or connection outlives the calls.
func TestNoLeaks(t *testing.T) {
	f := newFakeAPI(t)
	f.onSpeech = toneAnswer(0.1)
	f.onTranscribe = verbose("yes")
	check := mediatest.CheckGoroutines(t)
	s := newSynth(t, f.config())
	if err := s.Synthesize(t.Context(), speech.SynthRequest{Doc: textDoc("a"), Rate: 8000}, func(speech.Chunk) error { return nil }); err != nil {
		t.Fatal(err)
	}
	r := newRecog(t, f.config())
	if _, err := recognize(t, r, speech.RecogRequest{Rate: 8000, Transcribe: true}, make([]int16, 800)); err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv.Client().CloseIdleConnections()
	check()
}
