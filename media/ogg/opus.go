package ogg

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// OpusHead is the Ogg Opus identification header (RFC 7845 section 5.1),
// restricted to channel mapping family 0 (mono or stereo).
type OpusHead struct {
	// Channels is 1 or 2.
	Channels int
	// PreSkip is the number of 48 kHz samples to discard from the start
	// of the decoded stream (the encoder's lookahead).
	PreSkip int
	// InputRate is the sample rate of the original input, for
	// information only; 0 means unspecified.
	InputRate int
	// OutputGain is the gain to apply when decoding, in Q7.8 dB.
	OutputGain int16
}

// Opus header sizes and magic strings (RFC 7845 section 5).
const (
	opusHeadLen   = 19
	opusHeadMagic = "OpusHead"
	opusTagsMagic = "OpusTags"
)

// AppendTo appends the 19-byte OpusHead packet for h to b.
func (h OpusHead) AppendTo(b []byte) []byte {
	le := binary.LittleEndian
	b = append(b, opusHeadMagic...)
	b = append(b, 1, byte(h.Channels)) // version 1, channel count
	b = le.AppendUint16(b, uint16(h.PreSkip))
	b = le.AppendUint32(b, uint32(h.InputRate))
	b = le.AppendUint16(b, uint16(h.OutputGain))
	return append(b, 0) // channel mapping family 0: no mapping table
}

// ParseOpusHead decodes an OpusHead packet. It accepts version 1 of the
// major version 0 family (RFC 7845 section 5.1: versions 0-15 are
// compatible) with mapping family 0, and returns ErrOpusHeader otherwise.
func ParseOpusHead(b []byte) (OpusHead, error) {
	if len(b) < opusHeadLen || string(b[:8]) != opusHeadMagic {
		return OpusHead{}, fmt.Errorf("%w: not an OpusHead packet (%d bytes)", ErrOpusHeader, len(b))
	}
	le := binary.LittleEndian
	h := OpusHead{
		Channels:   int(b[9]),
		PreSkip:    int(le.Uint16(b[10:])),
		InputRate:  int(le.Uint32(b[12:])),
		OutputGain: int16(le.Uint16(b[16:])),
	}
	switch {
	case b[8] == 0 || b[8] > 15:
		return h, fmt.Errorf("%w: version %d", ErrOpusHeader, b[8])
	case b[18] != 0:
		return h, fmt.Errorf("%w: channel mapping family %d", ErrOpusHeader, b[18])
	case h.Channels < 1 || h.Channels > 2:
		return h, fmt.Errorf("%w: %d channels with mapping family 0", ErrOpusHeader, h.Channels)
	}
	return h, nil
}

// AppendOpusTags appends an OpusTags packet (RFC 7845 section 5.2) with
// the vendor string and user comments ("NAME=value") to b.
func AppendOpusTags(b []byte, vendor string, comments []string) []byte {
	le := binary.LittleEndian
	b = append(b, opusTagsMagic...)
	b = le.AppendUint32(b, uint32(len(vendor)))
	b = append(b, vendor...)
	b = le.AppendUint32(b, uint32(len(comments)))
	for _, c := range comments {
		b = le.AppendUint32(b, uint32(len(c)))
		b = append(b, c...)
	}
	return b
}

// ParseOpusTags decodes an OpusTags packet into its vendor string and user
// comments.
func ParseOpusTags(b []byte) (vendor string, comments []string, err error) {
	if len(b) < 16 || string(b[:8]) != opusTagsMagic {
		return "", nil, fmt.Errorf("%w: not an OpusTags packet (%d bytes)", ErrOpusHeader, len(b))
	}
	b = b[8:]
	next := func() (string, bool) {
		if len(b) < 4 {
			return "", false
		}
		n := binary.LittleEndian.Uint32(b)
		if uint64(n) > uint64(len(b)-4) {
			return "", false
		}
		s := string(b[4 : 4+n])
		b = b[4+n:]
		return s, true
	}
	vendor, ok := next()
	if !ok || len(b) < 4 {
		return "", nil, fmt.Errorf("%w: OpusTags vendor string", ErrOpusHeader)
	}
	count := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(count) > uint64(len(b)/4) {
		return "", nil, fmt.Errorf("%w: %d comments in %d bytes", ErrOpusHeader, count, len(b))
	}
	comments = make([]string, 0, count)
	for range count {
		c, ok := next()
		if !ok {
			return "", nil, fmt.Errorf("%w: OpusTags comment %d", ErrOpusHeader, len(comments))
		}
		comments = append(comments, c)
	}
	return vendor, comments, nil
}

// opusFrameSamples is the frame duration at 48 kHz for each TOC
// configuration number (RFC 6716 section 3.1, Table 2): SILK-only 10, 20,
// 40, 60 ms; hybrid 10, 20 ms; CELT-only 2.5, 5, 10, 20 ms.
var opusFrameSamples = [32]int{
	480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
	480, 960, 480, 960,
	120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
}

// maxOpusPacketSamples is 120 ms at 48 kHz (RFC 6716 section 3.2.5).
const maxOpusPacketSamples = 5760

// PacketSamples returns the duration of an Opus packet in 48 kHz samples,
// from its TOC byte and, for code 3, its frame count byte (RFC 6716
// sections 3.1 and 3.2). It does not validate the frame lengths.
func PacketSamples(pkt []byte) (int, error) {
	if len(pkt) == 0 {
		return 0, fmt.Errorf("%w: empty packet", ErrOpusPacket)
	}
	frames := 1
	switch pkt[0] & 3 {
	case 1, 2:
		frames = 2
	case 3:
		if len(pkt) < 2 {
			return 0, fmt.Errorf("%w: code 3 packet without frame count", ErrOpusPacket)
		}
		frames = int(pkt[1] & 0x3f)
	}
	n := frames * opusFrameSamples[pkt[0]>>3]
	if frames == 0 || n > maxOpusPacketSamples {
		return 0, fmt.Errorf("%w: %d frames, %d samples", ErrOpusPacket, frames, n)
	}
	return n, nil
}

// Defaults for OpusConfig.
const (
	// DefaultPreSkip is libopus's encoder lookahead at 48 kHz for the VoIP
	// and audio applications: 2.5 ms of framing plus 4 ms of delay
	// compensation (OPUS_GET_LOOKAHEAD is Fs/400 + Fs/250 at any encoder
	// rate Fs), so 312 samples.
	DefaultPreSkip = 312
	// DefaultFlushInterval is the most audio an OpusWriter keeps in an
	// unwritten page.
	DefaultFlushInterval = time.Second
	// DefaultVendor is the OpusTags vendor string.
	DefaultVendor = "Parley"
)

// OpusConfig configures an OpusWriter. The zero value of each field means
// its default.
type OpusConfig struct {
	// Channels is 1 or 2; default 1.
	Channels int
	// InputRate is the original sample rate, recorded in OpusHead so
	// decoders can restore it; default 48000.
	InputRate int
	// PreSkip is in 48 kHz samples; default DefaultPreSkip.
	PreSkip int
	// OutputGain is the decoder gain in Q7.8 dB; default 0.
	OutputGain int16
	// Vendor is the OpusTags vendor string; default DefaultVendor.
	Vendor string
	// Comments are OpusTags user comments, "NAME=value".
	Comments []string
	// Serial is the bitstream serial number; default random.
	Serial uint32
	// FlushInterval bounds the audio held in the pending page; default
	// DefaultFlushInterval.
	FlushInterval time.Duration
}

// OpusWriter muxes Opus packets into an Ogg Opus stream (RFC 7845): the
// OpusHead page, the OpusTags page, then audio pages with granule positions
// counting 48 kHz samples from the start including pre-skip, and an EOS page
// on Close.
type OpusWriter struct {
	ogg     *Writer
	cfg     OpusConfig
	granule int64 // 48 kHz samples in all packets written
	pending int64 // samples in the pending page
	every   int64 // flush period in samples
	packets uint64
}

// NewOpusWriter validates cfg, writes the two header pages to w and returns
// a writer for the audio packets. The caller keeps ownership of w.
func NewOpusWriter(w io.Writer, cfg OpusConfig) (*OpusWriter, error) {
	if cfg.Channels == 0 {
		cfg.Channels = 1
	}
	if cfg.Channels != 1 && cfg.Channels != 2 {
		return nil, fmt.Errorf("%w: %d channels (mapping family 0 allows 1 or 2)", ErrInvalidConfig, cfg.Channels)
	}
	if cfg.InputRate == 0 {
		cfg.InputRate = 48000
	}
	if cfg.PreSkip == 0 {
		cfg.PreSkip = DefaultPreSkip
	}
	if cfg.InputRate < 0 || cfg.PreSkip < 0 || cfg.PreSkip > 0xFFFF {
		return nil, fmt.Errorf("%w: input rate %d, pre-skip %d", ErrInvalidConfig, cfg.InputRate, cfg.PreSkip)
	}
	if cfg.Vendor == "" {
		cfg.Vendor = DefaultVendor
	}
	if cfg.Serial == 0 {
		cfg.Serial = rand.Uint32()
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	ow := &OpusWriter{ogg: NewWriter(w, cfg.Serial), cfg: cfg,
		every: max(int64(cfg.FlushInterval)*48000/int64(time.Second), 1)}
	head := OpusHead{Channels: cfg.Channels, PreSkip: cfg.PreSkip, InputRate: cfg.InputRate, OutputGain: cfg.OutputGain}
	// RFC 7845 section 3: the identification header alone on the first
	// page, the comment header ending its own page(s), audio after.
	if err := ow.writeHeader(head.AppendTo(nil)); err != nil {
		return nil, err
	}
	if err := ow.writeHeader(AppendOpusTags(nil, cfg.Vendor, cfg.Comments)); err != nil {
		return nil, err
	}
	return ow, nil
}

func (w *OpusWriter) writeHeader(pkt []byte) error {
	if err := w.ogg.WritePacket(pkt, 0); err != nil {
		return err
	}
	return w.ogg.Flush()
}

// WritePacket appends one Opus packet. Its duration comes from its TOC
// byte; a malformed TOC returns ErrOpusPacket. The pending page is written
// out first when it already holds FlushInterval of audio, so the page on
// which the stream ends always holds at least one packet. WritePacket does
// not allocate.
func (w *OpusWriter) WritePacket(pkt []byte) error {
	n, err := PacketSamples(pkt)
	if err != nil {
		return err
	}
	if w.pending >= w.every {
		if err := w.ogg.Flush(); err != nil {
			return err
		}
		w.pending = 0
	}
	if err := w.ogg.WritePacket(pkt, w.granule+int64(n)); err != nil {
		return err
	}
	w.granule += int64(n)
	w.pending += int64(n)
	w.packets++
	return nil
}

// Granule returns the granule position after the packets written so far:
// the 48 kHz samples they decode to, pre-skip included.
func (w *OpusWriter) Granule() int64 { return w.granule }

// Packets returns the number of audio packets written.
func (w *OpusWriter) Packets() uint64 { return w.packets }

// PreSkip returns the pre-skip in 48 kHz samples.
func (w *OpusWriter) PreSkip() int { return w.cfg.PreSkip }

// Close writes the last page with the EOS flag; the decoded length is
// every packet's samples minus pre-skip. It does not close the destination.
func (w *OpusWriter) Close() error { return w.ogg.Close() }

// CloseLength is Close with end trimming (RFC 7845 section 4.4): the final
// granule position is PreSkip+samples, so a decoder outputs exactly samples
// 48 kHz samples. samples must not exceed Granule()-PreSkip() nor reach
// back before the previous page; otherwise CloseLength returns ErrGranule
// and leaves the stream open.
func (w *OpusWriter) CloseLength(samples int64) error {
	g := int64(w.cfg.PreSkip) + samples
	if samples < 0 || g > w.granule {
		return fmt.Errorf("%w: length %d with %d samples after pre-skip", ErrGranule, samples, w.granule-int64(w.cfg.PreSkip))
	}
	return w.ogg.CloseGranule(g)
}
