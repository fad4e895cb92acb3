package flite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

const sentence = "Please say your account number, then press the pound key."

func TestVoices(t *testing.T) {
	mediatest.RequireTool(t, "flite")
	e := newEngine(t)
	var got []string
	for _, v := range e.Voices() {
		if v.Engine != "flite" || v.Language != "en-US" {
			t.Errorf("voice %+v: want engine flite, language en-US", v)
		}
		got = append(got, v.Name+":"+v.Gender)
	}
	want := []string{"kal16:male", "kal:male", "slt:female", "rms:male", "awb:male"}
	if !slices.Equal(got, want) {
		t.Errorf("voices %v, want %v", got, want)
	}
	if e.Name() != "flite" {
		t.Errorf("Name %q", e.Name())
	}

	some, err := New(Config{Voices: []string{"slt", "cmu_us_kal"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := some.Voices(); len(v) != 2 || v[0].Name != "slt" || v[1].Name != "kal" {
		t.Errorf("Config.Voices slt, cmu_us_kal: got %+v", v)
	}
	if _, err := New(Config{Voices: []string{"nobody"}}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown configured voice: err %v, want ErrNoVoice", err)
	}
}

// TestEveryVoiceEveryRate checks that each voice speaks, at each call-side
// rate, with the same duration whatever the rate.
func TestEveryVoiceEveryRate(t *testing.T) {
	e := newEngine(t)
	for _, v := range e.Voices() {
		t.Run(v.Name, func(t *testing.T) {
			var secs []float64
			for _, rate := range []int{8000, 16000, 48000} {
				r := render(t, e, say(v.Name, rate, "Hello, thank you for calling."))
				if level := rms(r.pcm); level < 300 {
					t.Errorf("%d Hz: rms %.0f: audio is (nearly) silent", rate, level)
				}
				if r.chunks < 5 {
					t.Errorf("%d Hz: %d chunks: audio not streamed", rate, r.chunks)
				}
				secs = append(secs, r.seconds(rate))
			}
			for _, s := range secs {
				if s < 1 || s > 4 || math.Abs(s-secs[0]) > 0.001 {
					t.Errorf("durations at 8, 16, 48 kHz: %v s; want 1-4 s, equal", secs)
					break
				}
			}
		})
	}
}

func TestUnknownVoice(t *testing.T) {
	e := newEngine(t)
	err := e.Synthesize(context.Background(), say("nobody", 8000, "hi"), func(speech.Chunk) error { return nil })
	if !errors.Is(err, speech.ErrNoVoice) {
		t.Fatalf("err %v, want ErrNoVoice", err)
	}
	err = e.Synthesize(context.Background(), say("kal", 12345, "hi"), func(speech.Chunk) error { return nil })
	if err == nil {
		t.Fatal("rate 12345 Hz accepted")
	}
	err = e.Synthesize(context.Background(), speech.SynthRequest{Rate: 8000}, func(speech.Chunk) error { return nil })
	if !errors.Is(err, speech.ErrEngine) {
		t.Fatalf("nil document: err %v, want ErrEngine", err)
	}
}

// TestVoiceNameForms checks the spellings a voice name may take.
func TestVoiceNameForms(t *testing.T) {
	e := newEngine(t)
	for _, name := range []string{"slt", "SLT", "cmu_us_slt", "flite/slt"} {
		r := render(t, e, say(name, 16000, "yes"))
		if len(r.pcm) == 0 {
			t.Errorf("%q: no audio", name)
		}
	}
}

func TestRateScalesDuration(t *testing.T) {
	e := newEngine(t)
	for _, voice := range []string{"kal", "slt"} {
		t.Run(voice, func(t *testing.T) {
			dur := func(rate float64) float64 {
				p := ssml.DefaultProsody
				p.Rate = rate
				req := say(voice, 8000, sentence)
				req.Doc.Items[0].Prosody = p
				return render(t, e, req).seconds(8000)
			}
			normal, fast, slow := dur(1), dur(2), dur(0.5)
			if r := fast / normal; r < 0.4 || r > 0.65 {
				t.Errorf("rate 2: %.2f s vs %.2f s normal (ratio %.2f, want about 0.5)", fast, normal, r)
			}
			if r := slow / normal; r < 1.6 || r > 2.3 {
				t.Errorf("rate 0.5: %.2f s vs %.2f s normal (ratio %.2f, want about 2)", slow, normal, r)
			}
			// The baseline (SET-PARAMS Prosody-Rate) multiplies the item's.
			req := say(voice, 8000, sentence)
			req.Prosody.Rate = 2
			if r := render(t, e, req).seconds(8000) / normal; r < 0.4 || r > 0.65 {
				t.Errorf("baseline rate 2: ratio %.2f, want about 0.5", r)
			}
		})
	}
}

func TestPitch(t *testing.T) {
	e := newEngine(t)
	for _, voice := range []string{"kal16", "slt", "rms"} {
		t.Run(voice, func(t *testing.T) {
			f0 := func(pitch float64) float64 {
				p := ssml.DefaultProsody
				p.Pitch = pitch
				req := say(voice, 16000, sentence)
				req.Doc.Items[0].Prosody = p
				return medianF0(render(t, e, req).pcm, 16000)
			}
			low, normal, high := f0(0.7), f0(1), f0(1.5)
			t.Logf("median F0 at pitch 0.7, 1, 1.5: %.0f, %.0f, %.0f Hz", low, normal, high)
			// rms's own F0 contour (its SPAM model) gives way to its F0
			// trees when the pitch is not 1, so compare 1.5 with 0.7.
			if r := high / low; r < 1.8 || r > 2.5 {
				t.Errorf("pitch 1.5 against 0.7: F0 ratio %.2f, want about 2.14", r)
			}
			if normal <= low || normal >= high {
				t.Errorf("pitch 1: F0 %.0f Hz not between %.0f and %.0f", normal, low, high)
			}
		})
	}
}

func TestRange(t *testing.T) {
	e := newEngine(t)
	for _, voice := range []string{"kal16", "slt"} {
		t.Run(voice, func(t *testing.T) {
			spread := func(r float64) float64 {
				req := say(voice, 16000, sentence)
				req.Doc.Items[0] = withProsody(req.Doc.Items[0], ssml.Prosody{Rate: 1, Pitch: 1, Range: r, Volume: 1})
				return f0Spread(render(t, e, req).pcm, 16000)
			}
			flat, normal, wide := spread(0.1), spread(1), spread(2.5)
			t.Logf("F0 p90/p10 at range 0.1, 1, 2.5: %.2f, %.2f, %.2f", flat, normal, wide)
			if !(flat < normal && normal < wide) || flat > 1.25 {
				t.Errorf("F0 spread at range 0.1, 1, 2.5: %.2f, %.2f, %.2f; want increasing, the first near 1", flat, normal, wide)
			}
		})
	}
}

func TestVolume(t *testing.T) {
	e := newEngine(t)
	level := func(v float64) float64 {
		p := ssml.DefaultProsody
		p.Volume = v
		req := say("kal", 8000, sentence)
		req.Doc.Items[0].Prosody = p
		return rms(render(t, e, req).pcm)
	}
	normal, half, none := level(1), level(0.5), level(0)
	if r := half / normal; math.Abs(r-0.5) > 0.01 {
		t.Errorf("volume 0.5: rms ratio %.3f, want 0.5", r)
	}
	if none != 0 {
		t.Errorf("volume 0: rms %.1f, want silence", none)
	}
	// A large gain saturates instead of wrapping around.
	loud := render(t, e, func() speech.SynthRequest {
		req := say("kal", 8000, sentence)
		req.Prosody.Volume = 4
		return req
	}()).pcm
	if rms(loud) < 2*normal {
		t.Errorf("volume 4: rms %.0f, not louder than %.0f", rms(loud), normal)
	}
	if slices.Max(loud) != math.MaxInt16 || slices.Min(loud) != math.MinInt16 {
		t.Errorf("volume 4: range [%d, %d], want clipped to the int16 limits", slices.Min(loud), slices.Max(loud))
	}
}

func TestMarksInOrder(t *testing.T) {
	e := newEngine(t)
	req := say("kal", 8000, "")
	req.Doc = doc(markItem("start"), textItem("Your balance is"), markItem("amount"),
		textItem("forty two dollars."), markItem("pause"), breakItem(300*time.Millisecond),
		markItem("end"))
	r := render(t, e, req)
	if got, want := r.markNames(), []string{"start", "amount", "pause", "end"}; !slices.Equal(got, want) {
		t.Fatalf("marks %v, want %v", got, want)
	}
	at := func(i int) int { return r.marks[i].at }
	if at(0) != 0 {
		t.Errorf("mark start after %d samples, want 0", at(0))
	}
	if at(1) < 4000 || at(2)-at(1) < 4000 {
		t.Errorf("marks at samples %v: want speech between them", r.marks)
	}
	if got := at(3) - at(2); got != 2400 {
		t.Errorf("break between marks pause and end: %d samples, want 2400", got)
	}
	if at(3) != len(r.pcm) {
		t.Errorf("mark end at %d, want at the end (%d)", at(3), len(r.pcm))
	}
}

func TestBreakAddsSilence(t *testing.T) {
	e := newEngine(t)
	for _, rate := range []int{8000, 16000, 48000} {
		without := render(t, e, speech.SynthRequest{Rate: rate, Voice: speech.Voice{Name: "kal16"},
			Doc: doc(textItem("one"), textItem("two"))})
		with := render(t, e, speech.SynthRequest{Rate: rate, Voice: speech.Voice{Name: "kal16"},
			Doc: doc(textItem("one"), breakItem(750*time.Millisecond), textItem("two"))})
		if got, want := len(with.pcm)-len(without.pcm), rate*3/4; got != want {
			t.Errorf("%d Hz: break added %d samples, want %d", rate, got, want)
		}
		if got := longestZeroRun(with.pcm); got < rate*3/4 {
			t.Errorf("%d Hz: longest silence %d samples, want at least %d", rate, got, rate*3/4)
		}
	}
}

func TestAudioItemSpeaksFallback(t *testing.T) {
	e := newEngine(t)
	req := say("kal", 8000, "")
	req.Doc = doc(ssml.Item{Kind: ssml.Audio, Name: "http://example.com/x.wav", Text: "sorry, the recording is missing", Prosody: ssml.DefaultProsody})
	if r := render(t, e, req); r.seconds(8000) < 1 || rms(r.pcm) < 300 {
		t.Errorf("audio fallback: %.2f s, rms %.0f", r.seconds(8000), rms(r.pcm))
	}
}

func TestVoiceSwitch(t *testing.T) {
	e := newEngine(t)
	f0 := func(items ...ssml.Item) float64 {
		req := say("kal16", 16000, "")
		req.Doc = doc(items...)
		return medianF0(render(t, e, req).pcm, 16000)
	}
	male := f0(textItem(sentence))
	named := textItem(sentence)
	named.Voice = ssml.Voice{Name: "slt"}
	byName := f0(named)
	gendered := textItem(sentence)
	gendered.Voice = ssml.Voice{Gender: "female"}
	byGender := f0(gendered)
	t.Logf("median F0: kal16 %.0f Hz, voice name slt %.0f Hz, gender female %.0f Hz", male, byName, byGender)
	if male > 140 || byName < 140 || byGender < 140 {
		t.Errorf("median F0 kal16 %.0f, slt by name %.0f, by gender %.0f: want male below 140 Hz, female above", male, byName, byGender)
	}
	// A name of another engine's voice, or of a list, keeps flite's voice.
	other := textItem(sentence)
	other.Voice = ssml.Voice{Name: "en-us+f3"}
	if f := f0(other); f > 140 {
		t.Errorf("unknown item voice: F0 %.0f, want the request's male voice", f)
	}
}

func TestCancel(t *testing.T) {
	e := newEngine(t)
	for _, voice := range []string{"kal", "slt"} {
		t.Run(voice, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := say(voice, 8000, sentence+" "+sentence+" "+sentence)
			var after int
			var cancelled bool
			var at time.Time
			err := e.Synthesize(ctx, req, func(c speech.Chunk) error {
				if cancelled {
					after++
				}
				if !cancelled && len(c.PCM) > 0 {
					cancel()
					cancelled, at = true, time.Now()
				}
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			if d := time.Since(at); d > 200*time.Millisecond {
				t.Errorf("returned %v after cancel", d)
			}
			if after > 0 {
				t.Errorf("%d chunks emitted after cancel", after)
			}
		})
	}
}

func TestEmitError(t *testing.T) {
	e := newEngine(t)
	boom := errors.New("boom")
	n := 0
	err := e.Synthesize(context.Background(), say("slt", 8000, sentence), func(speech.Chunk) error {
		n++
		if n == 3 {
			return boom
		}
		return nil
	})
	if err != boom {
		t.Fatalf("err %v, want the emit error as is", err)
	}
	if n != 3 {
		t.Errorf("emit called %d times, want 3", n)
	}
	// A mark's emit error also stops synthesis.
	req := say("kal", 8000, "")
	req.Doc = doc(markItem("m"), textItem("never"))
	err = e.Synthesize(context.Background(), req, func(c speech.Chunk) error {
		if c.Mark != "" {
			return boom
		}
		t.Error("audio after a failed mark")
		return nil
	})
	if err != boom {
		t.Fatalf("mark: err %v, want boom", err)
	}
}

func TestEmitPanicPropagates(t *testing.T) {
	e := newEngine(t)
	defer func() {
		if p := recover(); p != "emit panic" {
			t.Fatalf("recovered %v, want the emit's panic", p)
		}
	}()
	_ = e.Synthesize(context.Background(), say("kal", 8000, sentence), func(speech.Chunk) error {
		panic("emit panic")
	})
	t.Fatal("Synthesize returned after emit panicked")
}

// TestConcurrent runs syntheses with every voice, several per voice, at
// once; the diphone voices are deterministic, so their audio must equal a
// lone synthesis's.
func TestConcurrent(t *testing.T) {
	e := newEngine(t)
	alone := map[string][]int16{}
	for _, v := range []string{"kal", "kal16"} {
		alone[v] = render(t, e, say(v, 8000, sentence)).pcm
	}
	var wg sync.WaitGroup
	for i := range 3 {
		for _, v := range e.Voices() {
			wg.Go(func() {
				r := render(t, e, say(v.Name, 8000, fmt.Sprintf("%s Attempt %d.", sentence, i)))
				if rms(r.pcm) < 300 {
					t.Errorf("%s: silent", v.Name)
				}
			})
			if want, ok := alone[v.Name]; ok {
				wg.Go(func() {
					if got := render(t, e, say(v.Name, 8000, sentence)).pcm; !slices.Equal(got, want) {
						t.Errorf("%s: concurrent audio differs from a lone synthesis", v.Name)
					}
				})
			}
		}
	}
	wg.Wait()
}

// TestIntelligible has PocketSphinx transcribe each voice.
func TestIntelligible(t *testing.T) {
	e := newEngine(t)
	const want = "please say your account number"
	// kal is an 8 kHz voice; PocketSphinx's 16 kHz model does not cope
	// with its missing upper band, so it is not asked to.
	for _, voice := range []string{"kal16", "slt", "rms", "awb"} {
		t.Run(voice, func(t *testing.T) {
			heard := recognize(t, render(t, e, say(voice, 16000, want)).pcm)
			t.Logf("heard %q", heard)
			if n := recall(want, heard); n < 3 {
				t.Errorf("PocketSphinx heard %q: %d of the 5 words, want at least 3", heard, n)
			}
		})
	}
}

func TestGoroutinesEnd(t *testing.T) {
	e := newEngine(t)
	defer mediatest.CheckGoroutines(t)()
	render(t, e, say("slt", 8000, "goodbye"))
}

// TestSSML renders a document from ssml.Parse.
func TestSSML(t *testing.T) {
	e := newEngine(t)
	d, err := ssml.Parse("application/ssml+xml", []byte(`<?xml version="1.0"?>
<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">
  Your balance is <mark name="amount"/><say-as interpret-as="currency">$42.50</say-as>.
  <break time="800ms"/><mark name="after"/>
  <prosody rate="fast" volume="loud">Goodbye.</prosody>
  <voice gender="female">Thank you for calling.</voice>
</speak>`))
	if err != nil {
		t.Fatal(err)
	}
	r := render(t, e, speech.SynthRequest{Doc: d, Voice: speech.Voice{Name: "kal16"}, Rate: 16000, Prosody: ssml.DefaultProsody})
	if got := r.markNames(); !slices.Equal(got, []string{"amount", "after"}) {
		t.Fatalf("marks %v", got)
	}
	if r.marks[0].at < 8000 || r.marks[1].at-r.marks[0].at < 16000 {
		t.Errorf("marks at %v: want speech before each", r.marks)
	}
	if z := longestZeroRun(r.pcm[:r.marks[1].at]); z < 800*16 {
		t.Errorf("longest silence before mark after: %d samples, want the 800 ms break", z)
	}
	if s := r.seconds(16000); s < 4 || s > 12 || rms(r.pcm) < 300 {
		t.Errorf("%.2f s, rms %.0f", s, rms(r.pcm))
	}
}
