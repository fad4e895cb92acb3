package g722

import "fmt"

// lowInvQuant holds, for each mode, block 5L INVQBL's output by 6-bit
// code: QM6 in mode 1, QM5 of the top 5 bits in mode 2 and QM4 of the top
// 4 bits in mode 3.
var lowInvQuant = func() (t [3][64]int32) {
	for il := range 64 {
		t[0][il] = qm6[il]
		t[1][il] = qm5[il>>1]
		t[2][il] = qm4[il>>2]
	}
	return t
}()

// Decoder decodes G.722 octets to 16 kHz linear PCM in one of the three
// modes. It holds the QMF delay line and both sub-band decoders of one
// stream.
type Decoder struct {
	qmf  qmf
	low  band
	high band
	mode Mode
	inv  *[64]int32
}

// NewDecoder returns a Decoder for mode in the G.722 reset state. Mode1
// is what RTP payload type 9 carries; Mode2 and Mode3 are for links that
// steal the lowest bits of each octet for data. It fails with ErrMode for
// any other mode.
func NewDecoder(mode Mode) (*Decoder, error) {
	if mode.BitRate() == 0 {
		return nil, fmt.Errorf("%w: %d", ErrMode, uint8(mode))
	}
	d := &Decoder{mode: mode, inv: &lowInvQuant[mode-1]}
	d.Reset()
	return d, nil
}

// Mode returns the decoder's mode.
func (d *Decoder) Mode() Mode { return d.mode }

// Reset returns the decoder to the G.722 reset state, as at the start of
// a stream.
func (d *Decoder) Reset() {
	d.qmf = qmf{}
	d.low.reset(detlInit)
	d.high.reset(dethInit)
}

// Decode decodes every octet of payload into two samples of pcm and
// returns 2*len(payload). Every octet value is valid. It fails with
// ErrShortBuffer, writing nothing and leaving the state untouched, when
// pcm is shorter than 2*len(payload).
func (d *Decoder) Decode(payload []byte, pcm []int16) (int, error) {
	n := 2 * len(payload)
	if len(pcm) < n {
		return 0, fmt.Errorf("%w: decode %d bytes into %d samples, need %d", ErrShortBuffer, len(payload), len(pcm), n)
	}
	pcm = pcm[:n]
	for i, c := range payload {
		il, ih := c&0x3F, c>>6

		// Block 5L INVQBL and RECONS, block 6L LIMIT.
		dl := (d.low.det * d.inv[il]) >> 15
		rl := min(max(sat32(d.low.s+dl), -16384), 16383)
		d.low.updateLow(il >> 2)

		// Block 2H INVQAH and 5H LIMIT.
		sh := d.high.s
		dh := d.high.updateHigh(ih)
		rh := min(max(sat32(sh+dh), -16384), 16383)

		pcm[2*i], pcm[2*i+1] = d.qmf.synthesize(rl, rh)
	}
	return n, nil
}

// String returns "G722".
func (d *Decoder) String() string { return "G722" }
