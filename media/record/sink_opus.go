package record

import (
	"fmt"
	"os"
	"time"

	"github.com/parley-cc/parley/media/ogg"
	hopus "gopkg.in/hraban/opus.v2"
)

// OpusConfig configures an OpusSink. The zero value of each field means its
// default.
type OpusConfig struct {
	// Rate is the encoder's sample rate: 8000, 16000 or 48000; default
	// 16000.
	Rate int
	// Bitrate in bit/s for both channels together; default 32000 at
	// 8 kHz, 48000 at 16 kHz and 64000 at 48 kHz.
	Bitrate int
	// Complexity is libopus's 0-10 speed/quality trade-off; default 5,
	// about half the CPU of 10 (see docs/BENCHMARKS.md).
	Complexity int
	// Comments are extra OpusTags comments, "NAME=value".
	Comments []string
	// FlushInterval bounds the audio held in an unwritten Ogg page;
	// default ogg.DefaultFlushInterval (one second).
	FlushInterval time.Duration
}

// maxOpusPacket is the largest Opus packet libopus produces for one 20 ms
// frame (RFC 6716 section 3.4 limits a frame to 1275 bytes; a stereo
// packet of one frame is no larger).
const maxOpusPacket = 1275

// OpusSink writes the recording as stereo Ogg Opus: libopus (VoIP
// application) encodes each 20 ms, media/ogg muxes it with a page at least
// every second. Close encodes the lookahead and trims the end, so the file
// decodes to exactly the samples written.
type OpusSink struct {
	path    string
	f       *os.File
	enc     *hopus.Encoder
	mux     *ogg.OpusWriter
	rate    int
	frame   []int16 // one 20 ms stereo frame being filled
	n       int     // samples in frame
	pkt     []byte
	written int64 // stereo frames written
	closed  bool
}

// NewOpusSink creates the file at path and writes the Ogg Opus headers.
func NewOpusSink(path string, cfg OpusConfig) (*OpusSink, error) {
	if cfg.Rate == 0 {
		cfg.Rate = 16000
	}
	if cfg.Rate != 8000 && cfg.Rate != 16000 && cfg.Rate != 48000 {
		return nil, fmt.Errorf("%w: Opus rate %d", ErrInvalidConfig, cfg.Rate)
	}
	if cfg.Bitrate == 0 {
		switch cfg.Rate {
		case 8000:
			cfg.Bitrate = 32000
		case 16000:
			cfg.Bitrate = 48000
		default:
			cfg.Bitrate = 64000
		}
	}
	if cfg.Complexity == 0 {
		cfg.Complexity = 5
	}
	if cfg.Complexity < 0 || cfg.Complexity > 10 || cfg.Bitrate < 6000 || cfg.Bitrate > 510000 {
		return nil, fmt.Errorf("%w: complexity %d, bitrate %d", ErrInvalidConfig, cfg.Complexity, cfg.Bitrate)
	}
	enc, err := hopus.NewEncoder(cfg.Rate, 2, hopus.AppVoIP)
	if err != nil {
		return nil, fmt.Errorf("record: opus encoder: %w", err)
	}
	if err := enc.SetBitrate(cfg.Bitrate); err != nil {
		return nil, fmt.Errorf("record: opus bitrate %d: %w", cfg.Bitrate, err)
	}
	if err := enc.SetComplexity(cfg.Complexity); err != nil {
		return nil, fmt.Errorf("record: opus complexity %d: %w", cfg.Complexity, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	mux, err := ogg.NewOpusWriter(f, ogg.OpusConfig{
		Channels:      2,
		InputRate:     cfg.Rate,
		Vendor:        "Parley (" + hopus.Version() + ")",
		Comments:      append([]string{"ENCODER=Parley"}, cfg.Comments...),
		FlushInterval: cfg.FlushInterval,
	})
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("record: %w", err)
	}
	return &OpusSink{path: path, f: f, enc: enc, mux: mux, rate: cfg.Rate,
		frame: make([]int16, 2*cfg.Rate/50), pkt: make([]byte, maxOpusPacket)}, nil
}

// Rate returns the encoder's sample rate.
func (s *OpusSink) Rate() int { return s.rate }

// Write buffers interleaved stereo samples and encodes every completed
// 20 ms frame. It does not allocate.
func (s *OpusSink) Write(stereo []int16) error {
	if s.closed {
		return ErrClosed
	}
	if len(stereo)%2 != 0 {
		return fmt.Errorf("%w: odd stereo sample count %d", ErrInvalidConfig, len(stereo))
	}
	for len(stereo) > 0 {
		k := copy(s.frame[s.n:], stereo)
		s.n += k
		stereo = stereo[k:]
		s.written += int64(k / 2)
		if s.n == len(s.frame) {
			if err := s.encode(); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeStereo is Write of left and right interleaved, which it does
// straight into the frame buffer.
func (s *OpusSink) writeStereo(left, right []int16) error {
	if s.closed {
		return ErrClosed
	}
	right = right[:len(left)]
	for len(left) > 0 {
		k := min(len(left), (len(s.frame)-s.n)/2)
		f := s.frame[s.n : s.n+2*k]
		for i, v := range left[:k] {
			f[2*i], f[2*i+1] = v, right[i]
		}
		s.n += 2 * k
		s.written += int64(k)
		left, right = left[k:], right[k:]
		if s.n == len(s.frame) {
			if err := s.encode(); err != nil {
				return err
			}
		}
	}
	return nil
}

// encode encodes the full frame buffer and muxes the packet.
func (s *OpusSink) encode() error {
	n, err := s.enc.Encode(s.frame, s.pkt)
	if err != nil {
		return fmt.Errorf("record: opus encode: %w", err)
	}
	s.n = 0
	return s.mux.WritePacket(s.pkt[:n])
}

// Close pads the last frame, encodes silence until the encoder's lookahead
// is out, ends the stream trimmed to the samples written (RFC 7845 section
// 4.4) and closes the file.
func (s *OpusSink) Close() error {
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	err := s.finish()
	if cerr := s.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("record: close %s: %w", s.path, cerr)
	}
	return err
}

func (s *OpusSink) finish() error {
	length := s.written * 48000 / int64(s.rate)
	for s.n > 0 || s.mux.Granule() < int64(s.mux.PreSkip())+length {
		clear(s.frame[s.n:])
		s.n = len(s.frame)
		if err := s.encode(); err != nil {
			return err
		}
	}
	return s.mux.CloseLength(length)
}

// String names the sink, like "OggOpus(16000 Hz, rec.opus)".
func (s *OpusSink) String() string { return fmt.Sprintf("OggOpus(%d Hz, %s)", s.rate, s.path) }
