package sentiment

import (
	"math"
	"strings"

	"github.com/parley-cc/parley/nlu/text"
)

var lexicon = map[string]float64{
	"good": 1, "great": 1.5, "excellent": 2, "thanks": 1, "thank": 1, "happy": 1.5, "helpful": 1.5,
	"perfect": 2, "brilliant": 2, "love": 1.5, "pleased": 1.5, "wonderful": 2, "resolved": 1, "fine": 0.5,
	"appreciate": 1.5, "amazing": 2, "quick": 0.5, "easy": 1, "nice": 1, "fantastic": 2, "sorted": 1,
	"bad": -1, "terrible": -2, "awful": -2, "horrible": -2, "angry": -2, "annoyed": -1.5, "frustrated": -1.5,
	"frustrating": -1.5, "ridiculous": -2, "useless": -2, "unacceptable": -2, "disgusted": -2.5, "hate": -2,
	"worst": -2.5, "upset": -1.5, "disappointed": -1.5, "wrong": -1, "broken": -1, "problem": -0.5,
	"complaint": -1.5, "complain": -1.5, "rubbish": -2, "joke": -1, "waste": -1.5, "fed": -0.5, "sick": -1,
	"incompetent": -2.5, "scam": -2.5, "stupid": -2, "pathetic": -2, "slow": -1, "overcharged": -1.5,
	"never": -0.5, "again": -0.3, "unhappy": -1.5, "poor": -1, "failed": -1, "lied": -2, "hung": -0.5,
}

// phrases are call-center expressions scored as a whole.
var phrases = map[string]float64{
	"cancel my account": -1.5, "close my account": -1, "cancel my contract": -1.5, "third time calling": -2,
	"third time i've called": -2, "second time calling": -1.5, "still not working": -1.5, "still waiting": -1.5,
	"speak to a manager": -1.5, "speak to your manager": -1.5, "make a complaint": -2, "fed up": -2,
	"had enough": -2, "on hold for": -1, "this is ridiculous": -2.5, "waste of time": -2, "switch provider": -1.5,
	"leave you": -1, "sick of": -2, "no one helped": -2, "nobody helped": -2, "thank you so much": 2,
	"that's great": 1.5, "really helpful": 2, "sorted it": 1.5, "not bad": 0.5,
}

var negations = map[string]bool{"not": true, "no": true, "never": true, "don't": true, "didn't": true, "isn't": true,
	"wasn't": true, "can't": true, "won't": true, "nothing": true, "hardly": true, "doesn't": true, "aren't": true}

var intensifiers = map[string]float64{"very": 1.5, "really": 1.5, "so": 1.4, "extremely": 2, "absolutely": 1.8,
	"totally": 1.6, "completely": 1.6, "incredibly": 1.8, "bit": 0.6, "slightly": 0.6, "quite": 1.2, "utterly": 2}

var contrasts = map[string]bool{"but": true, "however": true, "although": true, "though": true, "yet": true}

// Score returns the sentiment of one utterance in [-1, 1]; 0 means neutral or unknown.
func Score(utterance string) float64 {
	toks := text.Tokens(utterance)
	if len(toks) > 2000 {
		toks = toks[:2000]
	}
	// Contrast: the clause after the last "but" weighs three times the one before.
	weights := make([]float64, len(toks))
	cut := -1
	for i, t := range toks {
		if contrasts[t] && i > 0 {
			cut = i
		}
	}
	for i := range weights {
		weights[i] = 1
		if cut >= 0 {
			if i < cut {
				weights[i] = 0.5
			} else {
				weights[i] = 1.5
			}
		}
	}
	var sum float64
	used := make([]bool, len(toks))
	joined := " " + strings.Join(toks, " ") + " "
	for p, v := range phrases {
		if k := strings.Index(joined, " "+p+" "); k >= 0 {
			i := strings.Count(joined[:k+1], " ") - 1
			n := strings.Count(p, " ") + 1
			if negated(toks, i) && v > 0 {
				v = -v / 2
			}
			sum += v * weights[min(i, len(weights)-1)]
			for j := i; j < i+n && j < len(used); j++ {
				used[j] = true
			}
		}
	}
	for i, t := range toks {
		v, ok := lexicon[t]
		if !ok || used[i] {
			continue
		}
		if i > 0 {
			if m, ok := intensifiers[toks[i-1]]; ok {
				v *= m
			}
		}
		if negated(toks, i) {
			v = -v * 0.6
		}
		sum += v * weights[i]
	}
	if strings.Count(utterance, "!") > 1 && sum < 0 {
		sum *= 1.2
	}
	// Squash to [-1, 1] (VADER-style normalisation).
	return sum / math.Sqrt(sum*sum+4)
}

// negated reports whether a negator stands within the three words before toks[i].
func negated(toks []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if contrasts[toks[j]] {
			return false
		}
		if negations[toks[j]] || strings.HasSuffix(toks[j], "n't") {
			return true
		}
	}
	return false
}
