package sphinx

import (
	"context"
	"math"
	"testing"

	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/mrcp/speech"
)

// cmnPriorSentences are what the 8 kHz priors are measured on; none is in
// werCorpus.
var cmnPriorSentences = []string{
	"good morning how can i help you today",
	"please tell me the reason for your call",
	"i would like to change my address",
	"the train leaves at seven in the evening",
	"could you repeat that please",
	"my daughter is going to school next week",
	"thank you very much for your help",
	"i need to report a problem with my phone",
}

// measurePrior decodes the prior sentences at 8 kHz, through the engine's
// front end, with the phone loop, carrying the live cepstral mean from
// one utterance to the next, and returns the mean at the end.
func measurePrior(t testing.TB, e *Engine) []float32 {
	t.Helper()
	d, err := e.acquire(context.Background(), lite)
	if err != nil {
		t.Fatal(err)
	}
	defer e.release(d)
	if err := d.setFSG(phoneLoopSearch, phoneLoopFSG()); err != nil {
		t.Fatal(err)
	}
	var prior []float32
	for range 2 {
		for _, v := range []voice{flite, espeak} {
			for _, say := range cmnPriorSentences {
				pcm := utterance(t, v, say, 8000)
				if e.rate != 8000 {
					rs, err := resample.New(8000, e.rate)
					if err != nil {
						t.Fatal(err)
					}
					up := make([]int16, rs.OutLen(len(pcm)))
					pcm = up[:rs.Process(pcm, up)]
				}
				if err := d.start(phoneLoopSearch, false, prior); err != nil {
					t.Fatal(err)
				}
				if err := d.process(pcm); err != nil {
					t.Fatal(err)
				}
				if err := d.end(); err != nil {
					t.Fatal(err)
				}
				prior = d.cmnMean()
			}
		}
	}
	return prior
}

func distance(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += float64(a[i]-b[i]) * float64(a[i]-b[i])
	}
	return math.Sqrt(s)
}

// modelPrior is the model's own CMN prior (feat.params -cmninit).
func modelPrior(t testing.TB, e *Engine) []float32 {
	d, err := e.acquire(context.Background(), lite)
	if err != nil {
		t.Fatal(err)
	}
	defer e.release(d)
	out := make([]float32, len(d.cmn))
	for i, x := range d.cmn {
		out[i] = float32(x)
	}
	return out
}

// TestCMNPriors measures the 8 kHz priors again and checks that the ones
// in cmn.go are close to them: much closer than the model's prior is.
func TestCMNPriors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		narrowband bool
		want       []float32
	}{
		{"upsampled", false, upsampledPrior},
		{"narrowband", true, narrowbandPrior},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEngine(t, Config{Narrowband: tc.narrowband})
			got := measurePrior(t, e)
			t.Logf("measured prior: %v", got)
			model := modelPrior(t, e)
			if d, far := distance(got, tc.want), distance(got, model); d > far/4 {
				t.Errorf("prior in cmn.go is %.1f from the measured one (the model's %.1f): update cmn.go to\n%#v", d, far, got)
			}
		})
	}
}

// TestRate8k compares the ways of recognizing 8 kHz speech with the
// wideband model on the domain model: resampling it to 16 kHz with the 8
// kHz CMN prior (the default), the same with the model's prior, and the
// narrowband front end.
func TestRate8k(t *testing.T) {
	corpus := werCorpus[:10]
	def := newTestEngine(t, Config{})
	noPrior := newTestEngine(t, Config{CMNPrior8k: modelPrior(t, def)})
	narrow := newTestEngine(t, Config{Narrowband: true})
	req := speech.RecogRequest{Rate: 8000, Phrases: bankingPhrases}
	wer := map[string]float64{}
	for name, e := range map[string]*Engine{"default": def, "model prior": noPrior, "narrowband": narrow} {
		wer[name] = measureWER(t, e, req, flite, corpus)
		t.Logf("%s: WER %.1f%%", name, 100*wer[name])
	}
	if wer["default"] > 0.10 || wer["default"] >= wer["model prior"] || wer["default"] >= wer["narrowband"] {
		t.Fatalf("8 kHz word error rates %v: the default should be best, and at most 10%%", wer)
	}
}
