package sphinx

import (
	"fmt"
	"testing"

	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/corpus"
)

// BenchmarkCorpus recognizes the module's test corpus (mrcp/speech/corpus:
// the sample scripts' phrases, spoken by 24 espeak-ng and flite settings)
// over 16 kHz L16 and over G.711 mu-law at 8 kHz, with the domain model
// built from all the corpus phrases and with the generic model, and
// reports word error rate and sentence accuracy. Run it with -benchtime
// 1x.
func BenchmarkCorpus(b *testing.B) {
	path, err := corpus.PhrasesFile()
	if err != nil {
		b.Fatal(err)
	}
	phrases, err := corpus.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	dir, err := corpus.DefaultCacheDir()
	if err != nil {
		b.Fatal(err)
	}
	us, err := corpus.Build(b.Context(), dir, phrases, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	for _, p := range phrases {
		texts = append(texts, p.Text)
	}
	e := newTestEngine(b, Config{})
	for _, f := range []corpus.Format{corpus.FormatL16, corpus.FormatPCMU} {
		audio := make([][]int16, len(us))
		var rate int
		for i, u := range us {
			if audio[i], rate, err = corpus.Encode(u, f); err != nil {
				b.Fatal(err)
			}
		}
		for _, mode := range []string{"phrases", "transcribe"} {
			b.Run(fmt.Sprintf("%s/%s", f, mode), func(b *testing.B) {
				req := speech.RecogRequest{Rate: rate, Phrases: texts}
				if mode == "transcribe" {
					req = speech.RecogRequest{Rate: rate, Transcribe: true}
				}
				var sc corpus.Score
				for b.Loop() {
					sc = corpus.Score{}
					for i, u := range us {
						hyps := recognize(b, e, req, audio[i])
						h := ""
						if len(hyps) > 0 {
							h = hyps[0].Text
						}
						sc.Add(u.Text, h)
					}
				}
				b.ReportMetric(100*sc.WER(), "WER%")
				b.ReportMetric(100*sc.SentenceAccuracy(), "SA%")
			})
		}
	}
}
