package corpus

import (
	"errors"
	"fmt"
	"time"

	"github.com/parley-cc/parley/media"
	"github.com/parley-cc/parley/media/wav"
)

// Format is a codec round trip an utterance can go through.
type Format string

// Formats Encode and RoundTrip know.
const (
	// FormatL16 is 16-bit linear PCM at 16 kHz (RFC 3551 L16/16000).
	FormatL16 Format = "l16-16k"
	// FormatOpus is Opus at 16 kHz, set up as Parley sends it (VoIP mode,
	// in-band FEC, 24 kbit/s).
	FormatOpus Format = "opus"
	// FormatG722 is G.722 at 64 kbit/s, 16 kHz audio.
	FormatG722 Format = "g722"
	// FormatPCMU is G.711 mu-law; the audio is resampled to 8 kHz first.
	FormatPCMU Format = "pcmu-8k"
)

// ErrFormat means a Format that Encode does not know, or audio at a rate
// it cannot convert.
var ErrFormat = errors.New("corpus: unknown format")

// Formats returns every Format, the lossless reference first.
func Formats() []Format { return []Format{FormatL16, FormatOpus, FormatG722, FormatPCMU} }

// ptime is the frame length of the round trip, as on an RTP stream.
const ptime = 20 * time.Millisecond

// Codec returns the RTP payload descriptor of f, with the sample rate of
// the PCM that goes in and comes out.
func (f Format) Codec() (media.Codec, error) {
	var (
		c   media.Codec
		err error
	)
	switch f {
	case FormatL16:
		c, err = media.NewCodec(96, media.NameL16, 16000, 1)
	case FormatOpus:
		c, err = media.NewCodec(111, media.NameOpus, 48000, 2)
		c.SampleRate = 16000
	case FormatG722:
		c = media.G722()
	case FormatPCMU:
		c = media.PCMU()
	default:
		return c, fmt.Errorf("%w: %q", ErrFormat, string(f))
	}
	if err != nil {
		return c, fmt.Errorf("codec for %s: %w", f, err)
	}
	return c, nil
}

// Encode reads u's WAV file and passes it through the codec round trip of
// format (see RoundTrip), returning the decoded audio and its sample rate.
func Encode(u Utterance, format Format) ([]int16, int, error) {
	f, pcm, err := wav.ReadFile(u.WAV)
	if err != nil {
		return nil, 0, fmt.Errorf("encode %s: %w", u.ID, err)
	}
	if f.Channels != 1 {
		pcm = channel0(pcm, f.Channels)
	}
	out, rate, err := RoundTrip(pcm, f.SampleRate, format)
	if err != nil {
		return nil, 0, fmt.Errorf("encode %s: %w", u.ID, err)
	}
	return out, rate, nil
}

// RoundTrip resamples pcm (mono at rate) to the codec's rate, encodes it in
// 20 ms frames with media.NewEncoder, the last one padded with silence,
// and decodes each payload with media.NewDecoder, as a receiver of the RTP
// stream would. It returns the decoded audio, a whole number of frames,
// and its rate: 8000 for FormatPCMU, 16000 otherwise. The output starts
// with the codec's own delay: 104 samples (6.5 ms) for Opus, 22 samples
// (1.4 ms, the QMF filters) for G.722, none for G.711 and L16.
func RoundTrip(pcm []int16, rate int, format Format) ([]int16, int, error) {
	c, err := format.Codec()
	if err != nil {
		return nil, 0, err
	}
	in, err := resampleTo(pcm, rate, c.SampleRate)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s from %d Hz: %w", ErrFormat, format, rate, err)
	}
	enc, err := media.NewEncoder(c)
	if err != nil {
		return nil, 0, fmt.Errorf("round trip %s: %w", format, err)
	}
	dec, err := media.NewDecoder(c)
	if err != nil {
		return nil, 0, fmt.Errorf("round trip %s: %w", format, err)
	}
	n := c.FrameSamples(ptime)
	frames := (len(in) + n - 1) / n
	out := make([]int16, frames*n)
	frame := make([]int16, n)
	payload := make([]byte, 1500)
	for i := range frames {
		clear(frame)
		copy(frame, in[i*n:])
		m, err := enc.Encode(frame, payload)
		if err != nil {
			return nil, 0, fmt.Errorf("round trip %s: encode frame %d: %w", format, i, err)
		}
		k, err := dec.Decode(payload[:m], out[i*n:])
		if err != nil {
			return nil, 0, fmt.Errorf("round trip %s: decode frame %d: %w", format, i, err)
		}
		if k != n {
			return nil, 0, fmt.Errorf("round trip %s: frame %d decoded to %d samples, want %d", format, i, k, n)
		}
	}
	return out, c.SampleRate, nil
}
