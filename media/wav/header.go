package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxChunksBeforeData bounds the chunk walk so a stream of tiny chunks
// cannot keep parseHeader busy forever.
const maxChunksBeforeData = 1024

// extensibleGUIDTail is bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID
// {0000xxxx-0000-0010-8000-00AA00389B71} as stored in a
// WAVE_FORMAT_EXTENSIBLE fmt chunk; bytes 0..1 hold the format tag.
var extensibleGUIDTail = [14]byte{0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71}

// header is what parseHeader learns before the first audio byte.
type header struct {
	riffSize   uint32
	tag        uint16 // effective format tag, after WAVE_FORMAT_EXTENSIBLE
	channels   int
	rate       int
	blockAlign int
	bits       int
	dataOffset int64 // offset of the first audio byte from the stream start
	dataSize   uint32
}

// format validates h and returns the Format the Reader will convert.
func (h header) format() (Format, error) {
	f := Format{SampleRate: h.rate, Channels: h.channels, BitsPerSample: h.bits}
	switch h.tag {
	case tagPCM:
		f.Encoding = EncodingPCM
	case tagFloat:
		f.Encoding = EncodingFloat
	case tagALaw:
		f.Encoding = EncodingALaw
	case tagMuLaw:
		f.Encoding = EncodingMuLaw
	default:
		return f, fmt.Errorf("%w: format tag 0x%04x", ErrUnsupportedFormat, h.tag)
	}
	if err := f.validate(); err != nil {
		return f, err
	}
	if h.blockAlign != f.BlockAlign() {
		return f, fmt.Errorf("%w: block align %d for %s", ErrMalformed, h.blockAlign, f)
	}
	return f, nil
}

// readErr classifies an error from reading part of the header.
func readErr(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: in %s", ErrTruncated, what)
	}
	return fmt.Errorf("wav: read %s: %w", what, err)
}

// parseHeader reads r up to the first byte of the data chunk. It checks the
// chunk structure but not whether the format is convertible (see
// header.format), so Repair can work on any format with a fmt chunk.
func parseHeader(r io.Reader) (header, error) {
	var h header
	var b [maxFmtSize]byte
	n, err := io.ReadFull(r, b[:12])
	if !hasPrefix(b[:n], "RIFF") && !hasPrefix(b[:n], "RF64") && !hasPrefix(b[:n], "RIFX") {
		return h, fmt.Errorf("%w: starts with %q", ErrNotWAV, b[:min(n, 4)])
	}
	if err != nil {
		return h, readErr(err, "RIFF header")
	}
	switch {
	case string(b[0:4]) == "RF64":
		return h, fmt.Errorf("%w: RF64", ErrUnsupportedFormat)
	case string(b[0:4]) == "RIFX":
		return h, fmt.Errorf("%w: big-endian RIFX", ErrUnsupportedFormat)
	case string(b[8:12]) != "WAVE":
		return h, fmt.Errorf("%w: RIFF form type %q", ErrNotWAV, b[8:12])
	}
	h.riffSize = binary.LittleEndian.Uint32(b[4:8])
	off := int64(12)
	haveFmt := false
	for range maxChunksBeforeData {
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return h, readErr(err, "chunk header")
		}
		id, size := string(b[0:4]), binary.LittleEndian.Uint32(b[4:8])
		off += 8
		pad := int64(size & 1)
		switch id {
		case "data":
			if !haveFmt {
				return h, fmt.Errorf("%w: data chunk before fmt chunk", ErrMalformed)
			}
			h.dataOffset, h.dataSize = off, size
			return h, nil
		case "fmt ":
			if haveFmt {
				return h, fmt.Errorf("%w: second fmt chunk", ErrMalformed)
			}
			if size < 16 {
				return h, fmt.Errorf("%w: fmt chunk of %d bytes", ErrMalformed, size)
			}
			if size > maxFmtSize {
				return h, fmt.Errorf("%w: fmt chunk of %d bytes", ErrChunkTooLarge, size)
			}
			if _, err := io.ReadFull(r, b[:int64(size)+pad]); err != nil {
				return h, readErr(err, "fmt chunk")
			}
			if err := h.parseFmt(b[:size]); err != nil {
				return h, err
			}
			haveFmt = true
		default:
			if size > MaxChunkSize {
				return h, fmt.Errorf("%w: %q chunk of %d bytes", ErrChunkTooLarge, b[0:4], size)
			}
			if _, err := io.CopyN(io.Discard, r, int64(size)+pad); err != nil {
				return h, readErr(err, fmt.Sprintf("%q chunk", b[0:4]))
			}
		}
		off += int64(size) + pad
	}
	return h, fmt.Errorf("%w: no data chunk in the first %d chunks", ErrMalformed, maxChunksBeforeData)
}

// parseFmt decodes a fmt chunk body (WAVEFORMATEX, optionally
// WAVEFORMATEXTENSIBLE).
func (h *header) parseFmt(b []byte) error {
	le := binary.LittleEndian
	h.tag = le.Uint16(b[0:])
	h.channels = int(le.Uint16(b[2:]))
	h.rate = int(le.Uint32(b[4:]))
	h.blockAlign = int(le.Uint16(b[12:]))
	h.bits = int(le.Uint16(b[14:]))
	if h.blockAlign == 0 {
		return fmt.Errorf("%w: block align 0", ErrMalformed)
	}
	if h.tag != tagExtensible {
		return nil
	}
	// WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4) GUID(16).
	if len(b) < 40 || le.Uint16(b[16:]) < 22 {
		return fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes", ErrMalformed, len(b))
	}
	if [14]byte(b[26:40]) != extensibleGUIDTail {
		return fmt.Errorf("%w: extensible sub-format GUID % x", ErrUnsupportedFormat, b[24:40])
	}
	h.tag = le.Uint16(b[24:])
	return nil
}

func hasPrefix(b []byte, magic string) bool {
	return len(b) >= len(magic) && string(b[:len(magic)]) == magic ||
		len(b) < len(magic) && string(b) == magic[:len(b)]
}
