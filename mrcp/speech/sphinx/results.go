package sphinx

import (
	"fmt"
	"math"

	"github.com/parley-cc/parley/mrcp/speech"
)

// Confidence of a grammar result: the logistic of the acoustic
// log-likelihood ratio per frame between the grammar's path and a free
// phone loop, 0.5 at grammarLLRCenter nats per frame. Measured on
// synthesized speech (docs/BENCHMARKS.md), correct in-grammar results lie
// between -1.1 and +1.4.
const (
	grammarLLRCenter = -1.5
	grammarLLRSlope  = 2.0
)

// finish ends d's utterance and turns its results into hypotheses, best
// first; none when nothing was recognized.
func (e *Engine) finish(d *decoder, p *plan, nbest int) ([]speech.Hypothesis, error) {
	if err := d.end(); err != nil {
		d.broken = true
		return nil, fmt.Errorf("%w: %w", speech.ErrEngine, err)
	}
	best := d.hyp()
	index, ok := p.grammarIndex(best)
	if best == "" || !ok {
		return nil, nil
	}
	if p.kind == planGrammars {
		conf, err := grammarConfidence(d)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", speech.ErrEngine, err)
		}
		return []speech.Hypothesis{{Text: best, Confidence: conf, Grammar: index}}, nil
	}
	conf := meanPosterior(d)
	hyps := []speech.Hypothesis{{Text: best, Confidence: conf, Grammar: -1}}
	if nbest < 2 {
		return hyps, nil
	}
	list := d.nbest(nbest+1, 10*nbest)
	if len(list) == 0 {
		return hyps, nil
	}
	// Alternatives: the best's confidence scaled by their path score
	// against the A* best, at the acoustic scale of the lattice
	// posteriors.
	ascale := d.ascale()
	for _, alt := range list {
		if len(hyps) == nbest {
			break
		}
		if alt.text == best {
			continue
		}
		hyps = append(hyps, speech.Hypothesis{
			Text:       alt.text,
			Confidence: conf * math.Min(1, math.Exp((alt.score-list[0].score)/ascale)),
			Grammar:    -1,
		})
	}
	return hyps, nil
}

// meanPosterior is the confidence of a language model result: the mean
// posterior probability of its words in the word lattice, or the
// sentence's posterior when it has no word segments.
func meanPosterior(d *decoder) float64 {
	post := d.wordPosteriors()
	if len(post) == 0 {
		return clamp01(d.posterior())
	}
	sum := 0.0
	for _, x := range post {
		sum += x
	}
	return clamp01(sum / float64(len(post)))
}

// grammarConfidence scores a grammar result against the phone loop; the
// lattice posteriors of PocketSphinx's FSG search are always 1.
func grammarConfidence(d *decoder) (float64, error) {
	frames := d.frames()
	if frames <= 0 {
		return 0, nil
	}
	path := d.acoustic()
	loop, err := d.phoneLoopScore()
	if err != nil {
		return 0, err
	}
	llr := (path - loop) / float64(frames)
	return clamp01(1 / (1 + math.Exp(-grammarLLRSlope*(llr-grammarLLRCenter)))), nil
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return math.Max(0, math.Min(1, x))
}
