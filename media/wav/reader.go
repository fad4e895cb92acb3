package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// readBufSize is the Reader's byte buffer. It need not be a multiple of
// the block align: each read is rounded down to whole frames.
const readBufSize = 4096

// unknownSize in a data chunk header means "until the end of the stream"
// (written by streaming tools that cannot seek back).
const unknownSize = 0xFFFFFFFF

// Reader streams the samples of a WAV file as interleaved int16.
type Reader struct {
	r         io.Reader
	f         Format
	start     int64 // stream offset at NewReader when r is an io.Seeker, else -1
	h         header
	remaining int64 // audio bytes left; -1 means until EOF
	frames    int64 // frames read so far
	err       error // sticky error returned once buffered samples are out
	buf       [readBufSize]byte
}

// NewReader reads the header from r, leaving r at the first audio byte. It
// returns ErrNotWAV, ErrUnsupportedFormat, ErrMalformed, ErrTruncated or
// ErrChunkTooLarge (wrapped) for input it cannot stream.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{r: r, start: -1}
	if s, ok := r.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			rd.start = pos
		}
	}
	h, err := parseHeader(r)
	if err != nil {
		return nil, err
	}
	if rd.f, err = h.format(); err != nil {
		return nil, err
	}
	rd.h = h
	rd.reset()
	return rd, nil
}

func (r *Reader) reset() {
	r.remaining = int64(r.h.dataSize)
	if r.h.dataSize == unknownSize {
		r.remaining = -1
	}
	r.frames, r.err = 0, nil
}

// Format returns the format of the audio.
func (r *Reader) Format() Format { return r.f }

// Frames returns the number of sample frames the data chunk declares, or -1
// if it declares an unknown length (size 0xFFFFFFFF, read until EOF).
func (r *Reader) Frames() int64 {
	if r.h.dataSize == unknownSize {
		return -1
	}
	return int64(r.h.dataSize) / int64(r.h.blockAlign)
}

// Position returns the number of sample frames read so far.
func (r *Reader) Position() int64 { return r.frames }

// Read fills pcm with interleaved int16 samples, as many whole sample frames
// as fit, and returns the number of samples (not frames) written. It returns
// io.EOF after the last frame, and ErrTruncated (wrapped) if the data chunk
// ends early or inside a frame, after first returning the whole frames
// before that point. pcm must hold at least one frame (Channels samples).
// Read does not allocate.
func (r *Reader) Read(pcm []int16) (int, error) {
	ch := r.f.Channels
	if len(pcm) < ch {
		return 0, fmt.Errorf("%w: %d samples for %d channels", ErrShortBuffer, len(pcm), ch)
	}
	n := 0
	for n+ch <= len(pcm) && r.err == nil {
		n += r.fill(pcm[n : n+(len(pcm)-n)/ch*ch])
	}
	if n > 0 {
		return n, nil
	}
	return 0, r.err
}

// fill reads at most one buffer of whole frames into pcm (a whole number of
// frames long) and returns the samples written, setting r.err at the end.
func (r *Reader) fill(pcm []int16) int {
	ba := r.h.blockAlign
	want := int64(len(pcm) / r.f.Channels * ba)
	want = min(want, int64(len(r.buf)/ba*ba))
	if r.remaining >= 0 {
		want = min(want, r.remaining/int64(ba)*int64(ba))
		if want == 0 {
			r.err = io.EOF
			if r.remaining > 0 {
				r.err = fmt.Errorf("%w: %d bytes after the last whole frame", ErrTruncated, r.remaining)
			}
			return 0
		}
	}
	got, err := io.ReadFull(r.r, r.buf[:want])
	whole := got / ba * ba
	if r.remaining >= 0 {
		r.remaining -= int64(got)
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		switch {
		case r.remaining > 0:
			r.err = fmt.Errorf("%w: data chunk ends %d bytes early", ErrTruncated, r.remaining)
		case got > whole:
			r.err = fmt.Errorf("%w: %d bytes after the last whole frame", ErrTruncated, got-whole)
		default:
			r.err = io.EOF
		}
	default:
		r.err = fmt.Errorf("wav: read data: %w", err)
	}
	r.convert(pcm, r.buf[:whole])
	r.frames += int64(whole / ba)
	return whole / ba * r.f.Channels
}

// Rewind moves back to the first frame. The underlying reader must be an
// io.Seeker that was positioned at the start of the file (or of the WAV
// data within it) when NewReader was called.
func (r *Reader) Rewind() error {
	s, ok := r.r.(io.Seeker)
	if !ok || r.start < 0 {
		return errors.New("wav: rewind: reader is not seekable")
	}
	if _, err := s.Seek(r.start+r.h.dataOffset, io.SeekStart); err != nil {
		return fmt.Errorf("wav: rewind: %w", err)
	}
	r.reset()
	return nil
}

// convert decodes whole frames in src into dst.
func (r *Reader) convert(dst []int16, src []byte) {
	le := binary.LittleEndian
	switch r.f.Encoding {
	case EncodingALaw:
		for i, b := range src {
			dst[i] = alawToLinear[b]
		}
	case EncodingMuLaw:
		for i, b := range src {
			dst[i] = ulawToLinear[b]
		}
	case EncodingFloat:
		if r.f.BitsPerSample == 32 {
			for i := range len(src) / 4 {
				dst[i] = floatToInt16(float64(math.Float32frombits(le.Uint32(src[4*i:]))))
			}
			return
		}
		for i := range len(src) / 8 {
			dst[i] = floatToInt16(math.Float64frombits(le.Uint64(src[8*i:])))
		}
	default: // EncodingPCM: keep the 16 most significant bits.
		switch r.f.BitsPerSample {
		case 8:
			for i, b := range src {
				dst[i] = int16(b^0x80) << 8
			}
		case 16:
			for i := range len(src) / 2 {
				dst[i] = int16(le.Uint16(src[2*i:]))
			}
		case 24:
			for i := range len(src) / 3 {
				dst[i] = int16(le.Uint16(src[3*i+1:]))
			}
		case 32:
			for i := range len(src) / 4 {
				dst[i] = int16(le.Uint16(src[4*i+2:]))
			}
		}
	}
}

// floatToInt16 scales a full-scale ±1.0 sample to int16, clipping and
// mapping NaN to 0.
func floatToInt16(v float64) int16 {
	v = math.Round(v * 32768)
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	case v != v: // NaN
		return 0
	}
	return int16(v)
}

// ReadFile reads a whole WAV file into memory as interleaved int16.
func ReadFile(path string) (Format, []int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return Format{}, nil, fmt.Errorf("wav: %w", err)
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		return Format{}, nil, fmt.Errorf("read %s: %w", path, err)
	}
	// Size the slice from the file, not the header, which may lie.
	st, err := f.Stat()
	if err != nil {
		return Format{}, nil, fmt.Errorf("wav: %w", err)
	}
	avail := (st.Size() - r.h.dataOffset) / int64(r.h.blockAlign)
	if n := r.Frames(); n >= 0 {
		avail = min(avail, n)
	}
	pcm := make([]int16, max(avail, 0)*int64(r.f.Channels))
	n := 0
	for n < len(pcm) {
		m, err := r.Read(pcm[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return r.f, pcm[:n], fmt.Errorf("read %s: %w", path, err)
		}
	}
	return r.f, pcm[:n], nil
}
