package media

import (
	"fmt"

	"github.com/parley-cc/parley/media/g711"
	"github.com/parley-cc/parley/media/g722"
	"github.com/parley-cc/parley/media/l16"
	"github.com/parley-cc/parley/media/opus"
)

// NewDecoder returns a decoder for c producing PCM at c.SampleRate. It fails
// with ErrUnknownCodec for telephone-event (handled by media/dtmf) and for
// names Parley does not carry.
func NewDecoder(c Codec) (Decoder, error) {
	switch c.Name {
	case NamePCMU:
		return g711.ULawDecoder{}, nil
	case NamePCMA:
		return g711.ALawDecoder{}, nil
	case NameG722:
		d, err := g722.NewDecoder(g722.Mode1)
		if err != nil {
			return nil, fmt.Errorf("new %s decoder: %w", c, err)
		}
		return d, nil
	case NameL16:
		return l16.Decoder{}, nil
	case NameOpus:
		d, err := opus.NewDecoder(c.SampleRate)
		if err != nil {
			return nil, fmt.Errorf("new %s decoder: %w", c, err)
		}
		return d, nil
	}
	return nil, fmt.Errorf("%w: no decoder for %s", ErrUnknownCodec, c)
}

// NewEncoder returns an encoder for c taking PCM at c.SampleRate. Opus is
// set up for speech with in-band FEC on, sized for 10% loss.
func NewEncoder(c Codec) (Encoder, error) {
	switch c.Name {
	case NamePCMU:
		return g711.ULawEncoder{}, nil
	case NamePCMA:
		return g711.ALawEncoder{}, nil
	case NameG722:
		return g722.NewEncoder(), nil
	case NameL16:
		return l16.Encoder{}, nil
	case NameOpus:
		e, err := opus.NewEncoder(opus.Config{SampleRate: c.SampleRate, FEC: true, PacketLossPercent: 10})
		if err != nil {
			return nil, fmt.Errorf("new %s encoder: %w", c, err)
		}
		return e, nil
	}
	return nil, fmt.Errorf("%w: no encoder for %s", ErrUnknownCodec, c)
}

// Compile-time checks that the codec packages fit the interfaces.
var (
	_ Decoder    = g711.ULawDecoder{}
	_ Decoder    = g711.ALawDecoder{}
	_ Decoder    = (*g722.Decoder)(nil)
	_ Decoder    = l16.Decoder{}
	_ Decoder    = (*opus.Decoder)(nil)
	_ Concealer  = (*opus.Decoder)(nil)
	_ FECDecoder = (*opus.Decoder)(nil)
	_ Encoder    = g711.ULawEncoder{}
	_ Encoder    = g711.ALawEncoder{}
	_ Encoder    = (*g722.Encoder)(nil)
	_ Encoder    = l16.Encoder{}
	_ Encoder    = (*opus.Encoder)(nil)
)
