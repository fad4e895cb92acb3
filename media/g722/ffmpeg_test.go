package g722

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(mediatest.RequireTool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func readPCM(t testing.TB, path string) []int16 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(raw)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return pcm
}

func writePCM(t testing.TB, path string, pcm []int16) {
	t.Helper()
	raw := make([]byte, 2*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(s))
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// testSignal is a 16 kHz test input made by a Debian tool.
type testSignal struct {
	name string
	pcm  []int16
}

// soxSynth runs sox's synth effect into 16 kHz s16le PCM.
func soxSynth(t testing.TB, dir, name string, effect ...string) []int16 {
	t.Helper()
	out := filepath.Join(dir, name+".raw")
	args := append([]string{"-D", "-n", "-r", "16000", "-b", "16", "-c", "1", "-e", "signed", "-t", "raw", "-L", out}, effect...)
	run(t, "sox", args...)
	return readPCM(t, out)
}

// speech synthesizes a prompt with espeak-ng and converts it to 16 kHz.
func speech(t testing.TB, dir string) []int16 {
	t.Helper()
	wav := filepath.Join(dir, "speech.wav")
	run(t, "espeak-ng", "-w", wav,
		"Thank you for calling. Please tell me in a few words why you are calling today. "+
			"For billing questions, say billing. To speak with an agent, press zero.")
	out := filepath.Join(dir, "speech.raw")
	run(t, "sox", "-D", wav, "-r", "16000", "-t", "raw", "-e", "signed", "-b", "16", "-c", "1", "-L", out)
	return readPCM(t, out)
}

// signals returns the test inputs, each cut to whole 20 ms frames.
func signals(t testing.TB, dir string) []testSignal {
	t.Helper()
	sigs := []testSignal{
		{"speech", speech(t, dir)},
		{"sweep", soxSynth(t, dir, "sweep", "synth", "3", "sine", "20-7990", "vol", "0.9")},
		{"tones", soxSynth(t, dir, "tones", "synth", "1", "sine", "300", "sine", "3400", "sine", "6000", "channels", "1", "vol", "0.6")},
		{"square full scale", soxSynth(t, dir, "square", "synth", "1", "square", "440")},
		{"noise", soxSynth(t, dir, "noise", "synth", "1", "whitenoise", "vol", "0.7")},
		{"silence", soxSynth(t, dir, "silence", "trim", "0", "0.5")},
	}
	for i := range sigs {
		pcm := sigs[i].pcm
		sigs[i].pcm = pcm[:len(pcm)/320*320]
		if len(sigs[i].pcm) < 320 {
			t.Fatalf("%s: only %d samples", sigs[i].name, len(pcm))
		}
	}
	return sigs
}

// encodeAll encodes pcm in 20 ms frames.
func encodeAll(t testing.TB, pcm []int16) []byte {
	t.Helper()
	enc := NewEncoder()
	out := make([]byte, len(pcm)/2)
	for i := 0; i < len(pcm); i += 320 {
		if _, err := enc.Encode(pcm[i:i+320], out[i/2:]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// decodeAll decodes payload in 20 ms frames.
func decodeAll(t testing.TB, mode Mode, payload []byte) []int16 {
	t.Helper()
	dec, err := NewDecoder(mode)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 2*len(payload))
	for i := 0; i < len(payload); i += 160 {
		end := min(i+160, len(payload))
		if _, err := dec.Decode(payload[i:end], out[2*i:]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// ffmpegEncode encodes pcm with ffmpeg's g722 encoder (no trellis).
func ffmpegEncode(t testing.TB, dir, name string, pcm []int16) []byte {
	t.Helper()
	in := filepath.Join(dir, name+"-in.raw")
	writePCM(t, in, pcm)
	out := filepath.Join(dir, name+".g722")
	run(t, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "s16le", "-ar", "16000", "-ac", "1", "-i", in,
		"-acodec", "g722", "-f", "g722", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ffmpegDecode decodes a G.722 bitstream with ffmpeg in the given mode.
// The raw g722 demuxer reports 16000 Hz; -ar 16000 on the output keeps
// ffmpeg from resampling whatever it assumes.
func ffmpegDecode(t testing.TB, dir, name string, mode Mode, payload []byte) []int16 {
	t.Helper()
	in := filepath.Join(dir, name+"-dec.g722")
	if err := os.WriteFile(in, payload, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+"-dec.raw")
	bits := strconv.Itoa(9 - int(mode))
	run(t, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-bits_per_codeword", bits, "-f", "g722", "-i", in,
		"-f", "s16le", "-ar", "16000", "-ac", "1", out)
	return readPCM(t, out)
}

func TestEncodeMatchesFFmpeg(t *testing.T) {
	dir := t.TempDir()
	for _, sig := range signals(t, dir) {
		t.Run(sig.name, func(t *testing.T) {
			want := ffmpegEncode(t, dir, sig.name, sig.pcm)
			got := encodeAll(t, sig.pcm)
			if len(want) != len(got) {
				t.Fatalf("ffmpeg wrote %d bytes, we %d", len(want), len(got))
			}
			bad := 0
			for i := range got {
				if got[i] != want[i] {
					if bad == 0 {
						t.Errorf("first difference at byte %d: got %#02x, ffmpeg %#02x", i, got[i], want[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d bytes differ from ffmpeg", bad, len(got))
			}
		})
	}
}

func TestDecodeMatchesFFmpeg(t *testing.T) {
	dir := t.TempDir()
	type stream struct {
		name    string
		payload []byte
	}
	var streams []stream
	for _, sig := range signals(t, dir) {
		streams = append(streams, stream{sig.name, ffmpegEncode(t, dir, sig.name, sig.pcm)})
	}
	// Random octets reach states no encoder produces: saturated
	// predictors, extreme scale factors, every code in every state.
	rng := rand.New(rand.NewPCG(722, 1))
	random := make([]byte, 16000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	streams = append(streams, stream{"random octets", random})
	for _, s := range streams {
		for _, mode := range []Mode{Mode1, Mode2, Mode3} {
			t.Run(s.name+"/"+mode.String(), func(t *testing.T) {
				want := ffmpegDecode(t, dir, s.name, mode, s.payload)
				got := decodeAll(t, mode, s.payload)
				if len(want) != len(got) {
					t.Fatalf("ffmpeg decoded %d samples, we %d", len(want), len(got))
				}
				bad := 0
				for i := range got {
					if got[i] != want[i] {
						if bad == 0 {
							t.Errorf("first difference at sample %d: got %d, ffmpeg %d", i, got[i], want[i])
						}
						bad++
					}
				}
				if bad > 0 {
					t.Errorf("%d of %d samples differ from ffmpeg", bad, len(got))
				}
			})
		}
	}
}
