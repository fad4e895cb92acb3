package opus

import "fmt"

// Mode is the coding mode selected by a TOC byte, RFC 6716 section 3.1.
type Mode uint8

// Coding modes, RFC 6716 section 3.1, Table 2.
const (
	ModeSILK Mode = iota
	ModeHybrid
	ModeCELT
)

// String returns "SILK", "Hybrid" or "CELT".
func (m Mode) String() string {
	switch m {
	case ModeSILK:
		return "SILK"
	case ModeHybrid:
		return "Hybrid"
	case ModeCELT:
		return "CELT"
	default:
		return fmt.Sprintf("Mode(%d)", uint8(m))
	}
}

// Bandwidth is the audio bandwidth selected by a TOC byte, RFC 6716
// section 2, Table 1.
type Bandwidth uint8

// Audio bandwidths, RFC 6716 section 2, Table 1.
const (
	Narrowband    Bandwidth = iota // 4 kHz, 8 kHz sample rate
	Mediumband                     // 6 kHz, 12 kHz sample rate
	Wideband                       // 8 kHz, 16 kHz sample rate
	SuperWideband                  // 12 kHz, 24 kHz sample rate
	Fullband                       // 20 kHz, 48 kHz sample rate
)

// String returns the RFC 6716 abbreviation: "NB", "MB", "WB", "SWB" or "FB".
func (b Bandwidth) String() string {
	switch b {
	case Narrowband:
		return "NB"
	case Mediumband:
		return "MB"
	case Wideband:
		return "WB"
	case SuperWideband:
		return "SWB"
	case Fullband:
		return "FB"
	default:
		return fmt.Sprintf("Bandwidth(%d)", uint8(b))
	}
}

// TOC is the table-of-contents byte that starts every Opus packet,
// RFC 6716 section 3.1:
//
//	 0 1 2 3 4 5 6 7
//	+-+-+-+-+-+-+-+-+
//	| config  |s| c |
//	+-+-+-+-+-+-+-+-+
type TOC byte

// Config returns the 5-bit configuration number (0-31).
func (t TOC) Config() uint8 { return uint8(t) >> 3 }

// Stereo reports the s bit: the packet codes two channels.
func (t TOC) Stereo() bool { return t&0x04 != 0 }

// Code returns the frame count code c (0-3), RFC 6716 section 3.2.
func (t TOC) Code() uint8 { return uint8(t) & 0x03 }

// Mode returns the coding mode of configuration Config, Table 2.
func (t TOC) Mode() Mode {
	switch c := t.Config(); {
	case c < 12:
		return ModeSILK
	case c < 16:
		return ModeHybrid
	default:
		return ModeCELT
	}
}

// Bandwidth returns the audio bandwidth of configuration Config, Table 2.
func (t TOC) Bandwidth() Bandwidth {
	switch c := t.Config(); {
	case c < 12: // SILK-only: NB 0-3, MB 4-7, WB 8-11
		return Bandwidth(c / 4)
	case c < 16: // Hybrid: SWB 12-13, FB 14-15
		return SuperWideband + Bandwidth((c-12)/2)
	case c < 20: // CELT-only: NB 16-19, WB 20-23, SWB 24-27, FB 28-31
		return Narrowband
	default:
		return Wideband + Bandwidth((c-20)/4)
	}
}

// FrameSamples returns the number of samples per channel in one frame of
// this configuration when decoded at sampleRate, Table 2 (2.5 to 60 ms).
func (t TOC) FrameSamples(sampleRate int) int {
	c := t.Config()
	switch t.Mode() {
	case ModeSILK: // 10, 20, 40, 60 ms
		if c&3 == 3 {
			return sampleRate * 60 / 1000
		}
		return (sampleRate << (c & 3)) / 100
	case ModeHybrid: // 10, 20 ms
		return (sampleRate << (c & 1)) / 100
	default: // CELT: 2.5, 5, 10, 20 ms
		return (sampleRate << (c & 3)) / 400
	}
}

// Framing limits, RFC 6716 section 3.2 and 3.4.
const (
	maxFrameBytes   = 1275 // R2: no frame is longer than 1275 bytes
	maxPacketMillis = 120  // R5: a code 3 packet holds at most 120 ms
	maxPacket48k    = 48000 * maxPacketMillis / 1000
)

// MaxPacketSamples returns the most samples per channel one Opus packet can
// decode to at sampleRate (120 ms): the pcm size that never fails Decode
// with ErrShortBuffer.
func MaxPacketSamples(sampleRate int) int { return sampleRate * maxPacketMillis / 1000 }

// Packet-framing errors, prebuilt so that parsing allocates nothing.
var (
	errCode1Odd      = fmt.Errorf("%w: code 1 packet with odd payload length", ErrCorruptFrame)
	errFrameLength   = fmt.Errorf("%w: frame length exceeds packet", ErrCorruptFrame)
	errFrameTooLong  = fmt.Errorf("%w: frame longer than 1275 bytes", ErrCorruptFrame)
	errCode3Short    = fmt.Errorf("%w: code 3 packet without frame count byte", ErrCorruptFrame)
	errCode3Count    = fmt.Errorf("%w: code 3 frame count zero or over 120 ms", ErrCorruptFrame)
	errCode3Padding  = fmt.Errorf("%w: code 3 padding exceeds packet", ErrCorruptFrame)
	errCode3CBR      = fmt.Errorf("%w: code 3 CBR payload not a multiple of the frame count", ErrCorruptFrame)
	errSampleRateArg = fmt.Errorf("%w: sample rate must be 8000, 16000 or 48000", ErrInvalidConfig)
)

// PacketSamples returns the number of samples per channel that payload, one
// complete Opus packet, decodes to at sampleRate. It checks the framing
// rules of RFC 6716 section 3.4 (R1-R7) the way libopus does, so a payload
// it accepts is one the decoder accepts. It does not allocate.
func PacketSamples(payload []byte, sampleRate int) (int, error) {
	if !validRate(sampleRate) {
		return 0, errSampleRateArg
	}
	frames, err := frameCount(payload)
	if err != nil {
		return 0, err
	}
	return frames * TOC(payload[0]).FrameSamples(sampleRate), nil
}

// frameCount validates the framing of one packet, RFC 6716 section 3.2,
// and returns its number of frames.
func frameCount(p []byte) (int, error) {
	if len(p) == 0 { // R1: at least one byte
		return 0, errEmptyPayload
	}
	toc := TOC(p[0])
	rest := len(p) - 1
	switch toc.Code() {
	case 0: // 3.2.2: one frame
		return 1, checkFrameLen(rest)
	case 1: // 3.2.3: two frames of equal size, R3
		if rest%2 != 0 {
			return 0, errCode1Odd
		}
		return 2, checkFrameLen(rest / 2)
	case 2: // 3.2.4: two frames, first length coded, R4
		n, size := frameLength(p[1:])
		if n == 0 || size > rest-n {
			return 0, errFrameLength
		}
		return 2, checkFrameLen(rest - n - size)
	default: // 3.2.5: code 3, an arbitrary number of frames
		return code3Frames(toc, p[1:])
	}
}

// code3Frames validates a code 3 packet after its TOC byte, RFC 6716
// section 3.2.5 and rules R5-R7.
func code3Frames(toc TOC, p []byte) (int, error) {
	if len(p) < 1 {
		return 0, errCode3Short
	}
	vbr, padded, count := p[0]&0x80 != 0, p[0]&0x40 != 0, int(p[0]&0x3f)
	if count == 0 || count*toc.FrameSamples(48000) > maxPacket48k {
		return 0, errCode3Count
	}
	p = p[1:]
	rest := len(p)
	if padded {
		pad := 0
		for {
			if len(p) == 0 {
				return 0, errCode3Padding
			}
			b := int(p[0])
			p = p[1:]
			rest--
			if b == 255 { // 255 means 254 bytes of padding and another length byte
				pad += 254
				continue
			}
			pad += b
			break
		}
		rest -= pad
		if rest < 0 {
			return 0, errCode3Padding
		}
	}
	if !vbr { // R6: CBR frames share the remaining bytes equally
		if rest%count != 0 {
			return 0, errCode3CBR
		}
		return count, checkFrameLen(rest / count)
	}
	last := rest // R7: VBR lengths of the first count-1 frames, then the last frame
	for range count - 1 {
		n, size := frameLength(p[:min(len(p), max(rest, 0))])
		rest -= n
		if n == 0 || size > rest {
			return 0, errFrameLength
		}
		p = p[n:]
		last -= n + size
	}
	if last < 0 {
		return 0, errFrameLength
	}
	return count, checkFrameLen(last)
}

// frameLength decodes a one- or two-byte frame length, RFC 6716 section
// 3.2.1. It returns the bytes consumed (0 if p is too short) and the length.
func frameLength(p []byte) (n, size int) {
	switch {
	case len(p) < 1:
		return 0, 0
	case p[0] < 252:
		return 1, int(p[0])
	case len(p) < 2:
		return 0, 0
	default:
		return 2, 4*int(p[1]) + int(p[0])
	}
}

func checkFrameLen(n int) error {
	if n > maxFrameBytes {
		return errFrameTooLong
	}
	return nil
}

func validRate(r int) bool { return r == 8000 || r == 16000 || r == 48000 }
