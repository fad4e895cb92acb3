package resample

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

// minSoxAgreementDB is the least signal-to-difference ratio between this
// package and sox's rate effect on band-limited speech.
const minSoxAgreementDB = 70.0

func readRaw(t *testing.T, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return s
}

// rawArgs is sox's description of headerless mono 16-bit PCM at rate.
func rawArgs(rate int) []string {
	return []string{"-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", fmt.Sprint(rate)}
}

// TestAgreesWithSox resamples espeak-ng speech, band-limited to 0.425 of the
// lower rate or of espeak-ng's 22050 Hz (inside both resamplers'
// passbands), with this package and with sox's rate effect, and compares
// the two outputs sample by sample after removing this package's group
// delay.
func TestAgreesWithSox(t *testing.T) {
	dir := t.TempDir()
	wav := filepath.Join(dir, "speech.wav")
	mediatest.Run(t, "espeak-ng", "-w", wav, "Thank you for calling. Please tell me, in a few words, why you are calling today.")
	for _, d := range directions() {
		if d[0] == d[1] {
			continue
		}
		t.Run(fmt.Sprintf("%d-%d", d[0], d[1]), func(t *testing.T) {
			t.Parallel()
			in, out := d[0], d[1]
			// espeak-ng speaks at 22050 Hz: the band cannot reach past it.
			band := 0.425 * float64(min(in, out, 22050))
			src := filepath.Join(dir, fmt.Sprintf("src-%d-%d.raw", in, out))
			want := filepath.Join(dir, fmt.Sprintf("sox-%d-%d.raw", in, out))
			mediatest.Run(t, "sox", append(append([]string{"-D", wav}, rawArgs(in)...), src, "sinc", fmt.Sprintf("-%.0f", band), "gain", "-3")...)
			mediatest.Run(t, "sox", append(append(append([]string{"-D"}, rawArgs(in)...), src), append(rawArgs(out), want, "rate")...)...)

			x, ref := readRaw(t, src), readRaw(t, want)
			r := mustNew(t, in, out)
			y := process(t, r, append(x, make([]int16, 2*r.k)...), []int{in / 50})
			y = y[r.Delay():]
			n := min(len(y), len(ref))
			var sig, diff float64
			for i := range n {
				s, e := float64(ref[i]), float64(y[i])-float64(ref[i])
				sig += s * s
				diff += e * e
			}
			snr := 10 * math.Log10(sig/max(diff, 1e-9))
			t.Logf("%d->%d agreement with sox rate over %d samples: %.1f dB", in, out, n, snr)
			if snr < minSoxAgreementDB {
				t.Errorf("differs from sox: %.1f dB < %.0f dB", snr, minSoxAgreementDB)
			}
		})
	}
}
