package server_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/client"
	"github.com/parley-cc/parley/mrcp/nlsml"
	"github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/corpus"
)

// TestAccuracyThroughMRCP measures recognition of the speech corpus (the
// caller phrases of testdata/speech/phrases.tsv spoken by espeak-ng and
// flite voices) two ways, for each codec: PocketSphinx run directly on
// the codec-decoded audio, and the whole path — RTP in with that codec,
// MRCP RECOGNIZE against the domain phrase list, PocketSphinx in the
// speech server, NLSML out. It is a measurement (make bench), not a
// pass/fail test: it reports sentence accuracy and WER both ways and
// fails only if the path is far worse than the engine.
func TestAccuracyThroughMRCP(t *testing.T) {
	if os.Getenv("PARLEY_ACCURACY") == "" {
		t.Skip("measurement, run by make bench: set PARLEY_ACCURACY=1")
	}
	phrasesFile, err := corpus.PhrasesFile()
	if err != nil {
		t.Fatal(err)
	}
	phrases, err := corpus.Load(phrasesFile)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := corpus.DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	utts, err := corpus.Build(ctx, cache, phrases, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := os.Getenv("PARLEY_ACCURACY_LIMIT"); n != "" {
		var lim int
		fmt.Sscan(n, &lim)
		if lim > 0 && lim < len(utts) {
			utts = utts[:lim]
		}
	}
	var domain []string
	for _, p := range phrases {
		domain = append(domain, p.Text)
	}
	srv := startServer(t, server.Config{RTPPortMin: 40000, RTPPortMax: 41000})
	eng := realEngines(t)

	t.Logf("corpus: %d utterances of %d phrases", len(utts), len(phrases))
	formats := corpus.Formats()
	if v := os.Getenv("PARLEY_ACCURACY_FORMATS"); v != "" {
		formats = nil
		for _, f := range strings.Split(v, ",") {
			formats = append(formats, corpus.Format(f))
		}
	}
	for _, f := range formats {
		direct := recognizeDirect(t, eng.asr, utts, f, domain)
		path := recognizeThroughMRCP(t, srv, utts, f, domain)
		ratio := 0.0
		if direct.SentenceAccuracy() > 0 {
			ratio = path.SentenceAccuracy() / direct.SentenceAccuracy()
		}
		t.Logf("%-8s direct: %s | through MRCP: %s | sentence accuracy ratio %.3f", f, direct, path, ratio)
		if path.SentenceAccuracy() < direct.SentenceAccuracy()*0.8 {
			t.Errorf("%s: the MRCP path (%s) is much worse than the engine on the same audio (%s)", f, path, direct)
		}
	}
}

// serverRate is the rate the speech server decodes a codec to.
func serverRate(f corpus.Format) int {
	if f == corpus.FormatPCMU {
		return 8000
	}
	return 16000
}

// scoreAll recognizes every utterance on workers goroutines, each set up
// by open (which returns the per-worker recognize function and its clean
// up), and scores the hypotheses.
func scoreAll(t *testing.T, label string, utts []corpus.Utterance, workers int, open func() (func(corpus.Utterance) string, func())) corpus.Score {
	t.Helper()
	var mu sync.Mutex
	var score corpus.Score
	work := make(chan corpus.Utterance)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recognize, done := open()
			defer done()
			for u := range work {
				hyp := ""
				if recognize != nil {
					hyp = recognize(u)
				}
				if os.Getenv("PARLEY_ACCURACY_VERBOSE") != "" {
					t.Logf("%s %s: %q -> %q", label, u.ID, u.Text, hyp)
				}
				mu.Lock()
				score.Add(u.Text, hyp)
				mu.Unlock()
			}
		}()
	}
	for _, u := range utts {
		work <- u
	}
	close(work)
	wg.Wait()
	return score
}

func recognizeDirect(t *testing.T, asr speech.Recognizer, utts []corpus.Utterance, f corpus.Format, domain []string) corpus.Score {
	t.Helper()
	return scoreAll(t, string(f)+" direct", utts, 4, func() (func(corpus.Utterance) string, func()) {
		return func(u corpus.Utterance) string {
			pcm, rate, err := corpus.Encode(u, f)
			if err != nil {
				t.Error(err)
				return ""
			}
			if want := serverRate(f); rate != want {
				rs, err := resample.New(rate, want)
				if err != nil {
					t.Error(err)
					return ""
				}
				out := make([]int16, rs.OutLen(len(pcm)))
				pcm = out[:rs.Process(pcm, out)]
				rate = want
			}
			return runEngine(t, asr, pcm, rate, domain)
		}, func() {}
	})
}

func runEngine(t *testing.T, asr speech.Recognizer, pcm []int16, rate int, domain []string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := asr.Start(ctx, speech.RecogRequest{Language: "en-US", Rate: rate, Phrases: domain, NBest: 1})
	if err != nil {
		t.Error(err)
		return ""
	}
	defer st.Close()
	frame := rate / 50
	for i := 0; i < len(pcm); i += frame {
		if err := st.Write(pcm[i:min(i+frame, len(pcm))]); err != nil {
			t.Error(err)
			return ""
		}
	}
	hyps, err := st.End(ctx)
	if err != nil || len(hyps) == 0 {
		return ""
	}
	return hyps[0].Text
}

func recognizeThroughMRCP(t *testing.T, srv *server.Server, utts []corpus.Utterance, f corpus.Format, domain []string) corpus.Score {
	t.Helper()
	codec, err := f.Codec()
	if err != nil {
		t.Fatal(err)
	}
	codecs := []media.Codec{codec}
	if te, err := media.NewCodec(101, media.NameTelephoneEvent, codec.ClockRate, 0); err == nil {
		codecs = append(codecs, te)
	}
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}, Codecs: codecs, RTPPortMin: 42000, RTPPortMax: 43000, RequestTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	return scoreAll(t, string(f)+" mrcp", utts, 8, func() (func(corpus.Utterance) string, func()) {
		ctx := context.Background()
		sess, err := cli.Open(ctx, client.SessionOptions{Resources: []mrcp.Resource{mrcp.ResourceSpeechRecog}, Rate: 16000, Direction: "sendonly"})
		if err != nil {
			t.Error(err)
			return nil, func() {}
		}
		recog := sess.Channel(mrcp.ResourceSpeechRecog)
		def := recog.NewRequest(mrcp.MethodDefineGrammar)
		def.Header.Set("Content-Id", "domain")
		def.SetBody("application/x-parley-phrases", []byte(strings.Join(domain, "\n")))
		if res, err := recog.Do(ctx, def); err != nil || !res.Status.Success() {
			t.Errorf("DEFINE-GRAMMAR: %v %v", res, err)
		}
		return func(u corpus.Utterance) string { return recognizeOne(t, sess, recog, u) },
			func() { _ = sess.Close(ctx) }
	})
}

func recognizeOne(t *testing.T, sess *client.Session, recog *client.Channel, u corpus.Utterance) string {
	ctx := context.Background()
	_, pcm, err := wav.ReadFile(u.WAV)
	if err != nil {
		t.Error(err)
		return ""
	}
	rec := recog.NewRequest(mrcp.MethodRecognize)
	rec.Header.Set("No-Input-Timeout", "5000")
	rec.Header.Set("Recognition-Timeout", "20000")
	rec.Header.Set("Speech-Complete-Timeout", "600")
	rec.Header.Set("Speech-Incomplete-Timeout", "1200")
	rec.SetBody("text/uri-list", []byte("session:domain"))
	res, err := recog.Do(ctx, rec)
	if err != nil || res.State != mrcp.StateInProgress {
		t.Errorf("RECOGNIZE: %v %v", res, err)
		return ""
	}
	lead := make([]int16, 16000/4) // a quarter second of silence first
	sess.Leg().Transmitter().Play(pcmSource(append(lead, pcm...)), nil)
	deadline := time.After(40 * time.Second)
	for {
		select {
		case ev, ok := <-recog.Events():
			if !ok {
				t.Error("channel ended")
				return ""
			}
			if ev.Event != mrcp.EventRecognitionComplete {
				continue
			}
			sess.Leg().Transmitter().Stop()
			r, err := nlsml.Parse(ev.Body)
			if err != nil || len(r.Interpretations) == 0 {
				return ""
			}
			return r.Interpretations[0].Input.Text
		case <-deadline:
			t.Errorf("%s: no RECOGNITION-COMPLETE", u.ID)
			return ""
		}
	}
}
