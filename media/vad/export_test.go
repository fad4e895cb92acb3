package vad

import "math"

// ReferenceDetector is a Detector that measures its frames as the first
// version did: band powers from refSpectrum (the radix-2 analysis),
// decibels from math.Log10 and the noise update of refUpdate. Tests and
// benchmarks use it to compare the decisions and the cost of the two.
type ReferenceDetector struct {
	*Detector
	ref *refSpectrum
}

// NewReference returns a ReferenceDetector for cfg.
func NewReference(cfg Config) (*ReferenceDetector, error) {
	d, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &ReferenceDetector{d, newRefSpectrum(d.frameSize, d.cfg.SampleRate)}, nil
}

// Process is Detector.Process with the reference measurements.
func (r *ReferenceDetector) Process(pcm []int16) Event {
	if len(pcm) != r.frameSize {
		r.rejected++
		return None
	}
	level := r.ref.analyze(pcm, &r.band)
	r.levelDB = 10 * math.Log10(max(level, minPower))
	r.snrDB = refSNR(&r.noise, &r.band)
	contrast := r.noise.contrast()
	refUpdate(&r.noise, &r.band)
	return r.advance(contrast)
}

// refSNR is noiseTracker.snr as first written, with math.Log10.
func refSNR(t *noiseTracker, band *[numBands]float64) float64 {
	if t.seen == 0 {
		return 0
	}
	var sum float64
	for b, p := range band {
		x := 10 * math.Log10(p/t.noise[b])
		t.bandSNR[b] = x
		sum += max(0, x)
	}
	return sum / numBands
}
