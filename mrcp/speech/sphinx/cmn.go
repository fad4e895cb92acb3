package sphinx

// Cepstral mean normalization (CMN) subtracts a running mean of the
// cepstra, which removes the channel. PocketSphinx starts each utterance
// from a prior mean and moves it towards the utterance's own slowly
// (over some 5 s): the model's prior, measured on 16 kHz wideband speech,
// is far from the mean of 8 kHz telephone speech, whose band stops at 4
// kHz, so that 8 kHz speech is misrecognized for its first seconds, that
// is, entirely (docs/BENCHMARKS.md: 71% word error rate on the domain
// model against 1%). Utterances of 8 kHz audio start from a prior
// measured on 8 kHz speech instead.
//
// The priors below are the live CMN means after decoding the
// cmnPriorSentences (see cmn_test.go) spoken by flite (slt) and espeak-ng
// (en-us), twice over, at 8 kHz, with the en-us model's front end on the
// audio resampled to 16 kHz (upsampledPrior) and with the narrowband
// front end (narrowbandPrior). TestCMNPriors recomputes them.
var (
	upsampledPrior  = []float32{45.00804, 22.40169, -31.03395, 48.09393, -26.52385, -2.6621456, 10.8174925, -30.107258, 10.037661, -19.368528, 4.032427, 5.907313, -17.473793}
	narrowbandPrior = []float32{52.261345, -1.2066664, 12.823571, -5.3928204, -5.479539, -8.417324, -14.052918, 2.0132508, -4.6616817, 0.21343753, 3.3732345, -6.9893527, 6.685054}
)

// cmnPrior is the cepstral mean an utterance of audio at rate starts from:
// nil for the model's own, which suits 16 kHz input on the wideband front
// end.
func (e *Engine) cmnPrior(rate int) []float32 {
	if rate == 16000 && !e.cfg.Narrowband {
		return nil
	}
	return e.cfg.CMNPrior8k
}
