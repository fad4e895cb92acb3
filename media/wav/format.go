package wav

import "fmt"

// Encoding is how samples are stored in the data chunk.
type Encoding int

// Encodings the Reader converts to int16.
const (
	// EncodingPCM is linear PCM: unsigned for 8-bit, signed two's
	// complement little-endian for 16, 24 and 32 bits.
	EncodingPCM Encoding = iota + 1
	// EncodingFloat is IEEE 754 little-endian, 32 or 64 bits, full scale
	// at ±1.0.
	EncodingFloat
	// EncodingALaw is ITU-T G.711 A-law, 8 bits.
	EncodingALaw
	// EncodingMuLaw is ITU-T G.711 µ-law, 8 bits.
	EncodingMuLaw
)

// String returns the encoding's name.
func (e Encoding) String() string {
	switch e {
	case EncodingPCM:
		return "pcm"
	case EncodingFloat:
		return "float"
	case EncodingALaw:
		return "alaw"
	case EncodingMuLaw:
		return "mulaw"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// Format tags from the fmt chunk (Microsoft mmreg.h, RFC 2361 Appendix A).
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagALaw       = 0x0006
	tagMuLaw      = 0x0007
	tagExtensible = 0xFFFE
)

// Limits the Reader enforces on a fmt chunk.
const (
	// MaxChannels is the largest channel count the Reader accepts.
	MaxChannels = 8
	// MaxSampleRate is the largest sample rate the Reader accepts.
	MaxSampleRate = 768000
	// MaxChunkSize caps every chunk other than "data" (including the ones
	// the Reader skips), in bytes.
	MaxChunkSize = 16 << 20
	// maxFmtSize caps the fmt chunk, which the Reader holds in memory.
	maxFmtSize = 1024
)

// Format describes the audio in a WAV file.
type Format struct {
	// Encoding is how samples are stored.
	Encoding Encoding
	// SampleRate is in sample frames per second.
	SampleRate int
	// Channels is the number of interleaved channels.
	Channels int
	// BitsPerSample is the stored (container) size of one sample.
	BitsPerSample int
}

// BlockAlign returns the size in bytes of one sample frame (one sample for
// every channel).
func (f Format) BlockAlign() int { return f.Channels * f.BitsPerSample / 8 }

// String formats f like "pcm 16-bit 8000 Hz 2 ch".
func (f Format) String() string {
	return fmt.Sprintf("%s %d-bit %d Hz %d ch", f.Encoding, f.BitsPerSample, f.SampleRate, f.Channels)
}

// validate checks that the Reader can convert f.
func (f Format) validate() error {
	if f.Channels < 1 || f.Channels > MaxChannels {
		return fmt.Errorf("%w: %d channels", ErrUnsupportedFormat, f.Channels)
	}
	if f.SampleRate < 1 || f.SampleRate > MaxSampleRate {
		return fmt.Errorf("%w: sample rate %d", ErrUnsupportedFormat, f.SampleRate)
	}
	ok := false
	switch f.Encoding {
	case EncodingPCM:
		ok = f.BitsPerSample == 8 || f.BitsPerSample == 16 || f.BitsPerSample == 24 || f.BitsPerSample == 32
	case EncodingFloat:
		ok = f.BitsPerSample == 32 || f.BitsPerSample == 64
	case EncodingALaw, EncodingMuLaw:
		ok = f.BitsPerSample == 8
	}
	if !ok {
		return fmt.Errorf("%w: %d-bit %s", ErrUnsupportedFormat, f.BitsPerSample, f.Encoding)
	}
	return nil
}
