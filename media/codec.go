package media

// Decoder turns one RTP payload into linear PCM. Implementations keep
// per-stream state (ADPCM predictors, Opus decoder state) and are not safe
// for concurrent use.
type Decoder interface {
	// Decode decodes payload into pcm and returns the number of samples
	// written. pcm must be large enough for one frame; the payload is not
	// retained.
	Decode(payload []byte, pcm []int16) (int, error)
}

// Encoder turns linear PCM into one RTP payload. Implementations keep
// per-stream state and are not safe for concurrent use.
type Encoder interface {
	// Encode encodes pcm into payload and returns the number of bytes
	// written. The pcm slice is not retained.
	Encode(pcm []int16, payload []byte) (int, error)
}

// Concealer is implemented by decoders that can synthesize audio for a lost
// frame themselves (Opus packet loss concealment). Decoders without it get
// codec-independent concealment from media/plc.
type Concealer interface {
	// Conceal writes samples (one frame of n samples) standing in for a
	// lost packet and returns how many it wrote.
	Conceal(pcm []int16, n int) (int, error)
}

// FECDecoder is implemented by decoders that can recover a lost frame from
// the forward error correction data carried in the following packet (Opus
// in-band FEC).
type FECDecoder interface {
	// DecodeFEC decodes the redundant copy of the previous frame carried in
	// next into pcm (n samples) and returns how many samples it wrote.
	DecodeFEC(next []byte, pcm []int16, n int) (int, error)
}

// DecoderFunc adapts a function to the Decoder interface.
type DecoderFunc func(payload []byte, pcm []int16) (int, error)

// Decode calls f(payload, pcm).
func (f DecoderFunc) Decode(payload []byte, pcm []int16) (int, error) { return f(payload, pcm) }

// EncoderFunc adapts a function to the Encoder interface.
type EncoderFunc func(pcm []int16, payload []byte) (int, error)

// Encode calls f(pcm, payload).
func (f EncoderFunc) Encode(pcm []int16, payload []byte) (int, error) { return f(pcm, payload) }
