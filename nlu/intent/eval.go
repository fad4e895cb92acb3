package intent

import (
	"context"
	"fmt"
	"sort"
)

// Confusion counts test examples of one gold label predicted as another.
type Confusion struct {
	Gold      string `json:"gold"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// Report is the result of Evaluate.
type Report struct {
	N int `json:"n"`
	// Accuracy over all test examples, out-of-scope ones included.
	Accuracy float64 `json:"accuracy"`
	// InScopeAccuracy over the examples whose gold label is not OutOfScope.
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
	// MacroF1 is the unweighted mean F1 over all gold and predicted labels.
	MacroF1 float64 `json:"macro_f1"`
	// OOSRecall is the share of OutOfScope examples predicted OutOfScope (0 when none).
	OOSRecall float64 `json:"oos_recall"`
	OOSN      int     `json:"oos_n"`
	// Confusions lists the most frequent errors, worst first.
	Confusions []Confusion `json:"confusions"`
}

// Evaluate classifies every test example and scores the predictions.
func Evaluate(ctx context.Context, c *Classifier, tests []Example) (Report, error) {
	pred := make([]string, len(tests))
	for i, ex := range tests {
		p, err := c.Classify(ctx, ex.Text)
		if err != nil {
			return Report{}, fmt.Errorf("evaluate example %d: %w", i, err)
		}
		pred[i] = p.Label
	}
	return Score(tests, pred), nil
}

// Score computes a Report from gold examples and predicted labels (same length).
func Score(gold []Example, pred []string) Report {
	r := Report{N: len(gold)}
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	conf := map[[2]string]int{}
	var ok, inN, inOK int
	for i, ex := range gold {
		p := pred[i]
		if ex.Label == OutOfScope {
			r.OOSN++
		} else {
			inN++
		}
		if p == ex.Label {
			ok++
			tp[p]++
			if ex.Label != OutOfScope {
				inOK++
			}
			continue
		}
		fp[p]++
		fn[ex.Label]++
		conf[[2]string{ex.Label, p}]++
	}
	if r.N > 0 {
		r.Accuracy = float64(ok) / float64(r.N)
	}
	if inN > 0 {
		r.InScopeAccuracy = float64(inOK) / float64(inN)
	}
	if r.OOSN > 0 {
		r.OOSRecall = float64(tp[OutOfScope]) / float64(r.OOSN)
	}
	labels := map[string]bool{}
	for _, m := range []map[string]int{tp, fp, fn} {
		for l := range m {
			labels[l] = true
		}
	}
	var f1 float64
	for l := range labels {
		if d := 2*tp[l] + fp[l] + fn[l]; d > 0 {
			f1 += 2 * float64(tp[l]) / float64(d)
		}
	}
	if len(labels) > 0 {
		r.MacroF1 = f1 / float64(len(labels))
	}
	for k, n := range conf {
		r.Confusions = append(r.Confusions, Confusion{Gold: k[0], Predicted: k[1], Count: n})
	}
	sort.Slice(r.Confusions, func(a, b int) bool {
		x, y := r.Confusions[a], r.Confusions[b]
		if x.Count != y.Count {
			return x.Count > y.Count
		}
		if x.Gold != y.Gold {
			return x.Gold < y.Gold
		}
		return x.Predicted < y.Predicted
	})
	return r
}
