package wav

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"
)

// seekBuf is an in-memory file: an io.WriteSeeker without WriteAt, so a
// Writer on it refreshes the header by seeking.
type seekBuf struct {
	b   []byte
	off int
}

func (f *seekBuf) Write(p []byte) (int, error) {
	if n := f.off + len(p) - len(f.b); n > 0 {
		f.b = append(f.b, make([]byte, n)...)
	}
	f.off += copy(f.b[f.off:], p)
	return len(p), nil
}

func (f *seekBuf) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekStart || off < 0 {
		return 0, fmt.Errorf("seekBuf: seek %d from %d", off, whence)
	}
	f.off = int(off)
	return off, nil
}

// atBuf adds WriteAt, the path an *os.File takes.
type atBuf struct{ seekBuf }

func (f *atBuf) WriteAt(p []byte, off int64) (int, error) {
	if int(off)+len(p) > len(f.b) {
		return 0, fmt.Errorf("atBuf: WriteAt past the end")
	}
	return copy(f.b[off:], p), nil
}

// le16Ref encodes samples byte by byte, the reference for putLE16 and
// putStereoLE16.
func le16Ref(pcm []int16) []byte {
	var b []byte
	for _, v := range pcm {
		b = append(b, byte(v), byte(uint16(v)>>8))
	}
	return b
}

func randPCM(rng *rand.Rand, n int) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(rng.Uint32())
	}
	pcm[0], pcm[n-1] = -32768, 32767
	return pcm
}

func TestPutLE16(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := randPCM(rng, 21)
	for n := range len(src) {
		dst := make([]byte, 2*n)
		putLE16(dst, src[:n])
		if want := le16Ref(src[:n]); !bytes.Equal(dst, want) {
			t.Fatalf("putLE16 of %d samples = %x, want %x", n, dst, want)
		}
		left, right := src[:n], src[len(src)-n:]
		dst = make([]byte, 4*n)
		putStereoLE16(dst, left, right)
		var stereo []int16
		for i := range n {
			stereo = append(stereo, left[i], right[i])
		}
		if want := le16Ref(stereo); !bytes.Equal(dst, want) {
			t.Fatalf("putStereoLE16 of %d frames = %x, want %x", n, dst, want)
		}
	}
}

// TestWriteStereo checks that WriteStereo (on a destination with WriteAt)
// leaves exactly the bytes that Write of the interleaved samples (on one
// without) leaves, after every call: the same audio, buffer flushes and
// header refreshes.
func TestWriteStereo(t *testing.T) {
	for _, bufSize := range []int{4, 12, 1000, 0} {
		for _, interval := range []time.Duration{-1, time.Millisecond, 10 * time.Millisecond, 0} {
			t.Run(fmt.Sprintf("buffer-%d-interval-%v", bufSize, interval), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(bufSize), uint64(interval)))
				cfg := WriterConfig{SampleRate: 8000, Channels: 2, BufferSize: bufSize, HeaderInterval: interval}
				planar, interleaved := &atBuf{}, &seekBuf{}
				wp, err := NewWriter(planar, cfg)
				if err != nil {
					t.Fatal(err)
				}
				wi, err := NewWriter(interleaved, cfg)
				if err != nil {
					t.Fatal(err)
				}
				var all []int16
				for k := range 200 {
					n := rng.IntN(400)
					if k%10 == 0 {
						n = 0
					}
					left, right := randPCM(rng, n+1)[:n], randPCM(rng, n+1)[:n]
					stereo := make([]int16, 0, 2*n)
					for i := range n {
						stereo = append(stereo, left[i], right[i])
					}
					all = append(all, stereo...)
					if got, err := wp.WriteStereo(left, right); got != n || err != nil {
						t.Fatalf("WriteStereo(%d frames) = %d, %v", n, got, err)
					}
					if got, err := wi.Write(stereo); got != 2*n || err != nil {
						t.Fatalf("Write(%d samples) = %d, %v", 2*n, got, err)
					}
					if !bytes.Equal(planar.b, interleaved.b) || wp.Frames() != wi.Frames() {
						t.Fatalf("after %d writes: files of %d and %d bytes differ", k+1, len(planar.b), len(interleaved.b))
					}
				}
				if err := wp.Close(); err != nil {
					t.Fatal(err)
				}
				if err := wi.Close(); err != nil {
					t.Fatal(err)
				}
				want := riff(chunk{"fmt ", fmtChunk(tagPCM, 2, 8000, 16)}, chunk{"data", le16Ref(all)})
				if !bytes.Equal(planar.b, want) || !bytes.Equal(interleaved.b, want) {
					t.Fatalf("closed files of %d and %d bytes, want %d", len(planar.b), len(interleaved.b), len(want))
				}
			})
		}
	}
}

func TestWriteStereoErrors(t *testing.T) {
	dir := t.TempDir()
	mono, err := Create(filepath.Join(dir, "mono.wav"), WriterConfig{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	defer mono.Close()
	if _, err := mono.WriteStereo(make([]int16, 4), make([]int16, 4)); !errors.Is(err, ErrChannelCount) {
		t.Errorf("WriteStereo on a mono writer = %v, want ErrChannelCount", err)
	}
	w, err := Create(filepath.Join(dir, "stereo.wav"), WriterConfig{SampleRate: 8000, Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteStereo(make([]int16, 4), make([]int16, 3)); !errors.Is(err, ErrPartialFrame) {
		t.Errorf("WriteStereo(4 left, 3 right) = %v, want ErrPartialFrame", err)
	}
	if w.Frames() != 0 {
		t.Errorf("rejected writes counted %d frames", w.Frames())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteStereo(make([]int16, 1), make([]int16, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteStereo after Close = %v, want ErrClosed", err)
	}
}

func TestWriteStereoAllocs(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "a.wav"), WriterConfig{SampleRate: 16000, Channels: 2, HeaderInterval: 20_000_000, BufferSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	left, right := sine(320, 1, 16000, 1000), sine(320, 1, 16000, 700)
	if n := testing.AllocsPerRun(200, func() { w.WriteStereo(left, right) }); n != 0 {
		t.Fatalf("WriteStereo allocates %v times per 20 ms frame", n)
	}
}

// BenchmarkWriterWriteStereoDiscard20ms is BenchmarkWriterWriteDiscard20ms
// with the two channels planar, through WriteStereo.
func BenchmarkWriterWriteStereoDiscard20ms(b *testing.B) {
	left, right := sine(320, 1, 16000, 1000), sine(320, 1, 16000, 2000)
	benchDiscard(b, func(w *Writer) error {
		_, err := w.WriteStereo(left, right)
		return err
	})
}
