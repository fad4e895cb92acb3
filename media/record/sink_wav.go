package record

import (
	"fmt"

	"github.com/parley-cc/parley/media/wav"
)

// WAVSink writes the recording as 16-bit stereo PCM WAV with a header kept
// current every second of audio (media/wav).
type WAVSink struct {
	path string
	w    *wav.Writer
	rate int
}

// NewWAVSink creates the file at path. cfg.SampleRate is the file rate
// (8000 or 16000 for telephony; any rate media/resample reaches works);
// cfg.Channels is forced to 2; the other fields keep their media/wav
// meaning and defaults.
func NewWAVSink(path string, cfg wav.WriterConfig) (*WAVSink, error) {
	cfg.Channels = 2
	w, err := wav.Create(path, cfg)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &WAVSink{path: path, w: w, rate: cfg.SampleRate}, nil
}

// Rate returns the file's sample rate.
func (s *WAVSink) Rate() int { return s.rate }

// Write appends interleaved stereo samples. It does not allocate.
func (s *WAVSink) Write(stereo []int16) error {
	_, err := s.w.Write(stereo)
	return err
}

// writeStereo appends frames from the two channels, interleaving them as
// it encodes them into the file's buffer.
func (s *WAVSink) writeStereo(left, right []int16) error {
	_, err := s.w.WriteStereo(left, right)
	return err
}

// Close writes the final header and closes the file.
func (s *WAVSink) Close() error { return s.w.Close() }

// String names the sink, like "WAV(16000 Hz, rec.wav)".
func (s *WAVSink) String() string { return fmt.Sprintf("WAV(%d Hz, %s)", s.rate, s.path) }
