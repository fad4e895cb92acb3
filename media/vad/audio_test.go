package vad_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Test audio is made with the real tools, espeak-ng and sox, into
// t.TempDir(), as raw signed 16-bit little-endian mono.

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// rawArgs are sox format options for raw 16-bit mono at rate.
func rawArgs(rate int) []string {
	return []string{"-t", "raw", "-r", fmt.Sprint(rate), "-e", "signed", "-b", "16", "-c", "1"}
}

func readRaw(t testing.TB, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

func writeRaw(t testing.TB, path string, pcm []int16) {
	t.Helper()
	b := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// speak synthesizes text with espeak-ng (voice "espeak:<name>") or flite
// (voice "flite:<name>") at speed (espeak-ng words per minute; flite
// duration stretch in percent) and returns it resampled to rate.
func speak(t testing.TB, dir, voice string, speed int, text string, rate int) []int16 {
	t.Helper()
	engine, name, _ := strings.Cut(voice, ":")
	wav := filepath.Join(dir, fmt.Sprintf("say-%s-%s-%d-%x.wav", engine, name, speed, hash(text)))
	if _, err := os.Stat(wav); err != nil {
		switch engine {
		case "espeak":
			run(t, "espeak-ng", "-v", name, "-s", fmt.Sprint(speed), "-w", wav, text)
		case "flite":
			run(t, "flite", "-voice", name, "--setf", fmt.Sprintf("duration_stretch=%g", float64(speed)/100), "-t", text, "-o", wav)
		default:
			t.Fatalf("unknown speech engine in %q", voice)
		}
	}
	raw := strings.TrimSuffix(wav, ".wav") + fmt.Sprintf("-%d.raw", rate)
	run(t, "sox", append(append([]string{"-D", wav}, rawArgs(rate)...), raw, "rate", "-h", fmt.Sprint(rate))...)
	return readRaw(t, raw)
}

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := range len(s) {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// noiseKind is one kind of line noise and how sox synthesizes it.
type noiseKind struct {
	name  string
	synth []string // sox synth arguments after the duration
}

var noiseKinds = []noiseKind{
	{"white", []string{"whitenoise"}},
	{"pink", []string{"pinknoise"}},
	{"brown", []string{"brownnoise"}},
	{"hum50", []string{"sine", "50"}},
	{"buzz60", []string{"square", "60"}},
}

// noise synthesizes secs seconds of kind at rate with sox, at vol 0.05
// (the level is set later by mixing).
func noise(t testing.TB, dir string, kind noiseKind, rate int, secs float64) (path string, pcm []int16) {
	t.Helper()
	path = filepath.Join(dir, fmt.Sprintf("noise-%s-%d-%g.raw", kind.name, rate, secs))
	// -R: repeatable noise, so that the measurements are too.
	args := append([]string{"-R", "-D", "-n"}, rawArgs(rate)...)
	args = append(args, path, "synth", fmt.Sprint(secs))
	args = append(args, kind.synth...)
	args = append(args, "vol", "0.05")
	run(t, "sox", args...)
	return path, readRaw(t, path)
}

// mix mixes the n samples of speech in speechPath (at gain gs) with the
// noise in noisePath (at gain gn) using sox -m, and returns the result.
func mix(t testing.TB, dir string, rate int, speechPath string, n int, gs float64, noisePath string, gn float64) []int16 {
	t.Helper()
	out := filepath.Join(dir, "mixed.raw")
	args := []string{"-D", "-m", "-v", fmt.Sprint(gs)}
	args = append(args, rawArgs(rate)...)
	args = append(args, speechPath, "-v", fmt.Sprint(gn))
	args = append(args, rawArgs(rate)...)
	args = append(args, noisePath)
	args = append(args, rawArgs(rate)...)
	args = append(args, out, "trim", "0", fmt.Sprintf("%ds", n))
	run(t, "sox", args...)
	return readRaw(t, out)
}

func meanSquare(pcm []int16) float64 {
	var s float64
	for _, v := range pcm {
		x := float64(v) / 32768
		s += x * x
	}
	return s / float64(max(len(pcm), 1))
}

// activeSpan returns the first and last sample of 5 ms blocks whose level
// is within 30 dB of the loudest block: the ground-truth extent of an
// utterance.
func activeSpan(pcm []int16, rate int) (first, last int) {
	block := rate / 200
	var peak float64
	for i := 0; i+block <= len(pcm); i += block {
		peak = max(peak, meanSquare(pcm[i:i+block]))
	}
	first, last = -1, -1
	for i := 0; i+block <= len(pcm); i += block {
		if meanSquare(pcm[i:i+block]) >= peak*1e-3 {
			if first < 0 {
				first = i
			}
			last = i + block
		}
	}
	return first, last
}

// activePower is the mean square over the 5 ms blocks within 30 dB of the
// loudest: a simple active speech level in the spirit of ITU-T P.56.
func activePower(pcm []int16, rate int) float64 {
	block := rate / 200
	var peak float64
	for i := 0; i+block <= len(pcm); i += block {
		peak = max(peak, meanSquare(pcm[i:i+block]))
	}
	var sum float64
	var n int
	for i := 0; i+block <= len(pcm); i += block {
		if p := meanSquare(pcm[i : i+block]); p >= peak*1e-3 {
			sum += p
			n++
		}
	}
	return sum / float64(max(n, 1))
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}
