package espeak

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/wav"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// markAt is a mark and the number of samples emitted before it.
type markAt struct {
	name string
	at   int
}

// rendering is everything a synthesis emitted.
type rendering struct {
	pcm    []int16
	marks  []markAt
	chunks int
}

func (r rendering) seconds(rate int) float64 { return float64(len(r.pcm)) / float64(rate) }

func (r rendering) markNames() []string {
	var out []string
	for _, m := range r.marks {
		out = append(out, m.name)
	}
	return out
}

// newEngine returns an Engine with every voice, failing t if espeak-ng cannot
// load.
func newEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// render synthesizes req and collects the output.
func render(t testing.TB, e speech.Synthesizer, req speech.SynthRequest) rendering {
	t.Helper()
	var r rendering
	err := e.Synthesize(context.Background(), req, func(c speech.Chunk) error {
		if c.Mark != "" {
			r.marks = append(r.marks, markAt{c.Mark, len(r.pcm)})
		}
		r.pcm = append(r.pcm, c.PCM...)
		r.chunks++
		return nil
	})
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	return r
}

// say is a request to say text with voice at rate.
func say(voice string, rate int, text string) speech.SynthRequest {
	return speech.SynthRequest{Doc: doc(textItem(text)), Voice: speech.Voice{Name: voice}, Rate: rate, Prosody: ssml.DefaultProsody}
}

func doc(items ...ssml.Item) *ssml.Document { return &ssml.Document{Lang: "en-US", Items: items} }

func textItem(s string) ssml.Item {
	return ssml.Item{Kind: ssml.Text, Text: s, Source: s, Lang: "en-US", Prosody: ssml.DefaultProsody}
}

func breakItem(d time.Duration) ssml.Item {
	return ssml.Item{Kind: ssml.Break, Break: d, Lang: "en-US", Prosody: ssml.DefaultProsody}
}

func markItem(name string) ssml.Item {
	return ssml.Item{Kind: ssml.Mark, Name: name, Lang: "en-US", Prosody: ssml.DefaultProsody}
}

// withProsody returns it with its prosody set.
func withProsody(it ssml.Item, p ssml.Prosody) ssml.Item { it.Prosody = p; return it }

// rms returns the root mean square of pcm.
func rms(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(pcm)))
}

// medianF0 estimates the median fundamental frequency of the voiced 40 ms
// frames of pcm by normalized autocorrelation, in Hz (0 if none).
func medianF0(pcm []int16, rate int) float64 {
	fs := f0s(pcm, rate)
	if len(fs) == 0 {
		return 0
	}
	return fs[len(fs)/2]
}

// f0Spread returns the ratio of the 90th to the 10th percentile of the F0
// of pcm's voiced frames: how much the pitch moves.
func f0Spread(pcm []int16, rate int) float64 {
	fs := f0s(pcm, rate)
	if len(fs) < 10 {
		return 0
	}
	return fs[len(fs)*9/10] / fs[len(fs)/10]
}

// f0s estimates the fundamental frequency of each voiced 40 ms frame of
// pcm by normalized autocorrelation, in Hz, sorted. Audio above 8 kHz is
// first decimated to 8 kHz by averaging (ample for voice pitch, and four
// times cheaper at 16 kHz).
func f0s(pcm []int16, rate int) []float64 {
	if d := rate / 8000; d > 1 && rate%8000 == 0 {
		low := make([]int16, len(pcm)/d)
		for i := range low {
			var s int
			for _, v := range pcm[i*d : i*d+d] {
				s += int(v)
			}
			low[i] = int16(s / d)
		}
		pcm, rate = low, 8000
	}
	n := rate * 40 / 1000
	var fs []float64
	for off := 0; off+n <= len(pcm); off += n / 2 {
		fr := pcm[off : off+n]
		if rms(fr) < 500 {
			continue
		}
		cs := make([]float64, rate/60+1)
		best := 0.0
		for l := rate / 500; l < len(cs); l++ {
			var s, e1, e2 float64
			for i := 0; i+l < n; i++ {
				a, b := float64(fr[i]), float64(fr[i+l])
				s += a * b
				e1 += a * a
				e2 += b * b
			}
			cs[l] = s / math.Sqrt(e1*e2+1)
			best = max(best, cs[l])
		}
		if best < 0.7 {
			continue
		}
		// The first peak nearly as high as the best is the period; the
		// best itself may be a multiple of it.
		for l := rate/500 + 1; l < len(cs)-1; l++ {
			if cs[l] >= 0.9*best && cs[l] >= cs[l-1] && cs[l] >= cs[l+1] {
				fs = append(fs, float64(rate)/float64(l))
				break
			}
		}
	}
	slices.Sort(fs)
	return fs
}

// longestZeroRun returns the length of the longest run of zero samples.
func longestZeroRun(pcm []int16) int {
	best, run := 0, 0
	for _, v := range pcm {
		if v == 0 {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// writeWAV writes pcm as a mono WAV file.
func writeWAV(t testing.TB, path string, pcm []int16, rate int) {
	t.Helper()
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: rate})
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

// recognize runs PocketSphinx's generic US English model over 16 kHz pcm
// and returns the words it heard.
func recognize(t testing.TB, pcm []int16) []string {
	t.Helper()
	ps := mediatest.RequireTool(t, "pocketsphinx_continuous")
	path := filepath.Join(t.TempDir(), "x16k.wav")
	writeWAV(t, path, pcm, 16000)
	out, err := exec.Command(ps, "-infile", path, "-logfn", "/dev/null").Output()
	if err != nil {
		t.Fatalf("pocketsphinx_continuous: %v", err)
	}
	return strings.Fields(strings.ToLower(string(out)))
}

// recall returns how many of want's words occur in got.
func recall(want string, got []string) int {
	n := 0
	for _, w := range strings.Fields(want) {
		if slices.Contains(got, w) {
			n++
		}
	}
	return n
}
