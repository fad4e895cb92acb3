package wav

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"
)

// headerSize is the size of the canonical header the Writer emits:
// RIFF(12) + fmt chunk(8+16) + data chunk header(8).
const headerSize = 44

// maxDataSize keeps the RIFF size (data + 36) within 32 bits.
const maxDataSize = 0xFFFFFFFF - (headerSize - 8)

// Writer defaults.
const (
	// DefaultHeaderInterval is how much audio the Writer writes between
	// header refreshes when WriterConfig.HeaderInterval is zero.
	DefaultHeaderInterval = time.Second
	// DefaultBufferSize is the Writer's buffer when WriterConfig.BufferSize
	// is zero.
	DefaultBufferSize = 32 << 10
)

// WriterConfig configures a Writer. The zero value of each optional field
// means its default.
type WriterConfig struct {
	// SampleRate in Hz; required.
	SampleRate int
	// Channels is the number of interleaved channels; default 1.
	Channels int
	// HeaderInterval is how much audio may be written between two
	// rewrites of the RIFF and data sizes (each preceded by a buffer
	// flush); default DefaultHeaderInterval. Negative means only on Flush
	// and Close.
	HeaderInterval time.Duration
	// BufferSize is the byte buffer between Write and the file; default
	// DefaultBufferSize.
	BufferSize int
	// Fsync makes every header refresh and Close also sync the file to
	// stable storage (if the destination has a Sync method), so a machine
	// crash, not just a process crash, loses at most HeaderInterval.
	Fsync bool
}

// Writer streams 16-bit PCM to a WAV file. It writes the header up front and
// keeps its sizes current every HeaderInterval of audio, so the file is
// readable (up to the last refresh) while it grows and repairable after a
// crash.
type Writer struct {
	w        io.WriteSeeker
	closer   io.Closer // set by Create
	cfg      WriterConfig
	buf      []byte
	data     int64 // audio bytes written to w (excluding buf)
	frames   int64 // frames accepted, including buffered ones
	sinceHdr int64 // frames accepted since the last header refresh
	every    int64 // refresh period in frames; 0 means never
	err      error // sticky
	closed   bool
	hdr      [headerSize]byte
}

// NewWriter writes a 44-byte PCM header to w and returns a Writer that
// appends audio after it. w must be positioned at the start of the file.
// The caller keeps ownership of w; Close does not close it.
func NewWriter(w io.WriteSeeker, cfg WriterConfig) (*Writer, error) {
	if cfg.SampleRate < 1 || cfg.SampleRate > MaxSampleRate {
		return nil, fmt.Errorf("%w: sample rate %d", ErrInvalidConfig, cfg.SampleRate)
	}
	if cfg.Channels == 0 {
		cfg.Channels = 1
	}
	if cfg.Channels < 1 || cfg.Channels > MaxChannels {
		return nil, fmt.Errorf("%w: %d channels", ErrInvalidConfig, cfg.Channels)
	}
	if cfg.HeaderInterval == 0 {
		cfg.HeaderInterval = DefaultHeaderInterval
	}
	if cfg.BufferSize <= 0 {
		cfg.BufferSize = DefaultBufferSize
	}
	blockAlign := 2 * cfg.Channels
	wr := &Writer{w: w, cfg: cfg, buf: make([]byte, 0, max(cfg.BufferSize/blockAlign, 1)*blockAlign)}
	if cfg.HeaderInterval > 0 {
		wr.every = max(int64(cfg.HeaderInterval)*int64(cfg.SampleRate)/int64(time.Second), 1)
	}
	wr.putHeader()
	if _, err := w.Write(wr.hdr[:]); err != nil {
		return nil, fmt.Errorf("wav: write header: %w", err)
	}
	return wr, nil
}

// Create creates (or truncates) the file at path and returns a Writer that
// owns it: Close closes the file.
func Create(path string, cfg WriterConfig) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("wav: %w", err)
	}
	w, err := NewWriter(f, cfg)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	w.closer = f
	return w, nil
}

// putHeader fills w.hdr with a canonical PCM header for w.data bytes
// (RIFF/WAVE, Microsoft Multimedia Programming Interface 1.0, 1991).
func (w *Writer) putHeader() {
	le := binary.LittleEndian
	h := w.hdr[:]
	ch, rate := w.cfg.Channels, w.cfg.SampleRate
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(w.data+headerSize-8))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], tagPCM)
	le.PutUint16(h[22:], uint16(ch))
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*ch*2))
	le.PutUint16(h[32:], uint16(ch*2))
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(w.data))
}

// Write appends interleaved samples (a whole number of frames) and returns
// how many it accepted. It may flush the buffer and refresh the header; it
// does not allocate.
func (w *Writer) Write(pcm []int16) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	if len(pcm)%w.cfg.Channels != 0 {
		return 0, fmt.Errorf("%w: %d samples, %d channels", ErrPartialFrame, len(pcm), w.cfg.Channels)
	}
	if err := w.fits(len(pcm)); err != nil {
		return 0, err
	}
	done := 0
	for done < len(pcm) {
		if len(w.buf) == cap(w.buf) {
			if err := w.flushBuf(); err != nil {
				return done, err
			}
		}
		n := min(len(pcm)-done, (cap(w.buf)-len(w.buf))/2)
		putLE16(w.buf[len(w.buf):len(w.buf)+2*n], pcm[done:done+n])
		w.buf = w.buf[:len(w.buf)+2*n]
		done += n
	}
	return done, w.accepted(len(pcm) / w.cfg.Channels)
}

// WriteStereo appends len(left) frames to a 2-channel Writer from two
// planar channels: frame i is left[i], right[i]. It interleaves and
// converts in one pass, which makes it cheaper than interleaving into a
// buffer for Write; otherwise it behaves as Write of the interleaved
// samples (the same bytes, buffer flushes and header refreshes). It
// returns the number of frames accepted and does not allocate.
func (w *Writer) WriteStereo(left, right []int16) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	if w.cfg.Channels != 2 {
		return 0, fmt.Errorf("%w: WriteStereo on a %d-channel writer", ErrChannelCount, w.cfg.Channels)
	}
	if len(left) != len(right) {
		return 0, fmt.Errorf("%w: %d left and %d right samples", ErrPartialFrame, len(left), len(right))
	}
	if err := w.fits(2 * len(left)); err != nil {
		return 0, err
	}
	done := 0
	for done < len(left) {
		if len(w.buf) == cap(w.buf) {
			if err := w.flushBuf(); err != nil {
				return done, err
			}
		}
		n := min(len(left)-done, (cap(w.buf)-len(w.buf))/4)
		putStereoLE16(w.buf[len(w.buf):len(w.buf)+4*n], left[done:done+n], right[done:done+n])
		w.buf = w.buf[:len(w.buf)+4*n]
		done += n
	}
	return done, w.accepted(len(left))
}

// fits returns ErrTooLarge if samples more samples would take the data
// chunk past the 32-bit RIFF size.
func (w *Writer) fits(samples int) error {
	if w.data+int64(len(w.buf))+2*int64(samples) > maxDataSize {
		return fmt.Errorf("%w: %d frames written", ErrTooLarge, w.frames)
	}
	return nil
}

// accepted counts frames just buffered and refreshes the header when
// HeaderInterval is due.
func (w *Writer) accepted(frames int) error {
	w.frames += int64(frames)
	w.sinceHdr += int64(frames)
	if w.every > 0 && w.sinceHdr >= w.every {
		return w.Flush()
	}
	return nil
}

// Frames returns the number of sample frames written so far.
func (w *Writer) Frames() int64 { return w.frames }

// Duration returns the duration of the audio written so far.
func (w *Writer) Duration() time.Duration {
	return time.Duration(w.frames * int64(time.Second) / int64(w.cfg.SampleRate))
}

// Flush writes buffered audio and rewrites the header sizes (and syncs if
// WriterConfig.Fsync is set). After Flush the file on disk is complete.
func (w *Writer) Flush() error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.flushBuf(); err != nil {
		return err
	}
	return w.refreshHeader()
}

// Close flushes, writes the final sizes, and closes the file if the Writer
// was made by Create. Further calls return ErrClosed.
func (w *Writer) Close() error {
	if w.closed {
		return ErrClosed
	}
	err := w.Flush()
	w.closed = true
	if w.closer != nil {
		if cerr := w.closer.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("wav: close: %w", cerr)
		}
	}
	return err
}

func (w *Writer) usable() error {
	if w.closed {
		return ErrClosed
	}
	return w.err
}

func (w *Writer) flushBuf() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.w.Write(w.buf)
	w.data += int64(n)
	if err != nil {
		w.err = fmt.Errorf("wav: write data: %w", err)
		return w.err
	}
	w.buf = w.buf[:0]
	return nil
}

// refreshHeader rewrites the RIFF size at offset 4 and the data size at
// offset 40. A destination with WriteAt (an *os.File) gets one positioned
// write of bytes 4-43, the two sizes and the unchanged fmt chunk between
// them; any other is seeked to each field and back to the end of the
// audio.
func (w *Writer) refreshHeader() error {
	w.sinceHdr = 0
	w.putHeader()
	if wa, ok := w.w.(io.WriterAt); ok {
		if _, err := wa.WriteAt(w.hdr[4:], 4); err != nil {
			w.err = fmt.Errorf("wav: rewrite header: %w", err)
			return w.err
		}
		return w.sync()
	}
	for _, field := range [2]int64{4, 40} {
		if _, err := w.w.Seek(field, io.SeekStart); err != nil {
			w.err = fmt.Errorf("wav: seek to header: %w", err)
			return w.err
		}
		if _, err := w.w.Write(w.hdr[field : field+4]); err != nil {
			w.err = fmt.Errorf("wav: rewrite header: %w", err)
			return w.err
		}
	}
	if _, err := w.w.Seek(headerSize+w.data, io.SeekStart); err != nil {
		w.err = fmt.Errorf("wav: seek to end: %w", err)
		return w.err
	}
	return w.sync()
}

// sync syncs the destination if WriterConfig.Fsync is set and it can.
func (w *Writer) sync() error {
	if s, ok := w.w.(interface{ Sync() error }); ok && w.cfg.Fsync {
		if err := s.Sync(); err != nil {
			w.err = fmt.Errorf("wav: sync: %w", err)
			return w.err
		}
	}
	return nil
}

// putLE16 stores src as little-endian 16-bit samples in dst, which holds
// exactly 2*len(src) bytes. It is the hot path of Write: four samples go
// out in one 64-bit store (a single instruction on little-endian
// machines).
func putLE16(dst []byte, src []int16) {
	dst = dst[:2*len(src)]
	i := 0
	for ; i+4 <= len(src); i += 4 {
		s := src[i : i+4 : i+4]
		binary.LittleEndian.PutUint64(dst[2*i:],
			uint64(uint16(s[0]))|uint64(uint16(s[1]))<<16|uint64(uint16(s[2]))<<32|uint64(uint16(s[3]))<<48)
	}
	for ; i < len(src); i++ {
		binary.LittleEndian.PutUint16(dst[2*i:], uint16(src[i]))
	}
}

// putStereoLE16 interleaves left and right (of equal length) into dst as
// little-endian 16-bit stereo frames; dst holds exactly 4*len(left)
// bytes. It is the hot path of recording: two frames go out in one 64-bit
// store.
func putStereoLE16(dst []byte, left, right []int16) {
	n := len(left)
	right = right[:n]
	dst = dst[:4*n]
	i := 0
	for ; i+4 <= n; i += 4 {
		l, r, d := left[i:i+4:i+4], right[i:i+4:i+4], dst[4*i:4*i+16:4*i+16]
		binary.LittleEndian.PutUint64(d[0:], uint64(uint16(l[0]))|uint64(uint16(r[0]))<<16|uint64(uint16(l[1]))<<32|uint64(uint16(r[1]))<<48)
		binary.LittleEndian.PutUint64(d[8:], uint64(uint16(l[2]))|uint64(uint16(r[2]))<<16|uint64(uint16(l[3]))<<32|uint64(uint16(r[3]))<<48)
	}
	for ; i < n; i++ {
		binary.LittleEndian.PutUint32(dst[4*i:], uint32(uint16(left[i]))|uint32(uint16(right[i]))<<16)
	}
}
