package intent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"time"
)

// OutOfScope is the label of utterances that belong to no intent: in training data it
// marks negative examples, in a Prediction it says the classifier declined.
const OutOfScope = "oos"

// Sentinel errors of Train and Classify.
var (
	ErrNoExamples    = errors.New("intent: no training examples")
	ErrTooFewLabels  = errors.New("intent: need at least two labels")
	ErrEmptyLabel    = errors.New("intent: example without a label")
	ErrEmbedMismatch = errors.New("intent: embedder returned the wrong number of vectors")
)

// Example is one labelled utterance.
type Example struct {
	Text  string `json:"text"`
	Label string `json:"label"`
}

// Embedder turns texts into dense vectors, one per text. It is satisfied by an
// OpenAI-compatible embeddings client.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedderFunc adapts a function to Embedder.
type EmbedderFunc func(ctx context.Context, texts []string) ([][]float32, error)

// Embed calls f.
func (f EmbedderFunc) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return f(ctx, texts)
}

// Config tunes training. The zero value means defaults.
type Config struct {
	// Epochs of stochastic gradient descent; default 12.
	Epochs int
	// LearningRate is the initial SGD step; default 0.8.
	LearningRate float64
	// Folds for the cross-validation that fits temperature and threshold; default 3.
	// Fewer than 2 examples per fold disables calibration (temperature 1).
	Folds int
	// RejectRate is, when the training data has no "oos" examples, the share of
	// correctly classified held-out in-scope examples the threshold may reject;
	// default 0.03.
	RejectRate float64
	// Threshold, if positive, overrides the fitted out-of-scope threshold.
	Threshold float64
	// Embedder, if set, adds dense vectors to the features.
	Embedder Embedder
	// Seed makes training deterministic; default 1.
	Seed uint64
	// Log defaults to slog.Default().
	Log *slog.Logger
}

func (c *Config) defaults() {
	if c.Epochs <= 0 {
		c.Epochs = 12
	}
	if c.LearningRate <= 0 {
		c.LearningRate = 0.8
	}
	if c.Folds == 0 {
		c.Folds = 3
	}
	if c.RejectRate <= 0 {
		c.RejectRate = 0.03
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Scored is a label with its calibrated probability.
type Scored struct {
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
}

// Prediction is the classifier's answer for one utterance.
type Prediction struct {
	// Label is the chosen intent, or OutOfScope.
	Label string `json:"label"`
	// Confidence is the calibrated probability of the best in-scope intent.
	Confidence float64 `json:"confidence"`
	// OutOfScope reports that no intent was confident enough (or "oos" won).
	OutOfScope bool `json:"out_of_scope"`
	// Ranked lists the best labels, most probable first (at most 5).
	Ranked []Scored `json:"ranked"`
}

// Classifier is a trained intent model. It is safe for concurrent use.
type Classifier struct {
	vec         *vectorizer
	model       *model
	labels      []string
	oosIndex    int // index of OutOfScope in labels, or -1
	temperature float64
	threshold   float64
	embedder    Embedder
	trainTime   time.Duration
}

// Labels returns the labels the classifier knows, in a fixed order.
func (c *Classifier) Labels() []string { return append([]string(nil), c.labels...) }

// Temperature returns the fitted calibration temperature.
func (c *Classifier) Temperature() float64 { return c.temperature }

// Threshold returns the out-of-scope threshold on calibrated confidence.
func (c *Classifier) Threshold() float64 { return c.threshold }

// TrainTime returns how long Train took.
func (c *Classifier) TrainTime() time.Duration { return c.trainTime }

// Train fits a classifier to examples. Examples labelled OutOfScope become a class of
// their own. It fails on no examples, an empty label or fewer than two labels.
func Train(ctx context.Context, examples []Example, cfg Config) (*Classifier, error) {
	start := time.Now()
	cfg.defaults()
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	labels, y, err := labelIndex(examples)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(examples))
	for i, ex := range examples {
		texts[i] = ex.Text
	}
	vec := fitVectorizer(texts)
	xs := make([]sparse, len(texts))
	for i, t := range texts {
		xs[i] = vec.transform(t)
	}
	var dense [][]float32
	if cfg.Embedder != nil {
		if dense, err = embedAll(ctx, cfg.Embedder, texts); err != nil {
			return nil, fmt.Errorf("train intents: %w", err)
		}
		for i := range xs {
			xs[i] = xs[i].withDense(dense[i], vec.size)
		}
	}
	dim := vec.size
	if len(dense) > 0 {
		dim += len(dense[0])
	}
	c := &Classifier{vec: vec, labels: labels, oosIndex: -1, temperature: 1, embedder: cfg.Embedder}
	for i, l := range labels {
		if l == OutOfScope {
			c.oosIndex = i
		}
	}
	if err := c.calibrate(ctx, cfg, xs, y, dim); err != nil {
		return nil, err
	}
	c.model = trainModel(ctx, xs, y, len(labels), dim, cfg, cfg.Seed)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("train intents: %w", err)
	}
	if cfg.Threshold > 0 {
		c.threshold = cfg.Threshold
	}
	c.trainTime = time.Since(start)
	cfg.Log.Debug("intent classifier trained", "examples", len(examples), "labels", len(labels),
		"features", dim, "temperature", c.temperature, "threshold", c.threshold, "took", c.trainTime)
	return c, nil
}

func labelIndex(examples []Example) ([]string, []int, error) {
	idx := map[string]int{}
	var labels []string
	for _, ex := range examples {
		if ex.Label == "" {
			return nil, nil, fmt.Errorf("%w: %q", ErrEmptyLabel, ex.Text)
		}
		if _, ok := idx[ex.Label]; !ok {
			idx[ex.Label] = 0
			labels = append(labels, ex.Label)
		}
	}
	if len(labels) < 2 {
		return nil, nil, fmt.Errorf("%w: have %d", ErrTooFewLabels, len(labels))
	}
	sort.Strings(labels)
	for i, l := range labels {
		idx[l] = i
	}
	y := make([]int, len(examples))
	for i, ex := range examples {
		y[i] = idx[ex.Label]
	}
	return labels, y, nil
}

func embedAll(ctx context.Context, e Embedder, texts []string) ([][]float32, error) {
	vs, err := e.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("embed %d texts: %w", len(texts), err)
	}
	if len(vs) != len(texts) {
		return nil, fmt.Errorf("%w: %d for %d texts", ErrEmbedMismatch, len(vs), len(texts))
	}
	for i := range vs {
		if len(vs[i]) != len(vs[0]) {
			return nil, fmt.Errorf("%w: vector %d has %d dimensions, want %d", ErrEmbedMismatch, i, len(vs[i]), len(vs[0]))
		}
	}
	return vs, nil
}

// Classify returns the prediction for one utterance. It blocks only when an Embedder
// is configured; an empty utterance is out of scope.
func (c *Classifier) Classify(ctx context.Context, utterance string) (Prediction, error) {
	x := c.vec.transform(utterance)
	if c.embedder != nil {
		vs, err := embedAll(ctx, c.embedder, []string{utterance})
		if err != nil {
			return Prediction{}, fmt.Errorf("classify: %w", err)
		}
		if want := len(c.model.w)/len(c.labels) - c.vec.size; len(vs[0]) != want {
			return Prediction{}, fmt.Errorf("classify: %w: %d dimensions, trained with %d", ErrEmbedMismatch, len(vs[0]), want)
		}
		x = x.withDense(vs[0], c.vec.size)
	}
	p := c.model.probs(x, c.temperature)
	return c.decide(p, len(x.idx) == 0), nil
}

func (c *Classifier) decide(p []float64, empty bool) Prediction {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return p[order[a]] > p[order[b]] })
	pr := Prediction{}
	for _, k := range order[:min(5, len(order))] {
		pr.Ranked = append(pr.Ranked, Scored{Label: c.labels[k], Confidence: p[k]})
	}
	best := order[0]
	if best == c.oosIndex {
		pr.Label, pr.OutOfScope, pr.Confidence = OutOfScope, true, p[best]
		return pr
	}
	pr.Label, pr.Confidence = c.labels[best], p[best]
	if empty || p[best] < c.threshold {
		pr.Label, pr.OutOfScope = OutOfScope, true
	}
	return pr
}

// calibrate fits temperature and threshold on k-fold held-out predictions.
func (c *Classifier) calibrate(ctx context.Context, cfg Config, xs []sparse, y []int, dim int) error {
	folds := cfg.Folds
	if folds < 2 || len(xs) < 2*folds {
		c.threshold = 0
		return nil
	}
	K := len(c.labels)
	logits := make([][]float64, len(xs))
	// Stratify: spread each label's examples across folds.
	fold := make([]int, len(xs))
	seen := make([]int, K)
	for i, yi := range y {
		fold[i] = seen[yi] % folds
		seen[yi]++
	}
	for f := range folds {
		var trX []sparse
		var trY []int
		for i := range xs {
			if fold[i] != f {
				trX, trY = append(trX, xs[i]), append(trY, y[i])
			}
		}
		m := trainModel(ctx, trX, trY, K, dim, cfg, cfg.Seed+uint64(f)+1)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("calibrate intents: %w", err)
		}
		for i := range xs {
			if fold[i] == f {
				logits[i] = m.logits(xs[i])
			}
		}
	}
	c.temperature = fitTemperature(logits, y)
	c.threshold = c.fitThreshold(logits, y, cfg.RejectRate)
	return nil
}

// fitTemperature minimises the held-out negative log-likelihood over T by golden
// section search on log T.
func fitTemperature(logits [][]float64, y []int) float64 {
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		s := 0.0
		for i, z := range logits {
			p := softmax(z, t)
			s -= math.Log(max(p[y[i]], 1e-12))
		}
		return s
	}
	a, b := math.Log(0.02), math.Log(20.0)
	g := (math.Sqrt(5) - 1) / 2
	x1, x2 := b-g*(b-a), a+g*(b-a)
	f1, f2 := nll(x1), nll(x2)
	for range 40 {
		if f1 < f2 {
			b, x2, f2 = x2, x1, f1
			x1 = b - g*(b-a)
			f1 = nll(x1)
		} else {
			a, x1, f1 = x1, x2, f2
			x2 = a + g*(b-a)
			f2 = nll(x2)
		}
	}
	return math.Exp((a + b) / 2)
}

// fitThreshold picks the out-of-scope threshold from held-out predictions. With "oos"
// examples it maximises the mean of in-scope accuracy and out-of-scope recall; without,
// it rejects at most rejectRate of the correctly classified in-scope examples.
func (c *Classifier) fitThreshold(logits [][]float64, y []int, rejectRate float64) float64 {
	type held struct {
		conf    float64
		best    int
		correct bool
		oos     bool
	}
	hs := make([]held, len(logits))
	var correctConf []float64
	for i, z := range logits {
		p := softmax(z, c.temperature)
		best := argmax(p)
		hs[i] = held{conf: p[best], best: best, correct: best == y[i], oos: y[i] == c.oosIndex}
		if hs[i].correct && !hs[i].oos {
			correctConf = append(correctConf, p[best])
		}
	}
	if c.oosIndex < 0 {
		if len(correctConf) == 0 {
			return 0
		}
		sort.Float64s(correctConf)
		return correctConf[int(rejectRate*float64(len(correctConf)))]
	}
	bestT, bestScore := 0.0, -1.0
	for step := 0; step <= 100; step++ {
		t := float64(step) / 100
		var inOK, inN, oosOK, oosN float64
		for _, h := range hs {
			predOOS := h.best == c.oosIndex || h.conf < t
			if h.oos {
				oosN++
				if predOOS {
					oosOK++
				}
				continue
			}
			inN++
			if !predOOS && h.correct {
				inOK++
			}
		}
		score := inOK / max(inN, 1)
		if oosN > 0 {
			score = (score + oosOK/oosN) / 2
		}
		if score > bestScore {
			bestT, bestScore = t, score
		}
	}
	return bestT
}

func softmax(z []float64, t float64) []float64 {
	p := make([]float64, len(z))
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v/t)
	}
	s := 0.0
	for i, v := range z {
		p[i] = math.Exp(v/t - m)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

func argmax(p []float64) int {
	b := 0
	for i := range p {
		if p[i] > p[b] {
			b = i
		}
	}
	return b
}
