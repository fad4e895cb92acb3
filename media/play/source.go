package play

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parley-cc/parley/media/wav"
)

// source yields mono samples at its rate.
type source interface {
	// read fills dst from the current position and returns the samples
	// written; io.EOF (possibly with n > 0) at the end.
	read(dst []int16) (int, error)
	// rewind returns to the first sample.
	rewind() error
	rate() int
	name() string
}

// clipSource is a cursor over a shared Clip.
type clipSource struct {
	c   *Clip
	pos int
}

func (s *clipSource) read(dst []int16) (int, error) {
	n := copy(dst, s.c.pcm[s.pos:])
	s.pos += n
	if s.pos == len(s.c.pcm) {
		return n, io.EOF
	}
	return n, nil
}

func (s *clipSource) rewind() error { s.pos = 0; return nil }
func (s *clipSource) rate() int     { return s.c.rate }
func (s *clipSource) name() string  { return s.c.name }

// fileSource streams a WAV file, downmixing to mono.
type fileSource struct {
	path string
	f    *os.File
	r    *wav.Reader
	ch   int
	buf  []int16 // interleaved, for downmixing
}

// maxChunk is the most mono samples a Player asks a source for at once.
const maxChunk = 48000 / 50

func openFile(path string) (*fileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("play: %w", err)
	}
	r, err := wav.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("play: open %s: %w", path, err)
	}
	s := &fileSource{path: path, f: f, r: r, ch: r.Format().Channels}
	if s.ch > 1 {
		s.buf = make([]int16, maxChunk*s.ch)
	}
	return s, nil
}

func (s *fileSource) read(dst []int16) (int, error) {
	if s.ch == 1 {
		return s.readFull(dst)
	}
	n := 0
	for n < len(dst) {
		k, err := s.readFull(s.buf[:min(len(dst)-n, maxChunk)*s.ch])
		n += downmix(dst[n:], s.buf[:k], s.ch)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// readFull reads until dst is full or the data ends.
func (s *fileSource) readFull(dst []int16) (int, error) {
	n := 0
	for n < len(dst) {
		k, err := s.r.Read(dst[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (s *fileSource) rewind() error { return s.r.Rewind() }
func (s *fileSource) rate() int     { return s.r.Format().SampleRate }
func (s *fileSource) name() string  { return s.path }

// isEnd reports whether err just marks the end of the samples.
func isEnd(err error) bool { return errors.Is(err, io.EOF) }
