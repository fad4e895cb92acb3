//go:build linux

package opus

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
)

// opusFile encodes espeak-ng speech repeated reps times with opusenc (20 ms
// frames, 32 kbit/s) and returns the file and its audio packets.
func opusFile(b *testing.B, dir, name string, reps int) (string, [][]byte) {
	b.Helper()
	wav := filepath.Join(dir, name+".wav")
	args := []string{"-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", "48000",
		writeRaw(b, dir, speech(b, 48000)), wav}
	if reps > 1 {
		args = append(args, "repeat", strconv.Itoa(reps-1))
	}
	run(b, "sox", args...)
	file := filepath.Join(dir, name+".opus")
	run(b, "opusenc", "--quiet", "--bitrate", "32", "--framesize", "20", wav, file)
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	return file, oggPackets(b, data)[2:]
}

// opusdecCPU runs opusdec on file and returns the CPU time it used.
func opusdecCPU(b *testing.B, file, out string) time.Duration {
	cmd := exec.Command("opusdec", "--quiet", "--rate", "48000", file, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("opusdec: %v\n%s", err, msg)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// BenchmarkDecodeVsOpusdec decodes the same opusenc file (one minute of
// speech, 20 ms frames) with this package and with the opusdec tool, in
// alternation within each iteration, and reports CPU time per frame for
// both and their ratio. CPU time rather than wall time keeps the figures
// comparable on a loaded machine. opusdec's per-frame figure comes from
// the difference between the long file and a 10 s one, which cancels its
// process start-up; what remains is libopus's float decode plus Ogg
// parsing and WAV writing.
func BenchmarkDecodeVsOpusdec(b *testing.B) {
	mediatest.RequireTools(b, "sox", "opusenc", "opusdec")
	dir := b.TempDir()
	long, audio := opusFile(b, dir, "long", 6)
	short, shortAudio := opusFile(b, dir, "short", 1)
	out := filepath.Join(dir, "out.wav")
	pcm := make([]int16, MaxPacketSamples(48000))

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var parley, opusdec time.Duration
	for b.Loop() {
		dec := newDecoder(b, 48000)
		start := threadCPU()
		for _, p := range audio {
			if _, err := dec.Decode(p, pcm); err != nil {
				b.Fatal(err)
			}
		}
		parley += threadCPU() - start
		opusdec += opusdecCPU(b, long, out) - opusdecCPU(b, short, out)
	}
	n := float64(b.N)
	perParley := float64(parley.Nanoseconds()) / (n * float64(len(audio)))
	perOpusdec := float64(opusdec.Nanoseconds()) / (n * float64(len(audio)-len(shortAudio)))
	b.ReportMetric(perParley, "parley-cpu-ns/frame")
	b.ReportMetric(perOpusdec, "opusdec-cpu-ns/frame")
	b.ReportMetric(perParley/perOpusdec, "parley/opusdec")
	b.ReportMetric(float64(len(audio)), "frames")
}
