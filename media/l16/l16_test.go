package l16

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name    string
		pcm     []int16
		payload []byte
	}{
		{"empty", []int16{}, []byte{}},
		{"zero", []int16{0}, []byte{0x00, 0x00}},
		{"network order", []int16{0x0102}, []byte{0x01, 0x02}},
		{"minus one", []int16{-1}, []byte{0xFF, 0xFF}},
		{"minus two", []int16{-2}, []byte{0xFF, 0xFE}},
		{"extremes", []int16{32767, -32768}, []byte{0x7F, 0xFF, 0x80, 0x00}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := make([]byte, 2*len(tc.pcm)+3)
			n, err := Encoder{}.Encode(tc.pcm, payload)
			if err != nil || n != len(tc.payload) || !slices.Equal(payload[:n], tc.payload) {
				t.Errorf("Encode(%v) = % x, %d, %v; want % x", tc.pcm, payload[:n], n, err, tc.payload)
			}
			pcm := make([]int16, len(tc.pcm)+1)
			n, err = Decoder{}.Decode(tc.payload, pcm)
			if err != nil || n != len(tc.pcm) || !slices.Equal(pcm[:n], tc.pcm) {
				t.Errorf("Decode(% x) = %v, %d, %v; want %v", tc.payload, pcm[:n], n, err, tc.pcm)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() (int, error)
		err  error
	}{
		{"encode short", func() (int, error) { return Encoder{}.Encode(make([]int16, 160), make([]byte, 319)) }, ErrShortBuffer},
		{"decode odd", func() (int, error) { return Decoder{}.Decode(make([]byte, 321), make([]int16, 161)) }, ErrOddLength},
		{"decode one byte", func() (int, error) { return Decoder{}.Decode([]byte{0x01}, make([]int16, 1)) }, ErrOddLength},
		{"decode short", func() (int, error) { return Decoder{}.Decode(make([]byte, 320), make([]int16, 159)) }, ErrShortBuffer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n, err := tc.run(); !errors.Is(err, tc.err) || n != 0 {
				t.Errorf("= %d, %v; want 0, %v", n, err, tc.err)
			}
		})
	}
}

// TestMatchesSox writes all 65536 sample values through sox's big-endian
// signed 16-bit output and compares them with Encode, then decodes sox's
// bytes back.
func TestMatchesSox(t *testing.T) {
	sox := mediatest.RequireTool(t, "sox")
	dir := t.TempDir()
	pcm := make([]int16, 65536)
	raw := make([]byte, 2*len(pcm))
	for i := range pcm {
		pcm[i] = int16(i - 32768)
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(pcm[i]))
	}
	in, out := filepath.Join(dir, "le.raw"), filepath.Join(dir, "be.raw")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sox, "-D", "-t", "raw", "-r", "16000", "-e", "signed", "-b", "16", "-c", "1", "-L", in,
		"-t", "raw", "-e", "signed", "-b", "16", "-B", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 2*len(pcm))
	if _, err := (Encoder{}).Encode(pcm, got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Encode differs from sox's big-endian output")
	}
	back := make([]int16, len(pcm))
	if _, err := (Decoder{}).Decode(want, back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back, pcm) {
		t.Fatalf("Decode of sox's big-endian output differs from the input")
	}
}

func TestZeroAllocs(t *testing.T) {
	pcm := make([]int16, 320)
	payload := make([]byte, 640)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Encoder{}.Encode(pcm, payload)
		_, _ = Decoder{}.Decode(payload, pcm)
	})
	if allocs != 0 {
		t.Errorf("encode and decode of one 20 ms frame: %v allocs, want 0", allocs)
	}
}

// FuzzDecode feeds arbitrary payloads to Decode: it never panics, rejects
// odd lengths, writes len(payload)/2 samples when pcm has room, reports
// ErrShortBuffer otherwise, and Encode gives the payload back.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0x01}, uint16(1))
	f.Add([]byte{0x01, 0x02}, uint16(1))
	f.Add([]byte{0x7F, 0xFF, 0x80, 0x00}, uint16(1))
	f.Add(make([]byte, 320), uint16(160))
	f.Fuzz(func(t *testing.T, payload []byte, room uint16) {
		pcm := make([]int16, int(room)%2048)
		n, err := Decoder{}.Decode(payload, pcm)
		switch {
		case len(payload)%2 != 0:
			if !errors.Is(err, ErrOddLength) || n != 0 {
				t.Fatalf("Decode %d bytes = %d, %v; want ErrOddLength", len(payload), n, err)
			}
			return
		case len(pcm) < len(payload)/2:
			if !errors.Is(err, ErrShortBuffer) || n != 0 {
				t.Fatalf("Decode %d bytes into %d samples = %d, %v; want ErrShortBuffer", len(payload), len(pcm), n, err)
			}
			return
		}
		if err != nil || n != len(payload)/2 {
			t.Fatalf("Decode %d bytes = %d, %v", len(payload), n, err)
		}
		again := make([]byte, len(payload))
		if m, err := (Encoder{}).Encode(pcm[:n], again); err != nil || m != len(payload) || !slices.Equal(again, payload) {
			t.Fatalf("Encode(Decode(% x)) = % x, %d, %v", payload, again, m, err)
		}
	})
}
