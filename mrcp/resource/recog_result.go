package resource

import (
	"strings"

	"github.com/parley-cc/parley/mrcp/nlsml"
	"github.com/parley-cc/parley/mrcp/speech"
)

const nlsmlContentType = nlsml.ContentType

// recogOutcome is what a recognition heard: speech hypotheses, DTMF keys
// or nothing. It is kept for GET-RESULT, which may filter it again with
// other thresholds.
type recogOutcome struct {
	job     *recogJob
	noInput bool
	dtmf    bool
	keys    string
	hyps    []speech.Hypothesis
}

// result builds the NLSML result: the hypotheses at or above the
// confidence threshold that match a grammar, best first, at most nbest;
// or a no-match carrying the best text heard. It reports whether
// anything matched.
func (o *recogOutcome) result(threshold float64, nbest int) (*nlsml.Result, bool) {
	switch {
	case o.noInput:
		return nlsml.NoInput(), false
	case o.dtmf:
		return dtmfResult(o.job.gs, o.keys)
	}
	res := &nlsml.Result{}
	for _, h := range o.hyps {
		if len(res.Interpretations) == nbest {
			break
		}
		if h.Confidence < threshold {
			continue
		}
		ref, inst, ok := o.job.gs.matchSpeech(h.Text)
		if !ok {
			continue
		}
		res.Interpretations = append(res.Interpretations, nlsml.Interpretation{
			Grammar:    ref.uri,
			Confidence: clamp01(h.Confidence),
			Input:      nlsml.Input{Mode: "speech", Text: h.Text, Confidence: clamp01(h.Confidence)},
			Instance:   inst,
		})
	}
	if len(res.Interpretations) == 0 {
		nm := nlsml.NoMatch("")
		if len(o.hyps) > 0 {
			nm.Interpretations[0].Input.Text = o.hyps[0].Text
			nm.Interpretations[0].Input.Confidence = clamp01(o.hyps[0].Confidence)
			nm.Interpretations[0].Confidence = clamp01(o.hyps[0].Confidence)
		}
		nm.Interpretations[0].Input.Mode = "speech"
		return nm, false
	}
	res.Grammar = res.Interpretations[0].Grammar
	return res, true
}

func (o *recogOutcome) marshal(threshold float64, nbest int) ([]byte, error) {
	res, _ := o.result(threshold, nbest)
	return marshalResult(res)
}

func marshalResult(res *nlsml.Result) ([]byte, error) { return nlsml.Marshal(res) }

// dtmfResult matches keys against the DTMF grammars, with confidence 1.
func dtmfResult(gs *grammarSet, keys string) (*nlsml.Result, bool) {
	text := spaced(keys)
	ref, m, ok := gs.matchDTMF(keys)
	if !ok {
		nm := nlsml.NoMatch(text)
		nm.Interpretations[0].Input.Mode = "dtmf"
		return nm, false
	}
	return &nlsml.Result{
		Grammar: ref.uri,
		Interpretations: []nlsml.Interpretation{{
			Grammar:    ref.uri,
			Confidence: 1,
			Input:      nlsml.Input{Mode: "dtmf", Text: m.Text, Confidence: 1},
			Instance:   m.Instance,
		}},
	}, true
}

// interpretText matches INTERPRET's text against every grammar of the
// set in order: SRGS voice and DTMF grammars, then a phrase list or
// transcription, which take the text as it is.
func interpretText(gs *grammarSet, text string) (*nlsml.Result, bool) {
	for _, ref := range gs.all {
		if ref.g == nil || ref.g.Transcribe() {
			continue
		}
		if m, ok := ref.g.Match(text); ok {
			return &nlsml.Result{
				Grammar: ref.uri,
				Interpretations: []nlsml.Interpretation{{
					Grammar: ref.uri, Confidence: 1, Instance: m.Instance,
					Input: nlsml.Input{Text: text, Confidence: 1},
				}},
			}, true
		}
	}
	if ref, inst, ok := gs.matchSpeech(text); ok {
		return &nlsml.Result{
			Grammar: ref.uri,
			Interpretations: []nlsml.Interpretation{{
				Grammar: ref.uri, Confidence: 1, Instance: inst,
				Input: nlsml.Input{Text: text, Confidence: 1},
			}},
		}, true
	}
	return nlsml.NoMatch(text), false
}

// spaced writes keys separated by spaces, as NLSML DTMF input usually is.
func spaced(keys string) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(k)
	}
	return b.String()
}

func clamp01(f float64) float64 {
	if !(f >= 0) {
		return 0
	}
	return min(f, 1)
}
