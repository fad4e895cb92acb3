package opus

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
)

// run runs a command and fails the test with its output on error.
func run(tb testing.TB, name string, args ...string) {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// tone returns n samples of a sine at freq Hz and the given amplitude.
func tone(rate, n int, freq, amp float64) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return pcm
}

const speechText = "Thank you for calling Parley. Please say the reason for your call, " +
	"or press one for billing, two for technical support, and zero for an agent."

var speechCache struct {
	sync.Mutex
	pcm map[int][]int16
}

// speech returns espeak-ng speech resampled by sox to rate, generated once
// per test binary and rate.
func speech(tb testing.TB, rate int) []int16 {
	tb.Helper()
	speechCache.Lock()
	defer speechCache.Unlock()
	if pcm, ok := speechCache.pcm[rate]; ok {
		return pcm
	}
	mediatest.RequireTools(tb, "espeak-ng", "sox")
	dir := tb.TempDir()
	wav := filepath.Join(dir, "speech.wav")
	raw := filepath.Join(dir, "speech.raw")
	run(tb, "espeak-ng", "-v", "en-us", "-s", "150", "-w", wav, speechText)
	run(tb, "sox", "-D", wav, "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", strconv.Itoa(rate), raw)
	pcm := readRaw(tb, raw)
	if speechCache.pcm == nil {
		speechCache.pcm = map[int][]int16{}
	}
	speechCache.pcm[rate] = pcm
	return pcm
}

// readRaw reads signed 16-bit little-endian mono PCM.
func readRaw(tb testing.TB, path string) []int16 {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// frames splits pcm into whole frames of n samples.
func frames(pcm []int16, n int) [][]int16 {
	var out [][]int16
	for len(pcm) >= n {
		out = append(out, pcm[:n])
		pcm = pcm[n:]
	}
	return out
}

// encodeAll encodes pcm frame by frame and returns copies of the packets.
func encodeAll(tb testing.TB, enc *Encoder, pcm []int16, frame int) [][]byte {
	tb.Helper()
	buf := make([]byte, 1500)
	var pkts [][]byte
	for _, f := range frames(pcm, frame) {
		n, err := enc.Encode(f, buf)
		if err != nil {
			tb.Fatalf("encode frame %d: %v", len(pkts), err)
		}
		pkts = append(pkts, append([]byte(nil), buf[:n]...))
	}
	return pkts
}

// decodeAll decodes every packet and concatenates the PCM.
func decodeAll(tb testing.TB, dec *Decoder, pkts [][]byte) []int16 {
	tb.Helper()
	buf := make([]int16, MaxPacketSamples(dec.SampleRate()))
	var out []int16
	for i, p := range pkts {
		n, err := dec.Decode(p, buf)
		if err != nil {
			tb.Fatalf("decode packet %d: %v", i, err)
		}
		out = append(out, buf[:n]...)
	}
	return out
}

// alignment is the comparison of a decoded signal with its reference after
// removing the codec delay.
type alignment struct {
	lag  int     // decoded[i+lag] corresponds to ref[i]
	snr  float64 // dB, reference energy over difference energy
	corr float64 // normalised cross-correlation at lag
}

// codecDelay is the libopus encoder lookahead (2.5 ms + 4 ms): decoded
// sample i+codecDelay corresponds to input sample i.
func codecDelay(rate int) int { return rate * 13 / 2000 }

// align finds the delay within 1.5 ms of the codec delay that best matches
// got to ref and measures SNR and correlation there, skipping the first
// skip samples of ref (encoder start-up).
func align(ref, got []int16, rate, skip int) alignment {
	return alignNear(ref, got, codecDelay(rate), rate*3/2000, skip)
}

// alignNear is align with the lag searched in center±width.
func alignNear(ref, got []int16, center, width, skip int) alignment {
	best := alignment{corr: -2}
	for lag := max(center-width, 0); lag <= center+width; lag++ {
		var sxy, sxx, syy float64
		for i := skip; i < len(ref) && i+lag < len(got); i++ {
			x, y := float64(ref[i]), float64(got[i+lag])
			sxy += x * y
			sxx += x * x
			syy += y * y
		}
		if sxx == 0 || syy == 0 {
			continue
		}
		if c := sxy / math.Sqrt(sxx*syy); c > best.corr {
			best = alignment{lag: lag, corr: c}
		}
	}
	best.snr = snr(ref[skip:], got[skip+best.lag:])
	return best
}

// snr returns 10*log10(sum ref^2 / sum (ref-got)^2) over the common length.
func snr(ref, got []int16) float64 {
	var sig, noise float64
	for i := 0; i < len(ref) && i < len(got); i++ {
		d := float64(ref[i]) - float64(got[i])
		sig += float64(ref[i]) * float64(ref[i])
		noise += d * d
	}
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(sig/noise)
}
