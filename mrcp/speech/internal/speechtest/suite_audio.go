package speechtest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/parley-cc/parley/mrcp/ssml"
)

// rates checks that each voice speaks audibly and streams at each
// call-side rate, for the same duration whatever the rate.
func (s Suite) rates(t *testing.T) {
	forVoices(t, s.Voices, func(t *testing.T, voice string) {
		var secs []float64
		for _, rate := range []int{8000, 16000, 48000} {
			r := Render(t, s.Synth, Say(voice, rate, "Hello, thank you for calling."))
			if level := RMS(r.PCM); level < 300 {
				t.Errorf("%d Hz: rms %.0f: audio is (nearly) silent", rate, level)
			}
			if r.Chunks < 5 {
				t.Errorf("%d Hz: %d chunks: audio not streamed", rate, r.Chunks)
			}
			secs = append(secs, r.Seconds(rate))
		}
		for _, sec := range secs {
			if sec < 1 || sec > 4 || math.Abs(sec-secs[0]) > s.RateSkew.Seconds() {
				t.Errorf("durations at 8, 16, 48 kHz: %v s; want 1-4 s, equal within %v", secs, s.RateSkew)
				break
			}
		}
	})
}

// rateScalesDuration checks that the item's prosody rate and the
// request's baseline (SET-PARAMS Prosody-Rate), which multiplies it,
// scale the duration.
func (s Suite) rateScalesDuration(t *testing.T) {
	forVoices(t, s.Voices, func(t *testing.T, voice string) {
		dur := func(rate float64) float64 {
			p := ssml.Prosody{Rate: rate, Pitch: 1, Range: 1, Volume: 1}
			return Render(t, s.Synth, SayWith(voice, 8000, Sentence, p)).Seconds(8000)
		}
		normal, fast, slow := dur(1), dur(2), dur(0.5)
		if r := fast / normal; r < 0.4 || r > 0.65 {
			t.Errorf("rate 2: %.2f s vs %.2f s normal (ratio %.2f, want about 0.5)", fast, normal, r)
		}
		if r := slow / normal; r < 1.6 || r > 2.3 {
			t.Errorf("rate 0.5: %.2f s vs %.2f s normal (ratio %.2f, want about 2)", slow, normal, r)
		}
		req := Say(voice, 8000, Sentence)
		req.Prosody.Rate = 2
		if r := Render(t, s.Synth, req).Seconds(8000) / normal; r < 0.4 || r > 0.65 {
			t.Errorf("baseline rate 2: ratio %.2f, want about 0.5", r)
		}
	})
}

// pitch checks that the median F0 rises with the prosody's pitch, in the
// ratios s.Pitch.Ratios bound.
func (s Suite) pitch(t *testing.T) {
	pitches := []float64{1}
	for _, r := range s.Pitch.Ratios {
		pitches = append(pitches, r.Pitch, r.Base)
	}
	slices.Sort(pitches)
	pitches = slices.Compact(pitches)
	forVoices(t, s.Pitch.Voices, func(t *testing.T, voice string) {
		f0 := map[float64]float64{}
		for _, p := range pitches {
			req := SayWith(voice, 16000, Sentence, ssml.Prosody{Rate: 1, Pitch: p, Range: 1, Volume: 1})
			f0[p] = MedianF0(Render(t, s.Synth, req).PCM, 16000)
			t.Logf("median F0 at pitch %g: %.0f Hz", p, f0[p])
		}
		for i, p := range pitches[1:] {
			if lower := pitches[i]; f0[p] <= f0[lower] {
				t.Errorf("pitch %g: F0 %.0f Hz, not above %.0f Hz at pitch %g", p, f0[p], f0[lower], lower)
			}
		}
		for _, r := range s.Pitch.Ratios {
			if q := f0[r.Pitch] / f0[r.Base]; q < r.Min || q > r.Max {
				t.Errorf("pitch %g against %g: F0 ratio %.2f, want %.2f-%.2f", r.Pitch, r.Base, q, r.Min, r.Max)
			}
		}
	})
}

// pitchRange checks that the F0's spread grows with the prosody's range.
func (s Suite) pitchRange(t *testing.T) {
	forVoices(t, s.Pitch.RangeVoices, func(t *testing.T, voice string) {
		var spread [3]float64
		for i, r := range s.Pitch.Ranges {
			req := SayWith(voice, 16000, Sentence, ssml.Prosody{Rate: 1, Pitch: 1, Range: r, Volume: 1})
			spread[i] = F0Spread(Render(t, s.Synth, req).PCM, 16000)
		}
		msg := fmt.Sprintf("F0 p90/p10 at range %v: %.2f", s.Pitch.Ranges, spread)
		t.Log(msg)
		if !(spread[0] < spread[1] && spread[1] < spread[2]) {
			t.Errorf("%s; want increasing", msg)
		}
		if s.Pitch.FlatSpread != 0 && spread[0] > s.Pitch.FlatSpread {
			t.Errorf("%s; want the first at most %.2f", msg, s.Pitch.FlatSpread)
		}
	})
}

// volume checks that the prosody's volume scales the amplitude.
func (s Suite) volume(t *testing.T) {
	level := func(v float64) float64 {
		req := SayWith(s.Voice, 8000, Sentence, ssml.Prosody{Rate: 1, Pitch: 1, Range: 1, Volume: v})
		return RMS(Render(t, s.Synth, req).PCM)
	}
	none, half, normal, loud := level(0), level(0.5), level(1), level(1.5)
	t.Logf("rms at volume 0, 0.5, 1, 1.5: %.1f, %.1f, %.1f, %.1f", none, half, normal, loud)
	if none > s.Volume.Silence {
		t.Errorf("volume 0: rms %.1f, want silence (at most %.1f)", none, s.Volume.Silence)
	}
	if r := half / normal; math.Abs(r-0.5) > s.Volume.HalfSkew {
		t.Errorf("volume 0.5: rms ratio %.3f, want 0.5 within %.3f", r, s.Volume.HalfSkew)
	}
	if loud <= normal {
		t.Errorf("volume 1.5: rms %.0f, not louder than %.0f", loud, normal)
	}
}

// intelligible has PocketSphinx transcribe each voice of s.Intelligible.
func (s Suite) intelligible(t *testing.T) {
	const want = "please say your account number"
	forVoices(t, s.Intelligible, func(t *testing.T, voice string) {
		heard := Recognize(t, Render(t, s.Synth, Say(voice, 16000, want)).PCM)
		t.Logf("heard %q", heard)
		if n := Recall(want, heard); n < 3 {
			t.Errorf("PocketSphinx heard %q: %d of the 5 words, want at least 3", heard, n)
		}
	})
}
