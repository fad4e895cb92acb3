package g722

import "fmt"

// Encoder encodes 16 kHz linear PCM as G.722 at 64 kbit/s (mode 1). It
// holds the QMF delay line and both sub-band coders of one stream.
type Encoder struct {
	qmf  qmf
	low  band
	high band
}

// NewEncoder returns an Encoder in the G.722 reset state.
func NewEncoder() *Encoder {
	e := new(Encoder)
	e.Reset()
	return e
}

// Reset returns the encoder to the G.722 reset state, as at the start of a
// stream.
func (e *Encoder) Reset() {
	e.qmf = qmf{}
	e.low.reset(detlInit)
	e.high.reset(dethInit)
}

// Encode encodes pcm, an even number of 16 kHz samples, into len(pcm)/2
// octets of payload and returns that count. It fails with ErrOddLength or
// ErrShortBuffer, writing nothing and leaving the state untouched.
func (e *Encoder) Encode(pcm []int16, payload []byte) (int, error) {
	n := len(pcm) / 2
	if len(pcm)%2 != 0 {
		return 0, fmt.Errorf("%w: encode %d samples", ErrOddLength, len(pcm))
	}
	if len(payload) < n {
		return 0, fmt.Errorf("%w: encode %d samples into %d bytes, need %d", ErrShortBuffer, len(pcm), len(payload), n)
	}
	payload = payload[:n]
	for i := range payload {
		xl, xh := e.qmf.analyze(pcm[2*i], pcm[2*i+1])
		il := e.low.quantizeLow(xl)
		ih := e.high.quantizeHigh(xh)
		e.low.updateLow(il >> 2)
		e.high.updateHigh(ih)
		payload[i] = ih<<6 | il
	}
	return n, nil
}

// String returns "G722".
func (e *Encoder) String() string { return "G722" }
