package g711

import "fmt"

// ULawEncoder encodes linear PCM as PCMU (RTP payload type 0). The zero
// value is ready to use; it has no state.
type ULawEncoder struct{}

// Encode writes one μ-law byte per sample of pcm into payload and returns
// len(pcm). It fails with ErrShortBuffer, writing nothing, when payload is
// shorter than pcm.
func (ULawEncoder) Encode(pcm []int16, payload []byte) (int, error) {
	if len(payload) < len(pcm) {
		return 0, shortBuffer("encode PCMU", len(payload), len(pcm))
	}
	return EncodeULaw(payload, pcm), nil
}

// String returns "PCMU".
func (ULawEncoder) String() string { return "PCMU" }

// ULawDecoder decodes PCMU payloads to linear PCM. The zero value is ready
// to use; it has no state.
type ULawDecoder struct{}

// Decode writes one sample per byte of payload into pcm and returns
// len(payload). It fails with ErrShortBuffer, writing nothing, when pcm is
// shorter than payload.
func (ULawDecoder) Decode(payload []byte, pcm []int16) (int, error) {
	if len(pcm) < len(payload) {
		return 0, shortBuffer("decode PCMU", len(pcm), len(payload))
	}
	return DecodeULaw(pcm, payload), nil
}

// String returns "PCMU".
func (ULawDecoder) String() string { return "PCMU" }

// ALawEncoder encodes linear PCM as PCMA (RTP payload type 8). The zero
// value is ready to use; it has no state.
type ALawEncoder struct{}

// Encode writes one A-law byte per sample of pcm into payload and returns
// len(pcm). It fails with ErrShortBuffer, writing nothing, when payload is
// shorter than pcm.
func (ALawEncoder) Encode(pcm []int16, payload []byte) (int, error) {
	if len(payload) < len(pcm) {
		return 0, shortBuffer("encode PCMA", len(payload), len(pcm))
	}
	return EncodeALaw(payload, pcm), nil
}

// String returns "PCMA".
func (ALawEncoder) String() string { return "PCMA" }

// ALawDecoder decodes PCMA payloads to linear PCM. The zero value is ready
// to use; it has no state.
type ALawDecoder struct{}

// Decode writes one sample per byte of payload into pcm and returns
// len(payload). It fails with ErrShortBuffer, writing nothing, when pcm is
// shorter than payload.
func (ALawDecoder) Decode(payload []byte, pcm []int16) (int, error) {
	if len(pcm) < len(payload) {
		return 0, shortBuffer("decode PCMA", len(pcm), len(payload))
	}
	return DecodeALaw(pcm, payload), nil
}

// String returns "PCMA".
func (ALawDecoder) String() string { return "PCMA" }

func shortBuffer(op string, have, need int) error {
	return fmt.Errorf("%w: %s: room for %d, need %d", ErrShortBuffer, op, have, need)
}
