package wav

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// withSizes returns a copy of file with the RIFF and data size fields of a
// canonical 44-byte header replaced.
func withSizes(file []byte, riffSize, dataSize uint32) []byte {
	b := append([]byte(nil), file...)
	binary.LittleEndian.PutUint32(b[4:], riffSize)
	binary.LittleEndian.PutUint32(b[40:], dataSize)
	return b
}

type repairCase struct {
	name      string
	file      []byte
	repaired  bool
	frames    int64
	fileSize  int64
	wantErr   error
	wantAudio []int16 // nil: do not check
}

func repairCases() []repairCase {
	audio := le16s(1, -1, 2, -2, 3, -3, 4, -4) // 4 stereo frames
	good := riff(chunk{"fmt ", fmtChunk(1, 2, 8000, 16)}, chunk{"data", audio})
	return []repairCase{
		{name: "good", file: good, frames: 4, fileSize: 60, wantAudio: []int16{1, -1, 2, -2, 3, -3, 4, -4}},
		{name: "good with trailing LIST", file: riff(chunk{"fmt ", fmtChunk(1, 2, 8000, 16)}, chunk{"data", audio}, chunk{"LIST", []byte("INFOx")}),
			frames: 4, fileSize: 74},
		{name: "sizes zero", file: withSizes(good, 0, 0), repaired: true, frames: 4, fileSize: 60,
			wantAudio: []int16{1, -1, 2, -2, 3, -3, 4, -4}},
		{name: "sizes stale", file: withSizes(good, 36+4, 4), repaired: true, frames: 4, fileSize: 60},
		{name: "unknown-length marker 0xFFFFFFFF", file: withSizes(good, 0xFFFFFFFF, 0xFFFFFFFF), repaired: true, frames: 4, fileSize: 60},
		{name: "data size beyond end", file: withSizes(good, 1000, 1000), repaired: true, frames: 4, fileSize: 60},
		{name: "only riff size wrong", file: withSizes(good, 7, 16), repaired: true, frames: 4, fileSize: 60},
		{name: "partial frame cut", file: append(withSizes(good, 0, 0), 9, 0, 9), repaired: true, frames: 4, fileSize: 60,
			wantAudio: []int16{1, -1, 2, -2, 3, -3, 4, -4}},
		{name: "header only", file: withSizes(good[:44], 0, 0), frames: 0, fileSize: 44, repaired: true},
		{name: "odd 8-bit data gets a pad byte", file: func() []byte {
			b := riff(chunk{"fmt ", fmtChunk(1, 1, 8000, 8)}, chunk{"data", []byte{1, 2, 3}})
			return withSizes(b[:47], 0, 0)
		}(), repaired: true, frames: 3, fileSize: 48},
		{name: "not wav", file: []byte("hello, world, this is text"), wantErr: ErrNotWAV},
		{name: "empty", file: nil, wantErr: ErrTruncated},
		{name: "cut inside header", file: good[:30], wantErr: ErrTruncated},
		{name: "no fmt", file: riff(chunk{"data", audio}), wantErr: ErrMalformed},
	}
}

func TestRepair(t *testing.T) {
	dir := t.TempDir()
	for i, tc := range repairCases() {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strconv.Itoa(i)+".wav")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Repair(path)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Repair = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if b, _ := os.ReadFile(path); string(b) != string(tc.file) {
					t.Fatal("failed Repair changed the file")
				}
				return
			}
			if res.Repaired != tc.repaired || res.Frames != tc.frames || res.FileSize != tc.fileSize {
				t.Fatalf("Repair = %v, want repaired=%v frames=%d size=%d", res, tc.repaired, tc.frames, tc.fileSize)
			}
			riffSize, dataSize, fileSize := headerSizes(t, path)
			if fileSize != tc.fileSize || int64(riffSize) != fileSize-8 || dataSize != res.DataSize {
				t.Fatalf("on disk: riff %d data %d file %d; result %v", riffSize, dataSize, fileSize, res)
			}
			again, err := Repair(path)
			if err != nil || again.Repaired {
				t.Fatalf("second Repair = %v, %v; want a no-op", again, err)
			}
			if tc.wantAudio != nil {
				_, got, err := ReadFile(path)
				if err != nil || !slicesEqual(got, tc.wantAudio) {
					t.Fatalf("read back %v, %v; want %v", got, err, tc.wantAudio)
				}
			}
		})
	}
	if _, err := Repair(filepath.Join(dir, "missing.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Repair(missing) = %v, want ErrNotExist", err)
	}
}

// TestRepairAfterKill writes with the Writer, abandons it without Close (as
// a killed process would), repairs the file and reads it back with the
// Reader and soxi.
func TestRepairAfterKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "killed.wav")
	const rate, interval = 16000, 250_000_000 // 250 ms header refresh
	w, err := Create(path, WriterConfig{SampleRate: rate, Channels: 2, HeaderInterval: interval, BufferSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	pcm := sine(rate*134/100, 2, rate, 500) // 1.34 s, 67 frames of 20 ms
	for i := 0; i < len(pcm); i += 640 {
		if _, err := w.Write(pcm[i : i+640]); err != nil {
			t.Fatal(err)
		}
	}
	// Simulate the kill: the buffered tail never reaches the file and the
	// file is left as the process left it.
	w.closer.Close()
	total := uint32(2 * len(pcm))
	_, stale, _ := headerSizes(t, path)
	if stale >= total || total-stale > 4*rate/4+1280 {
		t.Fatalf("stale data size %d of %d bytes written, want within 250 ms + 20 ms", stale, total)
	}
	res, err := Repair(path)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Repaired || res.DataSize <= stale || res.DataSize > total {
		t.Fatalf("Repair = %v, want more than the stale %d bytes and at most %d", res, stale, total)
	}
	f, got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Channels != 2 || int64(len(got)) != 2*res.Frames || !slicesEqual(got, pcm[:len(got)]) {
		t.Fatalf("read back %v %d samples, want a %d-frame prefix of the written audio", f, len(got), res.Frames)
	}
	if s := soxi(t, "s", path); s != strconv.FormatInt(res.Frames, 10) {
		t.Fatalf("soxi -s = %s, want %d", s, res.Frames)
	}
}

func FuzzRepair(f *testing.F) {
	for _, tc := range repairCases() {
		f.Add(tc.file)
	}
	for _, tc := range readCases() {
		f.Add(tc.file)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, file []byte) {
		path := filepath.Join(dir, "f.wav")
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Repair(path)
		if err != nil {
			return
		}
		again, err := Repair(path)
		if err != nil || again.Repaired {
			t.Fatalf("Repair not idempotent: first %v, then %v, %v", res, again, err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() != res.FileSize {
			t.Fatalf("file size %v after Repair reported %d", st.Size(), res.FileSize)
		}
	})
}
