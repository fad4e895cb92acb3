package sphinx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
)

var bothGrammars = []speech.Grammar{testGrammar(yesNoJSGF), testGrammar(digitsJSGF)}

// TestGrammars recognizes in-grammar and out-of-grammar utterances with
// two grammars at once. At 16 kHz every in-grammar utterance must be
// right; at 8 kHz (speech the wideband model hears less well) two may be
// wrong or no-matches. One out-of-grammar utterance may be taken for a
// grammar sentence at each rate (the garbage model's trade-off).
func TestGrammars(t *testing.T) {
	e := newTestEngine(t, Config{})
	cases := []struct {
		say     string
		grammar int // -1: out of the grammars, a no-match
	}{
		{"yes", 0},
		{"no thanks", 0},
		{"not really", 0},
		{"that's right", 0},
		{"one two three four", 1},
		{"five six seven", 1},
		{"nine eight", 1},
		{"what is my balance", -1},
		{"the weather is nice today", -1},
		{"order a pizza", -1},
		{"good morning", -1},
		{"i want to speak to an agent", -1},
	}
	for _, rate := range []int{16000, 8000} {
		wrong, accepted := 0, 0
		for _, tc := range cases {
			hyps := recognize(t, e, speech.RecogRequest{Language: "en-US", Rate: rate, Grammars: bothGrammars, NBest: 3},
				utterance(t, flite, tc.say, rate))
			switch {
			case len(hyps) > 1:
				t.Errorf("%d Hz %q: %d hypotheses from grammars, want at most one", rate, tc.say, len(hyps))
			case tc.grammar < 0 && len(hyps) > 0:
				t.Logf("%d Hz: out-of-grammar %q recognized as %+v", rate, tc.say, hyps[0])
				accepted++
			case tc.grammar < 0:
			case len(hyps) == 0 || hyps[0].Text != tc.say || hyps[0].Grammar != tc.grammar:
				t.Logf("%d Hz: %q recognized as %+v", rate, tc.say, hyps)
				wrong++
			case hyps[0].Confidence <= 0.5 || hyps[0].Confidence > 1:
				t.Errorf("%d Hz %q: confidence %v of a correct result", rate, tc.say, hyps[0].Confidence)
			}
		}
		if maxWrong := 32000/rate - 2; wrong > maxWrong || accepted > 1 {
			t.Errorf("%d Hz: %d in-grammar utterances wrong, %d out-of-grammar ones accepted", rate, wrong, accepted)
		}
	}
}

func TestGrammarIndexSeveralMatch(t *testing.T) {
	e := newTestEngine(t, Config{})
	hyps := recognize(t, e, speech.RecogRequest{Rate: 16000, Grammars: []speech.Grammar{
		testGrammar(yesNoJSGF),
		testGrammar("grammar answers; public <a> = yes | maybe;"),
	}}, utterance(t, flite, "yes", 16000))
	if len(hyps) != 1 || hyps[0].Text != "yes" || hyps[0].Grammar != -1 {
		t.Fatalf("got %+v, want yes from both grammars (-1)", hyps)
	}
}

func TestPhrases(t *testing.T) {
	e := newTestEngine(t, Config{})
	req := speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases}
	for _, say := range []string{"i lost my card", "what is my balance", "i want to speak to an agent", "transfer money to my savings account"} {
		t.Run(say, func(t *testing.T) {
			hyps := recognize(t, e, req, utterance(t, flite, say, 16000))
			if len(hyps) != 1 || hyps[0].Text != say || hyps[0].Grammar != -1 {
				t.Fatalf("got %+v, want %q", hyps, say)
			}
			if c := hyps[0].Confidence; c < 0.5 || c > 1 {
				t.Fatalf("confidence %v", c)
			}
		})
	}
	// The engine built the model once for all four.
	if n := len(e.plans.entries); n != 1 {
		t.Fatalf("%d plans cached, want 1", n)
	}
}

// TestPhrasesWER bounds the word error rate of the domain model on
// synthesized callers: flite's voice is clear, espeak-ng's robotic one
// much less so.
func TestPhrasesWER(t *testing.T) {
	e := newTestEngine(t, Config{})
	for _, tc := range []struct {
		v   voice
		max float64
	}{{flite, 0.05}, {espeak, 0.50}} {
		w := measureWER(t, e, speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases}, tc.v, werCorpus)
		t.Logf("%s 16 kHz: WER %.1f%%", tc.v, 100*w)
		if w > tc.max {
			t.Errorf("%s: WER %.1f%%, want at most %.0f%%", tc.v, 100*w, 100*tc.max)
		}
	}
}

func measureWER(t testing.TB, e *Engine, req speech.RecogRequest, v voice, corpus []string) float64 {
	errs, n := 0, 0
	for _, u := range corpus {
		hyps := recognize(t, e, req, utterance(t, v, u, req.Rate))
		h := ""
		if len(hyps) > 0 {
			h = hyps[0].Text
		}
		errs += wordErrors(u, h)
		n += len(strings.Fields(u))
	}
	return float64(errs) / float64(n)
}

func TestPhrasesOOVWords(t *testing.T) {
	e := newTestEngine(t, Config{})
	phrases := append([]string{"send money with venmo", "pay with venmo", "my venmo account"}, bankingPhrases...)
	hyps := recognize(t, e, speech.RecogRequest{Rate: 16000, Phrases: phrases}, utterance(t, flite, "send money with venmo", 16000))
	if len(hyps) != 1 || hyps[0].Text != "send money with venmo" {
		t.Fatalf("got %+v", hyps)
	}
	if n := e.Stats().OOVWords; n != 1 {
		t.Fatalf("%d words missing from the dictionary, want 1 (venmo)", n)
	}
}

func TestTranscribe(t *testing.T) {
	e := newTestEngine(t, Config{})
	for _, say := range []string{"the weather is nice today", "i want to speak to an agent"} {
		hyps := recognize(t, e, speech.RecogRequest{Rate: 16000, Transcribe: true, NBest: 3}, utterance(t, flite, say, 16000))
		if len(hyps) == 0 {
			t.Fatalf("%q: no result", say)
		}
		if errs := wordErrors(say, hyps[0].Text); errs > 1 {
			t.Errorf("%q transcribed as %q (%d errors)", say, hyps[0].Text, errs)
		}
		for i, h := range hyps {
			if h.Grammar != -1 || h.Confidence < 0 || h.Confidence > hyps[0].Confidence || i > 0 && h.Text == hyps[0].Text {
				t.Errorf("alternative %d: %+v", i, h)
			}
		}
		if len(hyps) < 2 {
			t.Errorf("%q: %d alternatives for NBest 3", say, len(hyps))
		}
	}
}

func TestPartial(t *testing.T) {
	e := newTestEngine(t, Config{})
	ctx := context.Background()
	s, err := e.Start(ctx, speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pcm := utterance(t, flite, "i want to speak to an agent", 16000)
	var partials []string
	for i := 0; i < len(pcm); i += 320 {
		if err := s.Write(pcm[i:min(i+320, len(pcm))]); err != nil {
			t.Fatal(err)
		}
		if h, ok := s.Partial(); ok && (len(partials) == 0 || partials[len(partials)-1] != h.Text) {
			partials = append(partials, h.Text)
		}
	}
	hyps, err := s.End(ctx)
	if err != nil || len(hyps) != 1 {
		t.Fatalf("End: %v, %v", hyps, err)
	}
	if len(partials) < 3 {
		t.Fatalf("partials %q: want the hypothesis to grow during the utterance", partials)
	}
	if _, ok := s.Partial(); ok {
		t.Fatal("Partial after End")
	}
}

func TestNoSpeech(t *testing.T) {
	e := newTestEngine(t, Config{})
	silence := make([]int16, 16000)
	for _, req := range []speech.RecogRequest{
		{Rate: 16000, Grammars: bothGrammars},
		{Rate: 16000, Phrases: bankingPhrases},
	} {
		if hyps := recognize(t, e, req, silence); len(hyps) != 0 {
			t.Errorf("silence recognized as %+v", hyps)
		}
	}
}

func TestConcurrentStreams(t *testing.T) {
	e := newTestEngine(t, Config{MaxDecoders: 3})
	type job struct {
		req  speech.RecogRequest
		say  string
		want string
	}
	jobs := []job{
		{speech.RecogRequest{Rate: 16000, Grammars: bothGrammars}, "yes please", "yes please"},
		{speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases}, "what is my balance", "what is my balance"},
		{speech.RecogRequest{Rate: 8000, Grammars: bothGrammars}, "one two three four", "one two three four"},
		{speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases}, "i lost my card", "i lost my card"},
		{speech.RecogRequest{Rate: 16000, Grammars: bothGrammars}, "no thanks", "no thanks"},
		{speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases}, "reset my password", "reset my password"},
	}
	for _, j := range jobs { // synthesize first: the streams should overlap
		utterance(t, flite, j.say, j.req.Rate)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(jobs))
	for round := range 2 {
		for i, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hyps := recognize(t, e, j.req, utterance(t, flite, j.say, j.req.Rate))
				if len(hyps) == 0 || hyps[0].Text != j.want {
					errs <- fmt.Errorf("round %d job %d: got %+v, want %q", round, i, hyps, j.want)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := e.Stats(); st.Decoders > 3 || st.Idle != st.Decoders {
		t.Fatalf("stats %+v: want at most 3 decoders, all idle", st)
	}
}

func TestStartWaitsForDecoder(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := newTestEngine(t, Config{MaxDecoders: 1})
	req := speech.RecogRequest{Rate: 16000, Grammars: bothGrammars}
	first, err := e.Start(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := e.Start(ctx, req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Start with the only decoder busy: %v, want DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("Start returned %v after its deadline", waited)
	}
	// A waiting Start gets the decoder once the first stream closes.
	got := make(chan error, 1)
	go func() {
		s, err := e.Start(context.Background(), req)
		if err == nil {
			s.Close()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	first.Close()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Start did not get the released decoder")
	}
}

func TestCanceledWhileMakingDecoder(t *testing.T) {
	e := newTestEngine(t, Config{MaxDecoders: 2})
	// The first transcription makes a full decoder, which takes a tenth
	// of a second: cancel as soon as it is under way. Start returns and
	// the decoder, once made, joins the pool.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for e.Stats().Decoders < 2 {
			time.Sleep(100 * time.Microsecond)
		}
		cancel()
	}()
	if _, err := e.Start(ctx, speech.RecogRequest{Rate: 16000, Transcribe: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want Canceled", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st := e.Stats(); st.Idle != 2 || st.Created != 2; st = e.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v: the abandoned decoder never joined the pool", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	hyps := recognize(t, e, speech.RecogRequest{Rate: 16000, Transcribe: true}, utterance(t, flite, "hello", 16000))
	if len(hyps) == 0 || hyps[0].Text != "hello" {
		t.Fatalf("got %+v", hyps)
	}
	if st := e.Stats(); st.Created != 2 {
		t.Fatalf("stats %+v: the transcription made another decoder", st)
	}
}

func TestEndCanceled(t *testing.T) {
	e := newTestEngine(t, Config{MaxDecoders: 1})
	req := speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases}
	s, err := e.Start(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(utterance(t, flite, "what is my balance", 16000)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.End(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("End: %v, want Canceled", err)
	}
	// The decoder comes back to the pool once finished.
	if hyps := recognize(t, e, req, utterance(t, flite, "i lost my card", 16000)); len(hyps) == 0 || hyps[0].Text != "i lost my card" {
		t.Fatalf("next utterance: %+v", hyps)
	}
}

func TestStreamLifecycle(t *testing.T) {
	e := newTestEngine(t, Config{MaxDecoders: 1})
	ctx := context.Background()
	req := speech.RecogRequest{Rate: 16000, Grammars: bothGrammars}
	s, err := e.Start(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.End(ctx); err != nil {
		t.Fatalf("End with no audio: %v", err)
	}
	if err := s.Write(make([]int16, 320)); !errors.Is(err, ErrStreamDone) {
		t.Fatalf("Write after End: %v", err)
	}
	if _, err := s.End(ctx); !errors.Is(err, ErrStreamDone) {
		t.Fatalf("End after End: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = e.Start(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	if _, err := s.End(ctx); !errors.Is(err, ErrStreamDone) {
		t.Fatalf("End after Close: %v", err)
	}

	short := newTestEngine(t, Config{MaxUtterance: 100 * time.Millisecond})
	s, err = short.Start(ctx, speech.RecogRequest{Rate: 8000, Grammars: bothGrammars})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(make([]int16, 1600)); !errors.Is(err, ErrTooLong) {
		t.Fatalf("Write past MaxUtterance: %v", err)
	}
}

func TestCloseEngine(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	mediatest.RequireTools(t, "flite", "sox")
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	open, err := e.Start(ctx, speech.RecogRequest{Rate: 16000, Phrases: bankingPhrases})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := e.Start(ctx, speech.RecogRequest{Rate: 16000}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Start after Close: %v", err)
	}
	// An open stream still works, and frees its decoder at the end.
	if err := open.Write(utterance(t, flite, "i lost my card", 16000)); err != nil {
		t.Fatal(err)
	}
	hyps, err := open.End(ctx)
	if err != nil || len(hyps) != 1 || hyps[0].Text != "i lost my card" {
		t.Fatalf("End after engine Close: %+v, %v", hyps, err)
	}
	if st := e.Stats(); st.Decoders != 0 || st.Created != st.Freed {
		t.Fatalf("stats after Close: %+v", st)
	}
}

func TestRequestErrors(t *testing.T) {
	e := newTestEngine(t, Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		req  speech.RecogRequest
		want error
	}{
		{"language", speech.RecogRequest{Language: "fr-FR", Rate: 16000}, speech.ErrLanguage},
		{"rate", speech.RecogRequest{Rate: 44100}, speech.ErrEngine},
		{"bad JSGF", speech.RecogRequest{Rate: 16000, Grammars: []speech.Grammar{testGrammar("grammar g; public <a> = ( yes ;")}}, speech.ErrGrammar},
		{"one bad JSGF of two", speech.RecogRequest{Rate: 16000, Grammars: []speech.Grammar{testGrammar(yesNoJSGF), testGrammar("public <a> = x;")}}, speech.ErrGrammar},
		{"grammar that cannot render", speech.RecogRequest{Rate: 16000, Grammars: []speech.Grammar{failingGrammar{}}}, speech.ErrGrammar},
		{"nil grammar", speech.RecogRequest{Rate: 16000, Grammars: []speech.Grammar{nil}}, speech.ErrGrammar},
		{"empty phrases", speech.RecogRequest{Rate: 16000, Phrases: []string{"", "?!"}}, speech.ErrGrammar},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := e.Start(ctx, tc.req)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A bad grammar is remembered, a good one still works.
	if st := e.Stats(); st.Idle != st.Decoders {
		t.Fatalf("a failed Start kept a decoder: %+v", st)
	}
	if langs := e.Languages(); len(langs) != 1 || langs[0] != "en-US" || e.Name() != "pocketsphinx" {
		t.Fatalf("Name %q, Languages %v", e.Name(), langs)
	}
	for _, lang := range []string{"", "en", "en-us", "EN_US"} {
		s, err := e.Start(ctx, speech.RecogRequest{Language: lang, Rate: 8000, Grammars: bothGrammars})
		if err != nil {
			t.Fatalf("language %q: %v", lang, err)
		}
		s.Close()
	}
}

type failingGrammar struct{}

func (failingGrammar) JSGF() (string, error) { return "", errors.New("no JSGF for you") }
func (failingGrammar) Words() []string       { return nil }

func TestNewMissingModel(t *testing.T) {
	dir := t.TempDir()
	for _, cfg := range []Config{
		{ModelDir: dir},
		{Dict: filepath.Join(dir, "none.dict")},
		{LM: filepath.Join(dir, "none.lm.bin")},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrModel) {
			t.Errorf("New(%+v): %v, want ErrModel", cfg, err)
		}
	}
	bad := filepath.Join(dir, "bad.dict")
	if err := os.WriteFile(bad, []byte("word\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Dict: bad}); !errors.Is(err, ErrModel) {
		t.Errorf("dictionary without pronunciations: %v, want ErrModel", err)
	}
}

// TestDecoderKindsShareSlots runs grammars and transcription on a pool of
// one: each switch frees the idle decoder of the other kind.
func TestDecoderKindsShareSlots(t *testing.T) {
	e := newTestEngine(t, Config{MaxDecoders: 1})
	yes := utterance(t, flite, "yes", 16000)
	for _, req := range []speech.RecogRequest{
		{Rate: 16000, Grammars: bothGrammars},
		{Rate: 16000, Transcribe: true},
		{Rate: 16000, Grammars: bothGrammars},
	} {
		if hyps := recognize(t, e, req, yes); len(hyps) == 0 || hyps[0].Text != "yes" {
			t.Fatalf("%+v: got %+v", req, hyps)
		}
	}
	if st := e.Stats(); st.Decoders != 1 || st.Created != 3 || st.Freed != 2 {
		t.Fatalf("stats %+v: want 3 decoders made one after the other", st)
	}
}
