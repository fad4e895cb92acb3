package sentiment

// TrendConfig tunes a Trend; the zero value means defaults.
type TrendConfig struct {
	// Alpha is the EWMA weight of the newest score; default 0.4.
	Alpha float64
	// Negative is the EWMA level under which the caller counts as negative; default -0.3.
	Negative float64
	// Sustain is how many consecutive utterances the EWMA must stay under Negative
	// for SustainedNegative; default 3.
	Sustain int
}

// Trend follows the sentiment of one call.
type Trend struct {
	cfg    TrendConfig
	scores []float64
	ewma   float64
	run    int
}

// NewTrend returns an empty trend.
func NewTrend(cfg TrendConfig) *Trend {
	if cfg.Alpha <= 0 || cfg.Alpha > 1 {
		cfg.Alpha = 0.4
	}
	if cfg.Negative == 0 {
		cfg.Negative = -0.3
	}
	if cfg.Sustain <= 0 {
		cfg.Sustain = 3
	}
	return &Trend{cfg: cfg}
}

// Add records the score of the next utterance.
func (t *Trend) Add(score float64) {
	score = max(-1, min(1, score))
	if len(t.scores) == 0 {
		t.ewma = score
	} else {
		t.ewma = t.cfg.Alpha*score + (1-t.cfg.Alpha)*t.ewma
	}
	t.scores = append(t.scores, score)
	if t.ewma < t.cfg.Negative {
		t.run++
	} else {
		t.run = 0
	}
}

// EWMA returns the smoothed sentiment (0 before any score).
func (t *Trend) EWMA() float64 { return t.ewma }

// Slope returns the least-squares slope of the scores per utterance (negative: the
// caller is getting angrier).
func (t *Trend) Slope() float64 {
	n := float64(len(t.scores))
	if n < 2 {
		return 0
	}
	var sx, sy, sxy, sxx float64
	for i, y := range t.scores {
		x := float64(i)
		sx, sy, sxy, sxx = sx+x, sy+y, sxy+x*y, sxx+x*x
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// SustainedNegative reports whether the EWMA has stayed negative for the configured
// number of consecutive utterances.
func (t *Trend) SustainedNegative() bool { return t.run >= t.cfg.Sustain }

// Scores returns a copy of the scores so far.
func (t *Trend) Scores() []float64 { return append([]float64(nil), t.scores...) }
