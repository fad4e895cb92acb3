package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/parley-cc/parley/media/mediatest"
)

// fmtChunk builds a WAVEFORMATEX body.
func fmtChunk(tag, channels, rate, bits int) []byte {
	b := make([]byte, 16)
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(tag))
	le.PutUint16(b[2:], uint16(channels))
	le.PutUint32(b[4:], uint32(rate))
	le.PutUint32(b[8:], uint32(rate*channels*bits/8))
	le.PutUint16(b[12:], uint16(channels*bits/8))
	le.PutUint16(b[14:], uint16(bits))
	return b
}

// extensibleChunk builds a WAVEFORMATEXTENSIBLE body for subTag.
func extensibleChunk(subTag, channels, rate, bits int) []byte {
	b := append(fmtChunk(tagExtensible, channels, rate, bits), make([]byte, 24)...)
	le := binary.LittleEndian
	le.PutUint16(b[16:], 22)
	le.PutUint16(b[18:], uint16(bits))
	le.PutUint32(b[20:], 3)
	le.PutUint16(b[24:], uint16(subTag))
	copy(b[26:], extensibleGUIDTail[:])
	return b
}

type chunk struct {
	id   string
	body []byte
}

// riff assembles chunks into a RIFF/WAVE file with correct sizes.
func riff(chunks ...chunk) []byte {
	var body bytes.Buffer
	body.WriteString("WAVE")
	for _, c := range chunks {
		body.WriteString(c.id)
		binary.Write(&body, binary.LittleEndian, uint32(len(c.body)))
		body.Write(c.body)
		if len(c.body)%2 == 1 {
			body.WriteByte(0)
		}
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(body.Len()))
	return append(out, body.Bytes()...)
}

func le16s(s ...int16) []byte {
	var b []byte
	for _, v := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func f32s(f ...float32) []byte {
	var b []byte
	for _, v := range f {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func f64s(f ...float64) []byte {
	var b []byte
	for _, v := range f {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

type readCase struct {
	name    string
	file    []byte
	format  Format
	want    []int16
	wantErr error // from NewReader, or from the end of reading
}

func readCases() []readCase {
	pcm16 := []int16{0, 1, -1, 32767, -32768, 1234, -4321, 7}
	return []readCase{
		{name: "pcm16 mono", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", le16s(pcm16...)}),
			format: Format{EncodingPCM, 8000, 1, 16}, want: pcm16},
		{name: "pcm16 stereo with LIST before data", file: riff(chunk{"fmt ", fmtChunk(1, 2, 16000, 16)},
			chunk{"LIST", []byte("INFOISFT\x05\x00\x00\x00sox\x00\x00\x00")}, chunk{"data", le16s(pcm16...)}),
			format: Format{EncodingPCM, 16000, 2, 16}, want: pcm16},
		{name: "pcm8 unsigned", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 8)}, chunk{"data", []byte{0x80, 0xff, 0x00, 0x81, 0x7f}}),
			format: Format{EncodingPCM, 8000, 1, 8}, want: []int16{0, 0x7f00, -32768, 256, -256}},
		{name: "pcm24", file: riff(chunk{"fmt ", fmtChunk(1, 1, 48000, 24)}, chunk{"data", []byte{0xff, 0x34, 0x12, 0x00, 0x00, 0x80}}),
			format: Format{EncodingPCM, 48000, 1, 24}, want: []int16{0x1234, -32768}},
		{name: "pcm32", file: riff(chunk{"fmt ", fmtChunk(1, 1, 44100, 32)}, chunk{"data", []byte{0xff, 0xff, 0x34, 0x12, 0, 0, 0, 0x80}}),
			format: Format{EncodingPCM, 44100, 1, 32}, want: []int16{0x1234, -32768}},
		{name: "float32 clipped", file: riff(chunk{"fmt ", fmtChunk(3, 1, 8000, 32)}, chunk{"data", f32s(0, 0.5, -1, 2, -2, float32(math.NaN()))}),
			format: Format{EncodingFloat, 8000, 1, 32}, want: []int16{0, 16384, -32768, 32767, -32768, 0}},
		{name: "float64", file: riff(chunk{"fmt ", fmtChunk(3, 1, 8000, 64)}, chunk{"data", f64s(0.25, -0.25)}),
			format: Format{EncodingFloat, 8000, 1, 64}, want: []int16{8192, -8192}},
		{name: "alaw", file: riff(chunk{"fmt ", append(fmtChunk(6, 1, 8000, 8), 0, 0)}, chunk{"fact", []byte{3, 0, 0, 0}}, chunk{"data", []byte{0xd5, 0x55, 0xaa}}),
			format: Format{EncodingALaw, 8000, 1, 8}, want: []int16{8, -8, 32256}},
		{name: "mulaw", file: riff(chunk{"fmt ", fmtChunk(7, 1, 8000, 8)}, chunk{"data", []byte{0xff, 0x7f, 0x00, 0x80}}),
			format: Format{EncodingMuLaw, 8000, 1, 8}, want: []int16{0, 0, -32124, 32124}},
		{name: "extensible pcm16 stereo", file: riff(chunk{"fmt ", extensibleChunk(1, 2, 16000, 16)}, chunk{"data", le16s(pcm16...)}),
			format: Format{EncodingPCM, 16000, 2, 16}, want: pcm16},
		{name: "extensible float32", file: riff(chunk{"fmt ", extensibleChunk(3, 1, 16000, 32)}, chunk{"data", f32s(0.5)}),
			format: Format{EncodingFloat, 16000, 1, 32}, want: []int16{16384}},
		{name: "empty data", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", nil}),
			format: Format{EncodingPCM, 8000, 1, 16}, want: nil},
		{name: "data then trailing LIST", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", le16s(5, 6)}, chunk{"LIST", []byte("INFO")}),
			format: Format{EncodingPCM, 8000, 1, 16}, want: []int16{5, 6}},
		{name: "unknown data size reads to EOF", file: func() []byte {
			b := riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", le16s(9, 8, 7)})
			binary.LittleEndian.PutUint32(b[40:], unknownSize)
			return b
		}(), format: Format{EncodingPCM, 8000, 1, 16}, want: []int16{9, 8, 7}},
		{name: "data chunk shorter than declared", file: func() []byte {
			b := riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", le16s(1, 2, 3)})
			binary.LittleEndian.PutUint32(b[40:], 100)
			return b
		}(), format: Format{EncodingPCM, 8000, 1, 16}, want: []int16{1, 2, 3}, wantErr: ErrTruncated},
		{name: "partial frame", file: riff(chunk{"fmt ", fmtChunk(1, 2, 8000, 16)}, chunk{"data", le16s(1, 2, 3)}),
			format: Format{EncodingPCM, 8000, 2, 16}, want: []int16{1, 2}, wantErr: ErrTruncated},
		{name: "empty input", file: nil, wantErr: ErrTruncated},
		{name: "not riff", file: []byte("ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), wantErr: ErrNotWAV},
		{name: "riff but AVI", file: []byte("RIFF\x04\x00\x00\x00AVI "), wantErr: ErrNotWAV},
		{name: "rf64", file: []byte("RF64\xff\xff\xff\xffWAVE"), wantErr: ErrUnsupportedFormat},
		{name: "rifx", file: []byte("RIFX\x00\x00\x00\x04WAVE"), wantErr: ErrUnsupportedFormat},
		{name: "header cut", file: []byte("RIFF\x24\x00"), wantErr: ErrTruncated},
		{name: "no data chunk", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}), wantErr: ErrTruncated},
		{name: "data before fmt", file: riff(chunk{"data", le16s(1)}, chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}), wantErr: ErrMalformed},
		{name: "two fmt chunks", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", nil}), wantErr: ErrMalformed},
		{name: "short fmt", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)[:14]}, chunk{"data", nil}), wantErr: ErrMalformed},
		{name: "huge fmt", file: riff(chunk{"fmt ", make([]byte, 2000)}, chunk{"data", nil}), wantErr: ErrChunkTooLarge},
		{name: "huge skipped chunk", file: append(riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}), "JUNK\x00\x00\x00\x7f"...), wantErr: ErrChunkTooLarge},
		{name: "adpcm", file: func() []byte {
			f := fmtChunk(2, 1, 8000, 4)
			f[13] = 1 // block align 256
			return riff(chunk{"fmt ", f}, chunk{"data", nil})
		}(), wantErr: ErrUnsupportedFormat},
		{name: "pcm12", file: riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 12)}, chunk{"data", nil}), wantErr: ErrUnsupportedFormat},
		{name: "zero channels", file: riff(chunk{"fmt ", fmtChunk(1, 0, 8000, 16)}, chunk{"data", nil}), wantErr: ErrMalformed},
		{name: "nine channels", file: riff(chunk{"fmt ", fmtChunk(1, 9, 8000, 16)}, chunk{"data", nil}), wantErr: ErrUnsupportedFormat},
		{name: "zero rate", file: riff(chunk{"fmt ", fmtChunk(1, 1, 0, 16)}, chunk{"data", nil}), wantErr: ErrUnsupportedFormat},
		{name: "wrong block align", file: func() []byte {
			f := fmtChunk(1, 2, 8000, 16)
			f[12] = 2
			return riff(chunk{"fmt ", f}, chunk{"data", nil})
		}(), wantErr: ErrMalformed},
		{name: "extensible bad guid", file: func() []byte {
			f := extensibleChunk(1, 1, 8000, 16)
			f[39] = 0
			return riff(chunk{"fmt ", f}, chunk{"data", nil})
		}(), wantErr: ErrUnsupportedFormat},
		{name: "extensible short", file: riff(chunk{"fmt ", extensibleChunk(1, 1, 8000, 16)[:30]}, chunk{"data", nil}), wantErr: ErrMalformed},
	}
}

// readAll reads r to the end with a buffer of bufLen samples.
func readAll(r *Reader, bufLen int) ([]int16, error) {
	var out []int16
	buf := make([]int16, bufLen)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestReader(t *testing.T) {
	for _, tc := range readCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, wrap := range []struct {
				name string
				fn   func(io.Reader) io.Reader
			}{
				{"plain", func(r io.Reader) io.Reader { return r }},
				{"one byte", iotest.OneByteReader},
				{"half", iotest.HalfReader},
				{"data err", iotest.DataErrReader},
			} {
				for _, bufLen := range []int{2, 3, 1024} {
					r, err := NewReader(wrap.fn(bytes.NewReader(tc.file)))
					if err != nil {
						if tc.wantErr == nil || !errors.Is(err, tc.wantErr) {
							t.Fatalf("%s: NewReader: %v, want %v", wrap.name, err, tc.wantErr)
						}
						continue
					}
					if got := r.Format(); got != tc.format {
						t.Fatalf("Format = %v, want %v", got, tc.format)
					}
					got, err := readAll(r, bufLen)
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("%s/%d: read error %v, want %v", wrap.name, bufLen, err, tc.wantErr)
					}
					if !slicesEqual(got, tc.want) {
						t.Fatalf("%s/%d: samples %v, want %v", wrap.name, bufLen, got, tc.want)
					}
				}
			}
		})
	}
}

func slicesEqual(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReaderEveryPrefix cuts a valid file at every byte offset: the Reader
// must fail cleanly or return a prefix of the full samples.
func TestReaderEveryPrefix(t *testing.T) {
	full := riff(chunk{"fmt ", extensibleChunk(1, 2, 8000, 16)}, chunk{"LIST", []byte("INFOabcd")},
		chunk{"data", le16s(1, 2, 3, 4, 5, 6, 7, 8)})
	want := []int16{1, 2, 3, 4, 5, 6, 7, 8}
	for cut := range len(full) {
		r, err := NewReader(bytes.NewReader(full[:cut]))
		if err != nil {
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("cut %d: NewReader: %v, want ErrTruncated", cut, err)
			}
			continue
		}
		got, err := readAll(r, 4)
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut %d: read error %v, want ErrTruncated", cut, err)
		}
		if !slicesEqual(got, want[:len(got)]) {
			t.Fatalf("cut %d: got %v, not a prefix of %v", cut, got, want)
		}
	}
}

func TestReaderShortBuffer(t *testing.T) {
	r, err := NewReader(bytes.NewReader(riff(chunk{"fmt ", fmtChunk(1, 2, 8000, 16)}, chunk{"data", le16s(1, 2)})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]int16, 1)); !errors.Is(err, ErrShortBuffer) {
		t.Fatalf("Read(1 sample) on stereo = %v, want ErrShortBuffer", err)
	}
}

func TestRewind(t *testing.T) {
	file := riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", le16s(1, 2, 3)})
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := readAll(r, 2)
		if err != nil || !slicesEqual(got, []int16{1, 2, 3}) {
			t.Fatalf("read = %v, %v", got, err)
		}
		if r.Position() != 3 || r.Frames() != 3 {
			t.Fatalf("Position %d Frames %d, want 3 3", r.Position(), r.Frames())
		}
		if err := r.Rewind(); err != nil {
			t.Fatal(err)
		}
	}
	r, err = NewReader(iotest.OneByteReader(bytes.NewReader(file)))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Rewind(); err == nil {
		t.Fatal("Rewind on a non-seeker succeeded")
	}
}

// TestG711Tables checks the expansion against ITU-T G.711 properties:
// odd symmetry, monotonic magnitude within a sign, and the end points.
func TestG711Tables(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tab      *[256]int16
		max, min int16
	}{
		{"alaw", alawToLinear, 32256, -32256},
		{"mulaw", ulawToLinear, 32124, -32124},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := int16(0), int16(0)
			for i := range 128 {
				p, n := tc.tab[i|0x80], tc.tab[i]
				if p != -n {
					t.Fatalf("code %#x: %d, code %#x: %d, want opposite", i|0x80, p, i, n)
				}
				lo, hi = min(lo, n), max(hi, p)
			}
			if hi != tc.max || lo != tc.min {
				t.Fatalf("range [%d, %d], want [%d, %d]", lo, hi, tc.min, tc.max)
			}
		})
	}
}

// writeWAV writes pcm with the Writer to a new file and closes it.
func writeWAV(t testing.TB, path string, rate, channels int, pcm []int16) {
	t.Helper()
	w, err := Create(path, WriterConfig{SampleRate: rate, Channels: channels})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// sine returns n frames of a tone on every channel (channel c at f*(c+1)).
func sine(n, channels, rate int, f float64) []int16 {
	out := make([]int16, n*channels)
	for i := range n {
		for c := range channels {
			out[i*channels+c] = int16(12000 * math.Sin(2*math.Pi*f*float64(c+1)*float64(i)/float64(rate)))
		}
	}
	return out
}

// soxi returns `soxi -<flag> path`.
func soxi(t testing.TB, flag, path string) string {
	t.Helper()
	mediatest.RequireTool(t, "soxi")
	out, err := exec.Command("soxi", "-"+flag, path).CombinedOutput()
	if err != nil {
		t.Fatalf("soxi -%s %s: %v: %s", flag, path, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestReaderSoxFormats converts a file written by the Writer into every
// encoding sox produces and reads it back.
func TestReaderSoxFormats(t *testing.T) {
	mediatest.RequireTool(t, "sox")
	dir := t.TempDir()
	src := filepath.Join(dir, "src.wav")
	pcm := sine(800, 2, 8000, 440)
	writeWAV(t, src, 8000, 2, pcm)
	for _, tc := range []struct {
		name   string
		args   []string
		format Format
		tol    float64 // allowed |error| relative to |sample|, plus 1 LSB of the format
		abs    int
	}{
		{"pcm8", []string{"-b", "8", "-e", "unsigned-integer"}, Format{EncodingPCM, 8000, 2, 8}, 0, 256},
		{"pcm24", []string{"-b", "24"}, Format{EncodingPCM, 8000, 2, 24}, 0, 0},
		{"pcm32", []string{"-b", "32"}, Format{EncodingPCM, 8000, 2, 32}, 0, 0},
		{"float32", []string{"-b", "32", "-e", "floating-point"}, Format{EncodingFloat, 8000, 2, 32}, 0, 0},
		{"float64", []string{"-b", "64", "-e", "floating-point"}, Format{EncodingFloat, 8000, 2, 64}, 0, 0},
		{"alaw", []string{"-e", "a-law"}, Format{EncodingALaw, 8000, 2, 8}, 1.0 / 32, 16},
		{"mulaw", []string{"-e", "mu-law"}, Format{EncodingMuLaw, 8000, 2, 8}, 1.0 / 32, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := filepath.Join(dir, tc.name+".wav")
			args := append([]string{"-D", src}, tc.args...)
			if out, err := exec.Command("sox", append(args, dst)...).CombinedOutput(); err != nil {
				t.Fatalf("sox: %v: %s", err, out)
			}
			f, got, err := ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if f != tc.format {
				t.Fatalf("format %v, want %v", f, tc.format)
			}
			if len(got) != len(pcm) {
				t.Fatalf("%d samples, want %d", len(got), len(pcm))
			}
			for i := range pcm {
				d := math.Abs(float64(got[i]) - float64(pcm[i]))
				if d > tc.tol*math.Abs(float64(pcm[i]))+float64(tc.abs) {
					t.Fatalf("sample %d: %d, want %d", i, got[i], pcm[i])
				}
			}
		})
	}
}

func TestWriterSoxi(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		rate, channels, frames int
	}{
		{8000, 1, 8000},
		{16000, 2, 24321},
		{48000, 2, 0},
	} {
		path := filepath.Join(dir, strconv.Itoa(tc.rate)+"-"+strconv.Itoa(tc.channels)+".wav")
		pcm := sine(tc.frames, tc.channels, tc.rate, 300)
		writeWAV(t, path, tc.rate, tc.channels, pcm)
		for flag, want := range map[string]string{
			"r": strconv.Itoa(tc.rate), "c": strconv.Itoa(tc.channels), "s": strconv.Itoa(tc.frames),
			"b": "16", "e": "Signed Integer PCM",
		} {
			if got := soxi(t, flag, path); got != want {
				t.Errorf("%s: soxi -%s = %q, want %q", path, flag, got, want)
			}
		}
		f, got, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if f != (Format{EncodingPCM, tc.rate, tc.channels, 16}) || !slicesEqual(got, pcm) {
			t.Fatalf("%s: read back %v, %d samples; want %d samples", path, f, len(got), len(pcm))
		}
	}
}

// headerSizes reads the RIFF and data sizes of a file on disk.
func headerSizes(t *testing.T, path string) (riffSize, dataSize uint32, fileSize int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[40:]), int64(len(b))
}

// TestWriterHeaderRefresh checks that the sizes on disk follow the audio
// every HeaderInterval without Close.
func TestWriterHeaderRefresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	w, err := Create(path, WriterConfig{SampleRate: 8000, Channels: 2, HeaderInterval: 100_000_000, BufferSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	frame := make([]int16, 320) // 20 ms stereo
	for i := 1; i <= 20; i++ {
		if _, err := w.Write(frame); err != nil {
			t.Fatal(err)
		}
		riffSize, dataSize, fileSize := headerSizes(t, path)
		wantData := uint32(i / 5 * 5 * 640) // a refresh every 5 frames (100 ms)
		if dataSize != wantData || riffSize != wantData+36 {
			t.Fatalf("after %d frames: data %d riff %d, want %d %d", i, dataSize, riffSize, wantData, wantData+36)
		}
		if fileSize < int64(wantData)+44 {
			t.Fatalf("after %d frames: file %d bytes, shorter than its header says", i, fileSize)
		}
	}
	if w.Frames() != 3200 || w.Duration() != 400_000_000 {
		t.Fatalf("Frames %d Duration %v", w.Frames(), w.Duration())
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	for _, cfg := range []WriterConfig{{}, {SampleRate: -1}, {SampleRate: 8000, Channels: 9}, {SampleRate: 8000, Channels: -1}} {
		if _, err := Create(filepath.Join(dir, "x.wav"), cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Create(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	w, err := Create(filepath.Join(dir, "y.wav"), WriterConfig{SampleRate: 8000, Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]int16, 3)); !errors.Is(err, ErrPartialFrame) {
		t.Fatalf("Write(3 samples stereo) = %v, want ErrPartialFrame", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]int16, 2)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close = %v, want ErrClosed", err)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close = %v, want ErrClosed", err)
	}
	if _, err := Create(filepath.Join(dir, "missing", "z.wav"), WriterConfig{SampleRate: 8000}); err == nil {
		t.Fatal("Create in a missing directory succeeded")
	}
}

func TestWriterAllocs(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "a.wav"), WriterConfig{SampleRate: 16000, Channels: 2, HeaderInterval: 20_000_000, BufferSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	frame := sine(320, 2, 16000, 1000)
	if n := testing.AllocsPerRun(200, func() { w.Write(frame) }); n != 0 {
		t.Fatalf("Write allocates %v times per 20 ms frame", n)
	}
}

func TestReaderAllocs(t *testing.T) {
	file := riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 16)}, chunk{"data", make([]byte, 1<<20)})
	br := bytes.NewReader(file)
	r, err := NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, 160)
	if n := testing.AllocsPerRun(200, func() { r.Read(pcm) }); n != 0 {
		t.Fatalf("Read allocates %v times per 20 ms frame", n)
	}
}

func BenchmarkWriterWrite20ms(b *testing.B) {
	w, err := Create(filepath.Join(b.TempDir(), "b.wav"), WriterConfig{SampleRate: 16000, Channels: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	frame := sine(320, 2, 16000, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Write(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderRead20ms(b *testing.B) {
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"pcm16", riff(chunk{"fmt ", fmtChunk(1, 2, 16000, 16)}, chunk{"data", make([]byte, 1<<20)})},
		{"float32", riff(chunk{"fmt ", fmtChunk(3, 2, 16000, 32)}, chunk{"data", make([]byte, 1<<20)})},
		{"mulaw", riff(chunk{"fmt ", fmtChunk(7, 2, 16000, 8)}, chunk{"data", make([]byte, 1<<20)})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			br := bytes.NewReader(tc.file)
			r, err := NewReader(br)
			if err != nil {
				b.Fatal(err)
			}
			pcm := make([]int16, 640)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Read(pcm); err == io.EOF {
					r.Rewind()
				}
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	for _, tc := range readCases() {
		f.Add(tc.file)
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		r, err := NewReader(bytes.NewReader(file))
		if err != nil {
			return
		}
		fm := r.Format()
		if fm.validate() != nil {
			t.Fatalf("NewReader accepted invalid format %v", fm)
		}
		got, _ := readAll(r, 7*fm.Channels)
		if len(got)%fm.Channels != 0 {
			t.Fatalf("read %d samples, not whole %d-channel frames", len(got), fm.Channels)
		}
		if int64(len(got)) > int64(len(file)) {
			t.Fatalf("read %d samples from %d bytes", len(got), len(file))
		}
	})
}
