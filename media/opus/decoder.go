package opus

import (
	"fmt"

	hraban "gopkg.in/hraban/opus.v2"
)

// Decoder decodes Opus packets to mono 16-bit PCM with libopus through
// gopkg.in/hraban/opus.v2; stereo packets are downmixed. It satisfies
// media.Decoder, media.Concealer and media.FECDecoder. A Decoder is not
// safe for concurrent use.
type Decoder struct {
	lib  *hraban.Decoder
	rate int
}

// NewDecoder returns a Decoder producing PCM at sampleRate: 8000, 16000 or
// 48000 Hz. Any Opus packet decodes at any of these rates (RFC 6716
// section 2).
func NewDecoder(sampleRate int) (*Decoder, error) {
	if !validRate(sampleRate) {
		return nil, fmt.Errorf("%w: sample rate %d, want 8000, 16000 or 48000", ErrInvalidConfig, sampleRate)
	}
	lib, err := hraban.NewDecoder(sampleRate, 1)
	if err != nil {
		return nil, fmt.Errorf("%w: create decoder: %w", ErrCodec, err)
	}
	return &Decoder{lib: lib, rate: sampleRate}, nil
}

// Decode decodes payload, one complete Opus packet, into pcm and returns
// the number of samples written: the packet duration, which PacketSamples
// also gives without decoding. pcm must hold the whole packet;
// MaxPacketSamples(rate) is always enough. A malformed packet returns an
// error wrapping ErrCorruptFrame and leaves the decoder state as it was, so
// the caller can conceal the frame and go on. Decode does not allocate,
// even on error.
func (d *Decoder) Decode(payload []byte, pcm []int16) (int, error) {
	// Validate the framing here rather than in libopus: the same rules,
	// but the error path stays allocation-free (hraban boxes its codes).
	n, err := PacketSamples(payload, d.rate)
	if err != nil {
		return 0, err
	}
	if len(pcm) < n {
		return 0, errPCMShort
	}
	got, err := d.lib.Decode(payload, pcm[:n:n])
	if err != nil {
		return 0, libError(err)
	}
	return got, nil
}

// Conceal synthesizes n samples standing in for lost audio with libopus
// packet loss concealment (opus_decode with no data) and returns n. n must
// be a positive multiple of 2.5 ms at the decoder rate and at most
// len(pcm); for one lost packet it is that packet's duration.
func (d *Decoder) Conceal(pcm []int16, n int) (int, error) {
	if err := d.checkLost(pcm, n); err != nil {
		return 0, err
	}
	if err := d.lib.DecodePLC(pcm[:n:n]); err != nil {
		return 0, libError(err)
	}
	return n, nil
}

// DecodeFEC recovers the n samples lost just before next from the in-band
// FEC data that next carries (opus_decode with decode_fec=1) and returns n.
// n follows the rules of Conceal. When next has no FEC data (a CELT-only
// packet, or an encoder without FEC), libopus conceals instead, as Conceal
// would. Afterwards next must still be decoded with Decode.
func (d *Decoder) DecodeFEC(next []byte, pcm []int16, n int) (int, error) {
	if _, err := PacketSamples(next, d.rate); err != nil {
		return 0, err
	}
	if err := d.checkLost(pcm, n); err != nil {
		return 0, err
	}
	if err := d.lib.DecodeFEC(next, pcm[:n:n]); err != nil {
		return 0, libError(err)
	}
	return n, nil
}

// checkLost validates the size of a concealed span: libopus requires a
// multiple of 2.5 ms.
func (d *Decoder) checkLost(pcm []int16, n int) error {
	if n <= 0 || n%(d.rate/400) != 0 {
		return errConcealFrame
	}
	if len(pcm) < n {
		return errPCMShort
	}
	return nil
}

// SampleRate returns the PCM rate in Hz.
func (d *Decoder) SampleRate() int { return d.rate }

// String describes the decoder for pipeline traces, e.g. "Opus(48000)".
func (d *Decoder) String() string { return fmt.Sprintf("Opus(%d)", d.rate) }
