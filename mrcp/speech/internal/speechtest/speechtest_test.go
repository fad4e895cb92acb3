package speechtest

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
)

func TestRMS(t *testing.T) {
	for _, tc := range []struct {
		name string
		pcm  []int16
		want float64
	}{
		{"empty", nil, 0},
		{"silence", make([]int16, 100), 0},
		{"constant", []int16{-300, 300, -300, 300}, 300},
		{"sine", mediatest.ToneSamples(440, 8000, 0.5, 8000), 0.5 * math.MaxInt16 / math.Sqrt2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RMS(tc.pcm); math.Abs(got-tc.want) > 1 {
				t.Errorf("RMS %.1f, want %.1f", got, tc.want)
			}
		})
	}
}

// TestMedianF0 checks the pitch estimate on tones across the voice range,
// at each rate, and that quiet or noisy audio has none.
func TestMedianF0(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		for _, f := range []float64{80, 120, 220, 400} {
			got := MedianF0(mediatest.ToneSamples(f, rate, 0.5, rate), rate)
			if math.Abs(got-f) > 0.03*f {
				t.Errorf("%d Hz tone at %d Hz: median F0 %.1f", int(f), rate, got)
			}
		}
	}
	if got := MedianF0(mediatest.ToneSamples(200, 8000, 0.005, 8000), 8000); got != 0 {
		t.Errorf("quiet tone: median F0 %.1f, want 0 (unvoiced)", got)
	}
	noise := make([]int16, 8000)
	x := uint32(1)
	for i := range noise {
		x = x*1664525 + 1013904223
		noise[i] = int16(x >> 16)
	}
	if got := MedianF0(noise, 8000); got != 0 {
		t.Errorf("white noise: median F0 %.1f, want 0 (unvoiced)", got)
	}
}

// TestF0Spread checks that a steady tone has no spread and a glide from
// 100 to 200 Hz about 2 (the 90th over the 10th percentile).
func TestF0Spread(t *testing.T) {
	if got := F0Spread(mediatest.ToneSamples(150, 8000, 0.5, 8000), 8000); math.Abs(got-1) > 0.03 {
		t.Errorf("steady tone: spread %.2f, want 1", got)
	}
	glide := make([]int16, 16000)
	phase := 0.0
	for i := range glide {
		f := 100 + 100*float64(i)/float64(len(glide))
		phase += 2 * math.Pi * f / 8000
		glide[i] = int16(10000 * math.Sin(phase))
	}
	if got := F0Spread(glide, 8000); got < 1.5 || got > 2.1 {
		t.Errorf("100-200 Hz glide: spread %.2f, want about 1.8", got)
	}
	if got := F0Spread(mediatest.ToneSamples(150, 8000, 0.5, 400), 8000); got != 0 {
		t.Errorf("too short: spread %.2f, want 0", got)
	}
}

func TestLongestZeroRun(t *testing.T) {
	for _, tc := range []struct {
		pcm  []int16
		want int
	}{
		{nil, 0},
		{[]int16{1, 2}, 0},
		{[]int16{0, 0, 1, 0, 0, 0, 2, 0}, 3},
		{[]int16{1, 0, 0, 0, 0}, 4},
	} {
		if got := LongestZeroRun(tc.pcm); got != tc.want {
			t.Errorf("LongestZeroRun(%v) = %d, want %d", tc.pcm, got, tc.want)
		}
	}
}

// TestSameAndSimilar checks the two comparisons on a tone burst and
// altered copies of it.
func TestSameAndSimilar(t *testing.T) {
	const rate = 8000
	burst := func(f float64, on, off time.Duration) []int16 {
		pcm := mediatest.ToneSamples(f, rate, 0.3, int(on.Seconds()*rate))
		return append(pcm, make([]int16, int(off.Seconds()*rate))...)
	}
	a := slices.Concat(burst(150, 300*time.Millisecond, 200*time.Millisecond), burst(150, 500*time.Millisecond, 0))
	if why := Same(a, slices.Clone(a), rate); why != "" {
		t.Errorf("Same of a copy: %s", why)
	}
	if why := Similar(a, slices.Clone(a), rate); why != "" {
		t.Errorf("Similar of a copy: %s", why)
	}
	nudged := slices.Clone(a)
	nudged[800]++
	if Same(a, nudged, rate) == "" {
		t.Error("Same of copies differing in one sample")
	}
	if why := Similar(a, nudged, rate); why != "" {
		t.Errorf("Similar of copies differing in one sample: %s", why)
	}
	if Same(a, a[:len(a)-1], rate) == "" {
		t.Error("Same of a copy one sample short")
	}
	for name, b := range map[string][]int16{
		"longer":        append(slices.Clone(a), make([]int16, rate/10)...),
		"higher":        slices.Concat(burst(200, 300*time.Millisecond, 200*time.Millisecond), burst(200, 500*time.Millisecond, 0)),
		"other pattern": slices.Concat(burst(150, 500*time.Millisecond, 200*time.Millisecond), burst(150, 300*time.Millisecond, 0)),
	} {
		if Similar(a, b, rate) == "" {
			t.Errorf("Similar of a tone pattern and one %s", name)
		}
	}
}

func TestRecall(t *testing.T) {
	heard := []string{"please", "say", "your", "count", "number"}
	if got := Recall("please say your account number", heard); got != 4 {
		t.Errorf("Recall %d, want 4", got)
	}
	if got := Recall("hello", nil); got != 0 {
		t.Errorf("Recall of nothing heard %d, want 0", got)
	}
}

// TestRecognize has PocketSphinx listen to a tone, in which it must hear
// none of a sentence's words (and must be installed).
func TestRecognize(t *testing.T) {
	heard := Recognize(t, mediatest.ToneSamples(440, 16000, 0.3, 16000))
	if n := Recall("please say your account number", heard); n > 1 {
		t.Errorf("a tone heard as %q", heard)
	}
}

// fakeSynth emits 50 ms of tone for each text item and a chunk for each
// mark, ignoring breaks; it fails on the voice "bad".
type fakeSynth struct{}

func (fakeSynth) Name() string           { return "fake" }
func (fakeSynth) Voices() []speech.Voice { return nil }
func (fakeSynth) Synthesize(_ context.Context, req speech.SynthRequest, emit func(speech.Chunk) error) error {
	if req.Voice.Name == "bad" {
		return speech.ErrNoVoice
	}
	for _, it := range req.Doc.Items {
		var c speech.Chunk
		switch {
		case it.Name != "":
			c.Mark = it.Name
		case it.Text != "":
			c.PCM = mediatest.ToneSamples(200, req.Rate, 0.1, req.Rate/20)
		default:
			continue
		}
		if err := emit(c); err != nil {
			return err
		}
	}
	return nil
}

func TestRender(t *testing.T) {
	req := Say("x", 8000, "")
	req.Doc = Doc(Mark("a"), Text("one"), Break(time.Second), Mark("b"), Text("two"))
	r := Render(t, fakeSynth{}, req)
	if r.Chunks != 4 || len(r.PCM) != 800 || r.Seconds(8000) != 0.1 {
		t.Errorf("%d chunks, %d samples (%.2f s), want 4 and 800 (0.1 s)", r.Chunks, len(r.PCM), r.Seconds(8000))
	}
	if !slices.Equal(r.Marks, []MarkAt{{"a", 0}, {"b", 400}}) || !slices.Equal(r.MarkNames(), []string{"a", "b"}) {
		t.Errorf("marks %v (%v), want a at 0, b at 400", r.Marks, r.MarkNames())
	}
	if _, err := synthesize(fakeSynth{}, Say("bad", 8000, "hi")); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("failing synthesis: err %v", err)
	}
}
