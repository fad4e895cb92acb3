package g711

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(mediatest.RequireTool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// TestEncodeMatchesSox encodes every int16 value with SoX and with this
// package and compares all 65536 codes. SoX runs with -D: by default it
// adds TPDF dither when it reduces 16-bit input to the 14/13 bits of
// G.711, which makes its output random.
func TestEncodeMatchesSox(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "all.raw")
	raw := make([]byte, 2*65536)
	pcm := make([]int16, 65536)
	for i := range pcm {
		pcm[i] = int16(i - 32768)
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(pcm[i]))
	}
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	laws := []struct {
		name   string
		encode func([]byte, []int16) int
	}{
		{"u-law", EncodeULaw},
		{"a-law", EncodeALaw},
	}
	for _, law := range laws {
		t.Run(law.name, func(t *testing.T) {
			out := filepath.Join(dir, law.name+".raw")
			run(t, "sox", "-D", "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", in,
				"-t", "raw", "-e", law.name, out)
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != len(pcm) {
				t.Fatalf("sox wrote %d bytes for %d samples", len(want), len(pcm))
			}
			got := make([]byte, len(pcm))
			law.encode(got, pcm)
			bad := 0
			for i := range got {
				if got[i] != want[i] {
					if bad < 10 {
						t.Errorf("sample %d: got %#02x, sox %#02x", pcm[i], got[i], want[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d codes differ from sox", bad, len(got))
			}
		})
	}
}

// TestDecodeMatchesSoxAndFFmpeg decodes all 256 codes of each law with SoX,
// with FFmpeg and with this package and compares every sample.
func TestDecodeMatchesSoxAndFFmpeg(t *testing.T) {
	dir := t.TempDir()
	codes := make([]byte, 256)
	for i := range codes {
		codes[i] = byte(i)
	}
	in := filepath.Join(dir, "codes.raw")
	if err := os.WriteFile(in, codes, 0o600); err != nil {
		t.Fatal(err)
	}
	laws := []struct {
		sox, ffmpeg string
		decode      func([]int16, []byte) int
	}{
		{"u-law", "mulaw", DecodeULaw},
		{"a-law", "alaw", DecodeALaw},
	}
	for _, law := range laws {
		t.Run(law.sox, func(t *testing.T) {
			got := make([]int16, 256)
			law.decode(got, codes)
			soxOut := filepath.Join(dir, law.sox+"-sox.raw")
			run(t, "sox", "-t", "raw", "-r", "8000", "-e", law.sox, "-c", "1", in,
				"-t", "raw", "-e", "signed", "-b", "16", "-L", soxOut)
			ffOut := filepath.Join(dir, law.sox+"-ffmpeg.raw")
			run(t, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", law.ffmpeg, "-ar", "8000", "-ac", "1", "-i", in,
				"-f", "s16le", ffOut)
			for tool, path := range map[string]string{"sox": soxOut, "ffmpeg": ffOut} {
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if len(raw) != 2*256 {
					t.Fatalf("%s wrote %d bytes for 256 codes", tool, len(raw))
				}
				for i := range got {
					if want := int16(binary.LittleEndian.Uint16(raw[2*i:])); got[i] != want {
						t.Errorf("code %#02x: got %d, %s %d", i, got[i], tool, want)
					}
				}
			}
		})
	}
}

// TestEncodeVersusFFmpeg bounds how FFmpeg's pcm_mulaw/pcm_alaw encoders
// differ from SoX's (and so this package's): FFmpeg truncates 16-bit input
// to 14/13 bits and puts its decision levels halfway between
// reconstruction values, SoX rounds to 14/13 bits and uses G.711's
// segment layout directly. Both decode the same, and where they encode
// differently the two codes must be neighbours (adjacent reconstruction
// levels, or the same level), never further apart.
func TestEncodeVersusFFmpeg(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "all.raw")
	raw := make([]byte, 2*65536)
	pcm := make([]int16, 65536)
	for i := range pcm {
		pcm[i] = int16(i - 32768)
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(pcm[i]))
	}
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	laws := []struct {
		name   string
		encode func([]byte, []int16) int
		decode func(byte) int16
	}{
		{"mulaw", EncodeULaw, ULawToLinear},
		{"alaw", EncodeALaw, ALawToLinear},
	}
	for _, law := range laws {
		t.Run(law.name, func(t *testing.T) {
			out := filepath.Join(dir, law.name+".raw")
			run(t, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "s16le", "-ar", "8000", "-ac", "1", "-i", in,
				"-f", law.name, out)
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != len(pcm) {
				t.Fatalf("ffmpeg wrote %d bytes for %d samples", len(want), len(pcm))
			}
			// Rank of each reconstruction value among all of them.
			rank := map[int16]int{}
			levels := make([]int, 0, 256)
			seen := map[int16]bool{}
			for c := range 256 {
				if v := law.decode(byte(c)); !seen[v] {
					seen[v] = true
					levels = append(levels, int(v))
				}
			}
			slices.Sort(levels)
			for i, v := range levels {
				rank[int16(v)] = i
			}
			got := make([]byte, len(pcm))
			law.encode(got, pcm)
			diff := 0
			var errOurs, errFFmpeg float64 // squared quantization error over all inputs
			for i := range got {
				eo := float64(law.decode(got[i])) - float64(pcm[i])
				ef := float64(law.decode(want[i])) - float64(pcm[i])
				errOurs += eo * eo
				errFFmpeg += ef * ef
				if got[i] == want[i] {
					continue
				}
				diff++
				a, b := rank[law.decode(got[i])], rank[law.decode(want[i])]
				if a-b > 1 || b-a > 1 {
					t.Errorf("sample %d: we %#02x (%d), ffmpeg %#02x (%d): not neighbours",
						pcm[i], got[i], law.decode(got[i]), want[i], law.decode(want[i]))
				}
			}
			t.Logf("%s: %d of %d codes differ from ffmpeg, all by at most one level; "+
				"mean squared error over all inputs: ours %.1f, ffmpeg %.1f", law.name, diff, len(got),
				errOurs/float64(len(got)), errFFmpeg/float64(len(got)))
		})
	}
}
