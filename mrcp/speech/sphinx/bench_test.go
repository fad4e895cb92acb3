package sphinx

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp/speech"
)

// BenchmarkDecoderCreate makes and frees decoders of both kinds.
func BenchmarkDecoderCreate(b *testing.B) {
	e := newTestEngine(b, Config{})
	for _, kind := range []decoderKind{lite, full} {
		b.Run(kind.String(), func(b *testing.B) {
			for b.Loop() {
				d, err := newDecoder(kind, e.args[kind])
				if err != nil {
					b.Fatal(err)
				}
				d.free()
			}
		})
	}
}

// BenchmarkBuildARPA builds the trigram model of 200 phrases.
func BenchmarkBuildARPA(b *testing.B) {
	sentences := sentencesOf(manyPhrases(200)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := buildARPA(sentences); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPhrasePlan prepares 200 phrases from scratch (normalize,
// pronounce from the dictionary, build the model), as on a cache miss.
func BenchmarkPhrasePlan(b *testing.B) {
	e := newTestEngine(b, Config{})
	phrases := manyPhrases(200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.phrasePlan(context.Background(), "bench", phrases); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadPhraseModel loads a 200-phrase model into a lite decoder
// that has its words: the cost of a plan the decoder has not seen.
func BenchmarkLoadPhraseModel(b *testing.B) {
	e := newTestEngine(b, Config{})
	p, err := e.phrasePlan(context.Background(), "bench", manyPhrases(200))
	if err != nil {
		b.Fatal(err)
	}
	d, err := e.acquire(context.Background(), lite)
	if err != nil {
		b.Fatal(err)
	}
	defer e.release(d)
	if err := e.prepare(d, p, nil); err != nil {
		b.Fatal(err)
	}
	d.end()
	for b.Loop() {
		d.unset(p.search)
		if err := e.loadARPA(d, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecognize decodes one utterance per mode and input rate,
// written in 20 ms frames, and reports the real-time factor: processing
// time (Start to End) over the audio's duration.
func BenchmarkRecognize(b *testing.B) {
	e := newTestEngine(b, Config{})
	modes := []struct {
		name string
		req  speech.RecogRequest
		say  string
	}{
		{"grammar", speech.RecogRequest{Grammars: bothGrammars}, "one two three four"},
		{"phrases", speech.RecogRequest{Phrases: bankingPhrases}, "i want to speak to an agent"},
		{"transcribe", speech.RecogRequest{Transcribe: true}, "i want to speak to an agent"},
	}
	for _, m := range modes {
		for _, rate := range []int{16000, 8000} {
			b.Run(fmt.Sprintf("%s/%d", m.name, rate), func(b *testing.B) {
				req := m.req
				req.Rate = rate
				pcm := utterance(b, flite, m.say, rate)
				recognize(b, e, req, pcm) // warm: load the search
				var busy time.Duration
				for b.Loop() {
					start := time.Now()
					recognize(b, e, req, pcm)
					busy += time.Since(start)
				}
				audio := time.Duration(len(pcm)) * time.Second / time.Duration(rate)
				b.ReportMetric(busy.Seconds()/(audio.Seconds()*float64(b.N)), "RTF")
			})
		}
	}
}

// BenchmarkWER measures word error rates on werCorpus (run it with
// -benchtime 1x): the domain model (phrases) and the generic model
// (transcribe), both synthetic voices, both input rates, and the three
// ways of hearing 8 kHz speech with the wideband model.
func BenchmarkWER(b *testing.B) {
	def := newTestEngine(b, Config{})
	configs := []struct {
		name string
		cfg  Config
	}{
		{"default", Config{}},
		{"modelprior", Config{CMNPrior8k: modelPrior(b, def)}},
		{"narrowband", Config{Narrowband: true}},
	}
	for _, c := range configs {
		e := def
		if c.name != "default" {
			e = newTestEngine(b, c.cfg)
		}
		for _, mode := range []string{"phrases", "transcribe"} {
			for _, rate := range []int{16000, 8000} {
				if c.name == "modelprior" && rate == 16000 {
					continue // the same as default
				}
				for _, v := range []voice{flite, espeak} {
					b.Run(fmt.Sprintf("%s/%s/%d/%s", c.name, mode, rate, v), func(b *testing.B) {
						req := speech.RecogRequest{Rate: rate, Phrases: bankingPhrases}
						if mode == "transcribe" {
							req = speech.RecogRequest{Rate: rate, Transcribe: true}
						}
						var wer float64
						for b.Loop() {
							wer = measureWER(b, e, req, v, werCorpus)
						}
						b.ReportMetric(100*wer, "WER%")
					})
				}
			}
		}
	}
}
