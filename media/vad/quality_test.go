package vad_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/vad"
)

// utterances are short caller turns, spoken by several espeak-ng and
// flite voices at several speaking rates.
var utterances = []struct {
	voice string
	speed int // espeak-ng words per minute; flite duration stretch, %
	text  string
}{
	{"espeak:en-us", 175, "yes"},
	{"espeak:en-us+f3", 140, "I would like to pay my bill"},
	{"espeak:en-gb+m3", 220, "can I speak to an agent please"},
	{"espeak:en+f5", 160, "my account number is four five six seven"},
	{"espeak:en-us+m1", 200, "no thank you"},
	{"espeak:en-gb", 130, "what is my balance"},
	{"espeak:en-us+f2", 180, "five"},
	{"espeak:en+m4", 150, "operator"},
	{"flite:slt", 100, "I need help with my order"},
	{"flite:rms", 120, "sure"},
	{"flite:awb", 90, "cancel my subscription"},
	{"flite:kal", 100, "hello is anybody there"},
}

const (
	speechLevelDB = -26.0 // active speech level, ITU-T P.56 nominal
	leadSecs      = 2.0   // noise before the first utterance
	gapSecs       = 2.0   // noise between utterances
)

// scene is a test stream with the ground truth of its utterances.
type scene struct {
	pcm   []int16
	path  string   // the clean speech as a raw file
	spans [][2]int // true onset and end of each utterance, in samples
}

// buildSpeech lays the utterances out at rate with silence around them and
// scales them to speechLevelDB.
func buildSpeech(t *testing.T, dir string, rate int) scene {
	t.Helper()
	var sc scene
	sc.pcm = make([]int16, int(leadSecs*float64(rate)))
	var power float64
	for _, u := range utterances {
		pcm := speak(t, dir, u.voice, u.speed, u.text, rate)
		first, last := activeSpan(pcm, rate)
		if first < 0 {
			t.Fatalf("%s %q: no audio", u.voice, u.text)
		}
		power += activePower(pcm, rate)
		base := len(sc.pcm)
		sc.spans = append(sc.spans, [2]int{base + first, base + last})
		sc.pcm = append(sc.pcm, pcm...)
		sc.pcm = append(sc.pcm, make([]int16, int(gapSecs*float64(rate)))...)
	}
	power /= float64(len(utterances))
	gain := math.Sqrt(math.Pow(10, speechLevelDB/10) / power)
	for i, v := range sc.pcm {
		sc.pcm[i] = int16(max(-32768, min(32767, math.Round(float64(v)*gain))))
	}
	sc.path = filepath.Join(dir, fmt.Sprintf("speech-%d.raw", rate))
	writeRaw(t, sc.path, sc.pcm)
	return sc
}

// noiseFile is synthesized noise of one kind at one rate, long enough for
// every scene, and its mean-square power.
type noiseFile struct {
	path  string
	power float64
}

// noisy mixes the scene's speech with noise at snr dB (active speech level
// against noise power) through sox -m.
func noisy(t *testing.T, dir string, rate int, sc scene, n noiseFile, snr float64) scene {
	t.Helper()
	gn := math.Sqrt(math.Pow(10, (speechLevelDB-snr)/10) / n.power)
	return scene{pcm: mix(t, dir, rate, sc.path, len(sc.pcm), 1, n.path, gn), spans: sc.spans}
}

func detect(t *testing.T, cfg vad.Config, pcm []int16) []record {
	t.Helper()
	d, err := vad.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return feed(t, d, pcm)
}

// starts counts the SpeechStart events in rec.
func starts(rec []record) int {
	n := 0
	for _, r := range rec {
		if r.event == vad.SpeechStart {
			n++
		}
	}
	return n
}

// score matches events to utterances. An utterance is detected by the
// first SpeechStart reported between its onset and 200 ms past its end, and
// ended by the first SpeechEnd after that; starts outside every such window
// are false starts, and SpeechEnd events reported before an utterance's end
// split it.
type score struct {
	delays, onsetErr, endErr []float64 // ms
	missed, false_, splits   int
}

func (s *score) add(rate int, spans [][2]int, rec []record) {
	ms := func(samples int64) float64 { return float64(samples) * 1000 / float64(rate) }
	used := make([]bool, len(rec))
	for _, sp := range spans {
		on, off := int64(sp[0]), int64(sp[1])
		hit := false
		for i, r := range rec {
			switch {
			case r.event == vad.SpeechStart && r.at >= on && r.at <= off+int64(rate/5):
				used[i] = true
				if !hit {
					s.delays = append(s.delays, ms(r.at-on))
					s.onsetErr = append(s.onsetErr, ms(r.start-on))
					hit = true
				}
			case r.event == vad.SpeechEnd && hit && r.at > off:
				if len(s.endErr) < len(s.delays) {
					s.endErr = append(s.endErr, ms(r.end-off))
				}
			case r.event == vad.SpeechEnd && r.at > on && r.at <= off:
				s.splits++
			}
		}
		if !hit {
			s.missed++
		}
	}
	for i, u := range used {
		if !u && rec[i].event == vad.SpeechStart {
			s.false_++
		}
	}
}

// speechCase is one measured condition of TestQualityNoisySpeech.
type speechCase struct {
	rate, frameMs int
	kind          noiseKind
	snr           float64
}

// speechCases is every noise kind at 20, 10 and 5 dB SNR at 8 and 16 kHz
// with 20 ms frames, and spot checks of 48 kHz and of 10 and 30 ms frames.
func speechCases() []speechCase {
	var cases []speechCase
	for _, rate := range []int{8000, 16000} {
		for _, kind := range noiseKinds {
			for _, snr := range []float64{20, 10, 5} {
				cases = append(cases, speechCase{rate, 20, kind, snr})
			}
		}
	}
	return append(cases,
		speechCase{48000, 20, noiseKinds[0], 10},
		speechCase{48000, 20, noiseKinds[4], 10},
		speechCase{8000, 10, noiseKinds[1], 10},
		speechCase{8000, 30, noiseKinds[1], 10},
		speechCase{16000, 10, noiseKinds[0], 5},
		speechCase{16000, 30, noiseKinds[0], 5},
	)
}

// TestQualityNoisySpeech measures onset delay and missed utterances on
// espeak-ng and flite speech in sox noise at several SNRs, and asserts
// sane bounds. Run with -v to see the table recorded in
// docs/BENCHMARKS.md.
func TestQualityNoisySpeech(t *testing.T) {
	t.Parallel()
	mediatest.RequireTool(t, "espeak-ng")
	mediatest.RequireTool(t, "flite")
	mediatest.RequireTool(t, "sox")
	dir := t.TempDir()
	var table strings.Builder
	table.WriteString("| rate Hz | frame ms | noise | SNR dB | utterances | missed | delay median ms | delay p95 ms | onset error median ms | end error median ms | split | false starts in gaps |\n")
	table.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	clean := map[int]scene{}
	noises := map[string]noiseFile{}
	for _, c := range speechCases() {
		if _, ok := clean[c.rate]; !ok {
			clean[c.rate] = buildSpeech(t, dir, c.rate)
		}
		key := fmt.Sprint(c.kind.name, c.rate)
		if _, ok := noises[key]; !ok {
			path, pcm := noise(t, dir, c.kind, c.rate, float64(len(clean[c.rate].pcm))/float64(c.rate)+1)
			noises[key] = noiseFile{path, meanSquare(pcm)}
		}
		sc := noisy(t, dir, c.rate, clean[c.rate], noises[key], c.snr)
		var s score
		s.add(c.rate, sc.spans, detect(t, vad.Config{SampleRate: c.rate, FrameMs: c.frameMs}, sc.pcm))
		slices.Sort(s.delays)
		slices.Sort(s.onsetErr)
		slices.Sort(s.endErr)
		fmt.Fprintf(&table, "| %d | %d | %s | %g | %d | %d | %.0f | %.0f | %.0f | %.0f | %d | %d |\n",
			c.rate, c.frameMs, c.kind.name, c.snr, len(sc.spans), s.missed,
			percentile(s.delays, 50), percentile(s.delays, 95), percentile(s.onsetErr, 50),
			percentile(s.endErr, 50), s.splits, s.false_)
		t.Run(fmt.Sprintf("%d/%dms/%s/%gdB", c.rate, c.frameMs, c.kind.name, c.snr), func(t *testing.T) {
			checkScore(t, c.snr, len(sc.spans), s)
		})
	}
	t.Logf("onset delay and missed utterances (default thresholds):\n%s", table.String())
}

// bounds are what a usable endpointer must meet at an SNR.
type bounds struct {
	missed, splits       int
	median, p95, on, end float64 // ms: onset delay median and p95, |onset|, |end| error medians
}

var boundsBySNR = map[float64]bounds{
	20: {missed: 0, splits: 0, median: 120, p95: 250, on: 60, end: 100},
	10: {missed: 0, splits: 0, median: 160, p95: 400, on: 80, end: 150},
	5:  {missed: 1, splits: 1, median: 200, p95: 700, on: 100, end: 200},
}

// checkScore asserts the bounds for snr.
func checkScore(t *testing.T, snr float64, n int, s score) {
	b := boundsBySNR[snr]
	if s.missed > b.missed {
		t.Errorf("missed %d of %d utterances, want <= %d", s.missed, n, b.missed)
	}
	if s.false_ > 1 {
		t.Errorf("%d false starts in the gaps between utterances, want <= 1", s.false_)
	}
	if len(s.delays) == 0 {
		t.Fatalf("no utterance detected")
	}
	// The earliest possible start is StartMs (80) after the onset, less a
	// frame of alignment.
	if med := percentile(s.delays, 50); med < 50 || med > b.median {
		t.Errorf("median onset delay %.0f ms, want 50-%.0f", med, b.median)
	}
	if p95 := percentile(s.delays, 95); p95 > b.p95 {
		t.Errorf("p95 onset delay %.0f ms, want <= %.0f", p95, b.p95)
	}
	if med := percentile(s.onsetErr, 50); math.Abs(med) > b.on {
		t.Errorf("median onset estimate error %.0f ms, want within %.0f", med, b.on)
	}
	if s.splits > b.splits {
		t.Errorf("%d utterances split by a SpeechEnd before their end, want <= %d", s.splits, b.splits)
	}
	if len(s.endErr) < len(s.delays) {
		t.Errorf("%d detected utterances never ended", len(s.delays)-len(s.endErr))
	} else if med := percentile(s.endErr, 50); math.Abs(med) > b.end {
		t.Errorf("median end estimate error %.0f ms, want within %.0f", med, b.end)
	}
}

// TestQualityNoiseOnly measures false starts per minute on a minute of
// noise of each kind, with no speech, at the level that gives 5 dB SNR in
// TestQualityNoisySpeech, and on clicks and noise level steps.
func TestQualityNoiseOnly(t *testing.T) {
	t.Parallel()
	mediatest.RequireTool(t, "sox")
	dir := t.TempDir()
	const secs = 60
	var table strings.Builder
	table.WriteString("| rate | noise | false starts/min |\n|---|---|---|\n")
	for _, rate := range []int{8000, 16000} {
		for _, kind := range noiseKinds {
			_, n := noise(t, dir, kind, rate, secs)
			scaleTo(n, speechLevelDB-5)
			got := starts(detect(t, vad.Config{SampleRate: rate}, n))
			fmt.Fprintf(&table, "| %d | %s | %d |\n", rate, kind.name, got)
			if got > 1 {
				t.Errorf("%d Hz %s noise: %d false starts/min, want <= 1", rate, kind.name, got)
			}
		}
		for _, kind := range modulatedKinds {
			_, n := noise(t, dir, kind, rate, secs)
			scaleTo(n, speechLevelDB-5)
			got := starts(detect(t, vad.Config{SampleRate: rate}, n))
			fmt.Fprintf(&table, "| %d | %s | %d |\n", rate, kind.name, got)
			if got > 1 {
				t.Errorf("%d Hz %s: %d false starts/min, want <= 1", rate, kind.name, got)
			}
		}
		_, pink := noise(t, dir, noiseKinds[1], rate, secs)
		scaleTo(pink, speechLevelDB-20)
		clicks := addClicks(pink, rate, 5)
		got := starts(detect(t, vad.Config{SampleRate: rate}, clicks))
		fmt.Fprintf(&table, "| %d | clicks (5/s, on pink) | %d |\n", rate, got)
		if got > 1 {
			t.Errorf("%d Hz clicks: %d false starts/min, want <= 1", rate, got)
		}
		steps := levelSteps(pink, rate, 5, 10)
		got = starts(detect(t, vad.Config{SampleRate: rate}, steps))
		fmt.Fprintf(&table, "| %d | pink, +10 dB step every 10 s | %d |\n", rate, got)
		if got > 6 {
			t.Errorf("%d Hz level steps: %d false starts/min, want <= one per step (6)", rate, got)
		}
	}
	t.Logf("false starts on noise only (defaults, 20 ms frames):\n%s", table.String())
}

// modulatedKinds are noises whose level swings: slowly like passing
// traffic, and at syllabic rates like speech.
var modulatedKinds = []noiseKind{
	{"pink, 0.5 Hz tremolo 50%", []string{"pinknoise", "tremolo", "0.5", "50"}},
	{"pink, 2 Hz tremolo 60%", []string{"pinknoise", "tremolo", "2", "60"}},
	{"white, 4 Hz tremolo 70%", []string{"whitenoise", "tremolo", "4", "70"}},
}

// scaleTo scales pcm in place to a mean-square level of db dBFS.
func scaleTo(pcm []int16, db float64) {
	g := math.Sqrt(math.Pow(10, db/10) / meanSquare(pcm))
	for i, v := range pcm {
		pcm[i] = int16(max(-32768, min(32767, math.Round(float64(v)*g))))
	}
}

// addClicks returns a copy of pcm with perSec impulsive clicks per second
// at random times: a 1 ms decaying burst of random sign, -12 to -1 dBFS
// peak.
func addClicks(pcm []int16, rate int, perSec float64) []int16 {
	out := slices.Clone(pcm)
	rng := rand.New(rand.NewPCG(1, 2))
	burst := rate / 1000
	for i := 0; i < len(out); {
		i += int(rng.ExpFloat64() / perSec * float64(rate))
		peak := math.Pow(10, (-12+11*rng.Float64())/20) * 32767
		for k := 0; k < burst && i+k < len(out); k++ {
			v := peak * math.Exp(-4*float64(k)/float64(burst))
			if rng.IntN(2) == 0 {
				v = -v
			}
			out[i+k] = int16(max(-32768, min(32767, float64(out[i+k])+v)))
		}
	}
	return out
}

// levelSteps returns a copy of pcm whose level alternates between its own
// and db dB louder every secs seconds: a line whose noise changes abruptly.
func levelSteps(pcm []int16, rate int, secs, db float64) []int16 {
	out := slices.Clone(pcm)
	g := math.Pow(10, db/20)
	period := int(secs * float64(rate))
	for i, v := range out {
		if (i/period)%2 == 1 {
			out[i] = int16(max(-32768, min(32767, math.Round(float64(v)*g))))
		}
	}
	return out
}
