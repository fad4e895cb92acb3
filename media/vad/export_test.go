package vad

// ReferenceDetector is a Detector whose band powers come from refSpectrum,
// the first (radix-2) analysis, for tests and benchmarks that compare the
// decisions and costs of the two.
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

// Process is Detector.Process with the reference analysis.
func (r *ReferenceDetector) Process(pcm []int16) Event {
	if len(pcm) != r.frameSize {
		r.rejected++
		return None
	}
	return r.decide(r.ref.analyze(pcm, &r.band))
}
