package vad_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/vad"
)

// sameDecisions feeds pcm to a Detector and to a ReferenceDetector (the
// first, radix-2 analysis with math.Log10) for cfg, and fails unless every
// frame gives the same event and offsets, and levels and SNRs within
// 1e-9 dB. It returns the number of events.
func sameDecisions(t *testing.T, name string, cfg vad.Config, pcm []int16) int {
	t.Helper()
	d, err := vad.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := vad.NewReference(cfg)
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	n := d.FrameSize()
	for i := 0; i+n <= len(pcm); i += n {
		got, want := d.Process(pcm[i:i+n]), r.Process(pcm[i:i+n])
		if got != want || d.StartOffset() != r.StartOffset() || d.EndOffset() != r.EndOffset() {
			t.Fatalf("%s, frame at %d: event %v (start %d, end %d), reference %v (start %d, end %d)",
				name, i, got, d.StartOffset(), d.EndOffset(), want, r.StartOffset(), r.EndOffset())
		}
		if dl, ds := math.Abs(d.LevelDB()-r.LevelDB()), math.Abs(d.SNRDB()-r.SNRDB()); dl > 1e-9 || ds > 1e-9 {
			t.Fatalf("%s, frame at %d: level %.15g dB, SNR %.15g dB; reference %.15g, %.15g",
				name, i, d.LevelDB(), d.SNRDB(), r.LevelDB(), r.SNRDB())
		}
		if got != vad.None {
			events++
		}
	}
	return events
}

// TestDecisionsMatchReference checks that the detector decides exactly as
// the reference does, frame by frame, on synthetic vowels, tones and
// noise at every rate and frame duration, and on espeak-ng and flite speech
// in noise.
func TestDecisionsMatchReference(t *testing.T) {
	t.Parallel()
	for _, rate := range []int{8000, 16000, 48000} {
		pcm := newSignal(rate).noise(1, -55).vowel(0.8, -26).noise(0.8, -55).
			vowel(0.4, -40).noise(0.8, -55).tone(0.6, 1000, -30).noise(0.8, -55).
			vowel(1, -20).noise(1, -55).add(-52).int16s()
		for _, ms := range []int{10, 20, 30} {
			cfg := vad.Config{SampleRate: rate, FrameMs: ms}
			if sameDecisions(t, fmt.Sprintf("synthetic %d Hz %d ms", rate, ms), cfg, pcm) == 0 {
				t.Errorf("synthetic %d Hz %d ms: no events, want some", rate, ms)
			}
		}
	}
	mediatest.RequireTool(t, "espeak-ng")
	mediatest.RequireTool(t, "flite")
	mediatest.RequireTool(t, "sox")
	dir := t.TempDir()
	sc := buildSpeech(t, dir, 8000)
	for _, c := range []struct {
		kind noiseKind
		snr  float64
		ms   []int
	}{
		{noiseKinds[1], 5, []int{10, 20, 30}},
		{noiseKinds[0], 20, []int{20}},
		{noiseKinds[4], 10, []int{20}},
	} {
		path, n := noise(t, dir, c.kind, 8000, float64(len(sc.pcm))/8000+1)
		pcm := noisy(t, dir, 8000, sc, noiseFile{path, meanSquare(n)}, c.snr).pcm
		for _, ms := range c.ms {
			name := fmt.Sprintf("speech in %s noise at %g dB, 8000 Hz %d ms", c.kind.name, c.snr, ms)
			if sameDecisions(t, name, vad.Config{SampleRate: 8000, FrameMs: ms}, pcm) < len(sc.spans) {
				t.Errorf("%s: fewer events than utterances", name)
			}
		}
	}
}
