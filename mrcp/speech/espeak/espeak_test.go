package espeak

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
	mediatest.RequireTool(t, "espeak-ng")
	e := newEngine(t)
	if e.Name() != "espeak-ng" {
		t.Errorf("Name %q", e.Name())
	}
	vs := e.Voices()
	byName := map[string]speech.Voice{}
	for _, v := range vs {
		if v.Engine != "espeak-ng" || v.Name == "" || v.Language == "" {
			t.Errorf("voice %+v incomplete", v)
		}
		if _, dup := byName[v.Name]; dup {
			t.Errorf("voice name %q twice", v.Name)
		}
		byName[v.Name] = v
	}
	if len(vs) < 200 {
		t.Errorf("%d voices, want the ~130 installed ones and their female variants", len(vs))
	}
	for _, want := range []speech.Voice{
		{Name: "en-us", Language: "en-US", Gender: "male"},
		{Name: "en-us+f3", Language: "en-US", Gender: "female"},
		{Name: "en-gb", Language: "en-GB", Gender: "male"},
		{Name: "en-gb-x-rp", Language: "en-GB-x-rp", Gender: "male"},
		{Name: "de", Language: "de", Gender: "male"},
		{Name: "fr-fr", Language: "fr-FR", Gender: "male"},
		{Name: "cmn-latn-pinyin", Language: "cmn-Latn-pinyin", Gender: "male"},
	} {
		want.Engine = "espeak-ng"
		if got := byName[want.Name]; got != want {
			t.Errorf("voice %s: %+v, want %+v", want.Name, got, want)
		}
	}
	for _, v := range vs {
		if v.Gender == "" {
			t.Errorf("%s: no gender", v.Name)
		}
	}

	some, err := New(Config{Voices: []string{"en-us", "DE"}, Variants: []string{"m3", "f2"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range some.Voices() {
		names = append(names, v.Name+":"+v.Gender)
	}
	if want := []string{"de:male", "en-us:male", "de+m3:male", "en-us+m3:male", "de+f2:female", "en-us+f2:female"}; !slices.Equal(names, want) {
		t.Errorf("Config{Voices: en-us, DE; Variants: m3, f2}: voices %v, want %v", names, want)
	}
	if _, err := New(Config{Variants: []string{"nosuch"}}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown variant: err %v, want ErrNoVoice", err)
	}
	if _, err := New(Config{Voices: []string{"xx-nowhere"}}); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown voice: err %v, want ErrNoVoice", err)
	}
}

// TestEveryVoice has every installed voice say a few words.
func TestEveryVoice(t *testing.T) {
	e := newEngine(t)
	for _, v := range e.Voices() {
		if v.Name != "en-us+f3" && slices.Contains([]byte(v.Name), '+') {
			continue
		}
		r := render(t, e, say(v.Name, 8000, "hello 1 2 3"))
		if r.seconds(8000) < 0.5 || rms(r.pcm) < 300 {
			t.Errorf("%s: %.2f s, rms %.0f", v.Name, r.seconds(8000), rms(r.pcm))
		}
	}
}

func TestRates(t *testing.T) {
	e := newEngine(t)
	var secs []float64
	for _, rate := range []int{8000, 16000, 48000} {
		r := render(t, e, say("en-us", rate, "Hello, thank you for calling."))
		if rms(r.pcm) < 300 {
			t.Errorf("%d Hz: silent", rate)
		}
		secs = append(secs, r.seconds(rate))
	}
	for _, s := range secs {
		if s < 1 || s > 4 || math.Abs(s-secs[0]) > 0.02 {
			t.Errorf("durations at 8, 16, 48 kHz: %v s; want 1-4 s, equal within 20 ms", secs)
			break
		}
	}
}

func TestUnknownVoiceAndBadRequests(t *testing.T) {
	e := newEngine(t)
	nop := func(speech.Chunk) error { return nil }
	if err := e.Synthesize(context.Background(), say("xx-nowhere", 8000, "hi"), nop); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown voice: err %v, want ErrNoVoice", err)
	}
	if err := e.Synthesize(context.Background(), say("en-us+nosuch", 8000, "hi"), nop); !errors.Is(err, speech.ErrNoVoice) {
		t.Errorf("unknown variant: err %v, want ErrNoVoice", err)
	}
	if err := e.Synthesize(context.Background(), say("en-us", 12345, "hi"), nop); err == nil {
		t.Error("rate 12345 Hz accepted")
	}
	if err := e.Synthesize(context.Background(), speech.SynthRequest{Rate: 8000}, nop); !errors.Is(err, speech.ErrEngine) {
		t.Errorf("nil document: err %v, want ErrEngine", err)
	}
	// Any installed variant of an offered voice is accepted by name.
	for _, name := range []string{"en-us+klatt", "EN-US+F3", "espeak-ng/en-us", "en_us"} {
		if r := render(t, e, say(name, 8000, "yes")); len(r.pcm) == 0 {
			t.Errorf("%q: no audio", name)
		}
	}
}

func prosodyReq(voice, text string, p ssml.Prosody) speech.SynthRequest {
	req := say(voice, 16000, text)
	req.Doc.Items[0] = withProsody(req.Doc.Items[0], p)
	return req
}

func TestRateScalesDuration(t *testing.T) {
	e := newEngine(t)
	dur := func(rate float64) float64 {
		return render(t, e, prosodyReq("en-us", sentence, ssml.Prosody{Rate: rate, Pitch: 1, Range: 1, Volume: 1})).seconds(16000)
	}
	normal, fast, slow := dur(1), dur(2), dur(0.5)
	if r := fast / normal; r < 0.4 || r > 0.65 {
		t.Errorf("rate 2: %.2f s vs %.2f s (ratio %.2f, want about 0.5)", fast, normal, r)
	}
	if r := slow / normal; r < 1.6 || r > 2.3 {
		t.Errorf("rate 0.5: %.2f s vs %.2f s (ratio %.2f, want about 2)", slow, normal, r)
	}
	req := say("en-us", 16000, sentence)
	req.Prosody.Rate = 2
	if r := render(t, e, req).seconds(16000) / normal; r < 0.4 || r > 0.65 {
		t.Errorf("baseline rate 2: ratio %.2f, want about 0.5", r)
	}
}

func TestPitchAndRange(t *testing.T) {
	e := newEngine(t)
	for _, voice := range []string{"en-us", "en-us+f3"} {
		t.Run(voice, func(t *testing.T) {
			f0 := func(p ssml.Prosody) []int16 { return render(t, e, prosodyReq(voice, sentence, p)).pcm }
			low := medianF0(f0(ssml.Prosody{Rate: 1, Pitch: 0.8, Range: 1, Volume: 1}), 16000)
			normal := medianF0(f0(ssml.DefaultProsody), 16000)
			high := medianF0(f0(ssml.Prosody{Rate: 1, Pitch: 1.4, Range: 1, Volume: 1}), 16000)
			t.Logf("median F0 at pitch 0.8, 1, 1.4: %.0f, %.0f, %.0f Hz", low, normal, high)
			if r := high / normal; r < 1.25 || r > 1.6 {
				t.Errorf("pitch 1.4: F0 ratio %.2f", r)
			}
			if r := low / normal; r < 0.7 || r > 0.9 {
				t.Errorf("pitch 0.8: F0 ratio %.2f", r)
			}
			flat := f0Spread(f0(ssml.Prosody{Rate: 1, Pitch: 1, Range: 0, Volume: 1}), 16000)
			wide := f0Spread(f0(ssml.Prosody{Rate: 1, Pitch: 1, Range: 2, Volume: 1}), 16000)
			mid := f0Spread(f0(ssml.DefaultProsody), 16000)
			t.Logf("F0 p90/p10 at range 0, 1, 2: %.2f, %.2f, %.2f", flat, mid, wide)
			if !(flat < mid && mid < wide) {
				t.Errorf("F0 spread at range 0, 1, 2: %.2f, %.2f, %.2f; want increasing", flat, mid, wide)
			}
		})
	}
}

func TestVolume(t *testing.T) {
	e := newEngine(t)
	level := func(v float64) float64 {
		return rms(render(t, e, prosodyReq("en-us", sentence, ssml.Prosody{Rate: 1, Pitch: 1, Range: 1, Volume: v})).pcm)
	}
	none, half, normal, loud := level(0), level(0.5), level(1), level(1.5)
	t.Logf("rms at volume 0, 0.5, 1, 1.5: %.0f, %.0f, %.0f, %.0f", none, half, normal, loud)
	if none > 10 {
		t.Errorf("volume 0: rms %.0f, want silence", none)
	}
	if r := half / normal; r < 0.35 || r > 0.65 {
		t.Errorf("volume 0.5: rms ratio %.2f, want about 0.5", r)
	}
	if loud <= normal {
		t.Errorf("volume 1.5: rms %.0f, not louder than %.0f", loud, normal)
	}
}

func TestMarksAndBreaks(t *testing.T) {
	e := newEngine(t)
	req := say("en-us", 8000, "")
	req.Doc = doc(markItem("start"), textItem("Your balance is"), markItem("amount"),
		textItem("forty two dollars."), markItem("pause"), breakItem(300*time.Millisecond), markItem("end"))
	r := render(t, e, req)
	if got, want := r.markNames(), []string{"start", "amount", "pause", "end"}; !slices.Equal(got, want) {
		t.Fatalf("marks %v, want %v", got, want)
	}
	if r.marks[0].at != 0 || r.marks[1].at < 4000 || r.marks[2].at-r.marks[1].at < 4000 {
		t.Errorf("marks at %v: want speech between them", r.marks)
	}
	if got := r.marks[3].at - r.marks[2].at; got != 2400 {
		t.Errorf("break: %d samples, want 2400", got)
	}
	for _, rate := range []int{8000, 16000, 48000} {
		without := render(t, e, speech.SynthRequest{Rate: rate, Doc: doc(textItem("one"), textItem("two"))})
		with := render(t, e, speech.SynthRequest{Rate: rate, Doc: doc(textItem("one"), breakItem(750*time.Millisecond), textItem("two"))})
		// The two renderings of "one" and "two" may differ by a few ms.
		if got, want := len(with.pcm)-len(without.pcm), rate*3/4; math.Abs(float64(got-want)) > float64(rate)/50 {
			t.Errorf("%d Hz: break added %d samples, want %d within 20 ms", rate, got, want)
		}
		if got := longestZeroRun(with.pcm); got < rate*3/4 {
			t.Errorf("%d Hz: longest silence %d samples, want at least %d", rate, got, rate*3/4)
		}
	}
}

func TestAudioItemSpeaksFallback(t *testing.T) {
	e := newEngine(t)
	req := say("en-us", 8000, "")
	req.Doc = doc(ssml.Item{Kind: ssml.Audio, Name: "http://example.com/x.wav", Text: "sorry, the recording is missing", Prosody: ssml.DefaultProsody})
	if r := render(t, e, req); r.seconds(8000) < 1 || rms(r.pcm) < 300 {
		t.Errorf("audio fallback: %.2f s, rms %.0f", r.seconds(8000), rms(r.pcm))
	}
}

// TestVoiceSwitch checks that an item's voice name, language and gender
// switch voices: the item must sound as the voice switched to does on its
// own, and unlike the request's voice.
func TestVoiceSwitch(t *testing.T) {
	e := newEngine(t)
	const text = "Guten Tag, wie geht es Ihnen? Ich heisse Anna."
	alone := func(voice string) []int16 { return render(t, e, say(voice, 16000, text)).pcm }
	switched := func(mod func(*ssml.Item)) []int16 {
		req := say("en-us", 16000, text)
		mod(&req.Doc.Items[0])
		return render(t, e, req).pcm
	}
	english := alone("en-us")
	for _, tc := range []struct {
		name, want string
		mod        func(*ssml.Item)
	}{
		{"by name", "de", func(it *ssml.Item) { it.Voice.Name = "de" }},
		{"by name list", "de", func(it *ssml.Item) { it.Voice.Name = "de en-gb" }},
		{"by language", "de", func(it *ssml.Item) { it.Lang = "de-DE" }},
		{"by gender", "en-us+f3", func(it *ssml.Item) { it.Voice.Gender = "female" }},
		{"by language and gender", "de+f3", func(it *ssml.Item) { it.Lang = "de"; it.Voice.Gender = "female" }},
		{"by name with variant", "de+f3", func(it *ssml.Item) { it.Voice.Name = "de+f3" }},
		{"same language, a region without a voice", "en-us", func(it *ssml.Item) { it.Lang = "en-AU" }},
		{"unknown language", "en-us", func(it *ssml.Item) { it.Lang = "tlh" }},
		{"another engine's voice", "en-us", func(it *ssml.Item) { it.Voice.Name = "slt" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := alone(tc.want)
			if why := similar(switched(tc.mod), want, 16000); why != "" {
				t.Errorf("item unlike voice %s alone: %s", tc.want, why)
			}
			if tc.want != "en-us" && similar(english, want, 16000) == "" {
				t.Errorf("voice %s sounds like en-us: the test cannot tell them apart", tc.want)
			}
		})
	}
	// The document's own language keeps the request's voice.
	req := say("de", 16000, text)
	req.Doc.Lang, req.Doc.Items[0].Lang = "en-US", "en-US"
	if why := similar(render(t, e, req).pcm, alone("de"), 16000); why != "" {
		t.Errorf("voice de, document in en-US: not spoken by de: %s", why)
	}
}

func TestCancel(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var after int
	var cancelled bool
	var at time.Time
	long := sentence + " " + sentence + " " + sentence
	err := e.Synthesize(ctx, say("en-us", 8000, long), func(c speech.Chunk) error {
		if cancelled {
			after++
		} else if len(c.PCM) > 0 {
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
}

// TestCancelDuringSynthesis cancels inside espeak-ng's callback and checks
// that the next synthesis is unharmed.
func TestCancelDuringSynthesis(t *testing.T) {
	e := newEngine(t)
	want := render(t, e, say("en-us", 8000, sentence)).pcm
	ctx, cancel := context.WithCancel(context.Background())
	lib.sem <- struct{}{}
	go func() {
		time.Sleep(20 * time.Millisecond)
		<-lib.sem // let the request in, then cancel it mid-sentence
		time.Sleep(time.Millisecond)
		cancel()
	}()
	err := e.Synthesize(ctx, say("en-us", 8000, sentence+" "+sentence+" "+sentence+" "+sentence), func(speech.Chunk) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if why := similar(render(t, e, say("en-us", 8000, sentence)).pcm, want, 8000); why != "" {
		t.Errorf("synthesis after a cancelled one differs: %s", why)
	}
}

// TestCancelWhileWaiting checks that a request waiting for its turn on
// espeak-ng gives up when its context ends.
func TestCancelWhileWaiting(t *testing.T) {
	e := newEngine(t)
	lib.sem <- struct{}{} // espeak-ng busy
	defer func() { <-lib.sem }()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := e.Synthesize(ctx, say("en-us", 8000, "hello"), func(speech.Chunk) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("gave up after %v", d)
	}
}

func TestEmitError(t *testing.T) {
	e := newEngine(t)
	boom := errors.New("boom")
	n := 0
	err := e.Synthesize(context.Background(), say("en-us", 8000, sentence), func(speech.Chunk) error {
		if n++; n == 3 {
			return boom
		}
		return nil
	})
	if err != boom || n != 3 {
		t.Fatalf("err %v after %d emits, want boom after 3", err, n)
	}
}

// TestSlowConsumerDoesNotBlockOthers holds one request's emit while
// another synthesizes.
func TestSlowConsumerDoesNotBlockOthers(t *testing.T) {
	e := newEngine(t)
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		first := true
		_ = e.Synthesize(context.Background(), say("en-us", 8000, sentence+" "+sentence), func(speech.Chunk) error {
			if first {
				first = false
				close(started)
				<-release
			}
			return nil
		})
	})
	<-started
	done := make(chan struct{})
	go func() {
		render(t, e, say("de", 8000, "Guten Tag"))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("a request waited for another's emit")
	}
	close(release)
	wg.Wait()
}

// TestConcurrent runs requests with different voices and prosody at once:
// each must sound as it does alone.
func TestConcurrent(t *testing.T) {
	e := newEngine(t)
	type job struct {
		req  speech.SynthRequest
		want []int16
	}
	var jobs []job
	for i, v := range []string{"en-us", "en-us+f3", "de", "fr-fr", "en-gb+klatt"} {
		req := prosodyReq(v, fmt.Sprintf("%s %d.", sentence, i), ssml.Prosody{Rate: 1 + float64(i)/10, Pitch: 1, Range: 1, Volume: 1})
		jobs = append(jobs, job{req, render(t, e, req).pcm})
	}
	var wg sync.WaitGroup
	for range 3 {
		for _, j := range jobs {
			wg.Go(func() {
				if why := similar(render(t, e, j.req).pcm, j.want, 16000); why != "" {
					t.Errorf("%s: concurrent audio unlike a lone synthesis: %s", j.req.Voice.Name, why)
				}
			})
		}
	}
	wg.Wait()
}

// TestIntelligible has PocketSphinx transcribe espeak-ng. Its generic
// model hears espeak-ng's default formant voices poorly (see
// docs/BENCHMARKS.md); the Klatt variant is the check.
func TestIntelligible(t *testing.T) {
	e := newEngine(t)
	const want = "please say your account number"
	heard := recognize(t, render(t, e, say("en-us+klatt", 16000, want)).pcm)
	t.Logf("en-us+klatt: PocketSphinx heard %q", heard)
	if n := recall(want, heard); n < 3 {
		t.Errorf("en-us+klatt: PocketSphinx heard %q: %d of the 5 words, want at least 3", heard, n)
	}
	for _, v := range []string{"en-us", "en-us+f3"} {
		t.Logf("%s: PocketSphinx heard %q", v, recognize(t, render(t, e, say(v, 16000, want)).pcm))
	}
}

func TestGoroutinesEnd(t *testing.T) {
	e := newEngine(t)
	defer mediatest.CheckGoroutines(t)()
	render(t, e, say("en-us", 8000, "goodbye"))
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
	r := render(t, e, speech.SynthRequest{Doc: d, Voice: speech.Voice{Name: "en-us"}, Rate: 16000, Prosody: ssml.DefaultProsody})
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
