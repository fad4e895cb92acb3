package speech_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/flite"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// scriptEngine is a Synthesizer whose output is a function of the
// request, produced in 10 ms chunks, optionally one per token on gate.
type scriptEngine struct {
	calls     atomic.Int32
	cancelled atomic.Int32
	gate      chan struct{} // nil: no waiting
	fail      error         // returned after the audio
}

func (e *scriptEngine) Name() string { return "script" }
func (e *scriptEngine) Voices() []speech.Voice {
	return []speech.Voice{{Name: "v", Engine: "script", Language: "en-US"}}
}

func (e *scriptEngine) Synthesize(ctx context.Context, req speech.SynthRequest, emit func(speech.Chunk) error) error {
	e.calls.Add(1)
	step := req.Rate / 100
	for _, it := range req.Doc.Items {
		switch it.Kind {
		case ssml.Mark:
			if err := emit(speech.Chunk{Mark: it.Name}); err != nil {
				return err
			}
		case ssml.Text:
			for i := range len(it.Text) {
				if e.gate != nil {
					select {
					case <-e.gate:
					case <-ctx.Done():
						e.cancelled.Add(1)
						return ctx.Err()
					}
				}
				if err := ctx.Err(); err != nil {
					e.cancelled.Add(1)
					return err
				}
				pcm := make([]int16, step)
				for j := range pcm {
					pcm[j] = int16(it.Text[i]) + int16(j)
				}
				if err := emit(speech.Chunk{PCM: pcm}); err != nil {
					return err
				}
			}
		}
	}
	return e.fail
}

// output is what one Synthesize emitted.
type output struct {
	pcm   []int16
	marks []string // "name@sample"
}

func collect(ctx context.Context, s speech.Synthesizer, req speech.SynthRequest) (output, error) {
	var o output
	err := s.Synthesize(ctx, req, func(c speech.Chunk) error {
		if c.Mark != "" {
			o.marks = append(o.marks, fmt.Sprintf("%s@%d", c.Mark, len(o.pcm)))
		}
		o.pcm = append(o.pcm, c.PCM...)
		return nil
	})
	return o, err
}

func (o output) equal(p output) bool {
	return slices.Equal(o.pcm, p.pcm) && slices.Equal(o.marks, p.marks)
}

func request(text string) speech.SynthRequest {
	return speech.SynthRequest{
		Doc: &ssml.Document{Lang: "en-US", Items: []ssml.Item{
			{Kind: ssml.Mark, Name: "a", Prosody: ssml.DefaultProsody},
			{Kind: ssml.Text, Text: text, Prosody: ssml.DefaultProsody},
			{Kind: ssml.Mark, Name: "b", Prosody: ssml.DefaultProsody},
			{Kind: ssml.Text, Text: "!", Prosody: ssml.DefaultProsody},
		}},
		Voice: speech.Voice{Name: "v"}, Rate: 8000, Prosody: ssml.DefaultProsody,
	}
}

func TestCacheHit(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := &scriptEngine{}
	c := speech.NewCache(e, speech.CacheOptions{})
	if c.Name() != "script" || len(c.Voices()) != 1 {
		t.Errorf("Name %q, Voices %v: not the engine's", c.Name(), c.Voices())
	}
	direct, err := collect(context.Background(), e, request("hello"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		got, err := collect(context.Background(), c, request("hello"))
		if err != nil {
			t.Fatal(err)
		}
		if !got.equal(direct) {
			t.Fatalf("call %d: rendering differs from the engine's: marks %v vs %v", i, got.marks, direct.marks)
		}
	}
	if n := e.calls.Load(); n != 2 {
		t.Errorf("engine called %d times, want 2 (once direct, once through the cache)", n)
	}
	st := c.Stats()
	if st.Misses != 1 || st.Hits != 2 || st.Entries != 1 || st.Bytes < int64(2*len(direct.pcm)) {
		t.Errorf("stats %+v", st)
	}
}

// TestCacheKey checks that everything that changes the audio changes the
// key, and that what does not, does not.
func TestCacheKey(t *testing.T) {
	e := &scriptEngine{}
	c := speech.NewCache(e, speech.CacheOptions{})
	variants := []func(*speech.SynthRequest){
		func(*speech.SynthRequest) {},
		func(r *speech.SynthRequest) { r.Voice.Name = "w" },
		func(r *speech.SynthRequest) { r.Voice.Gender = "female" },
		func(r *speech.SynthRequest) { r.Rate = 16000 },
		func(r *speech.SynthRequest) { r.Prosody.Rate = 1.5 },
		func(r *speech.SynthRequest) { r.Prosody.Volume = 0.5 },
		func(r *speech.SynthRequest) { r.Doc.Lang = "en-GB" },
		func(r *speech.SynthRequest) { r.Doc.Items[1].Text = "hellp" },
		func(r *speech.SynthRequest) { r.Doc.Items[1].Lang = "de" },
		func(r *speech.SynthRequest) { r.Doc.Items[1].Voice.Name = "w" },
		func(r *speech.SynthRequest) { r.Doc.Items[1].Voice.Variant = 2 },
		func(r *speech.SynthRequest) { r.Doc.Items[1].Prosody.Pitch = 2 },
		func(r *speech.SynthRequest) { r.Doc.Items[0].Name = "z" },
		func(r *speech.SynthRequest) { r.Doc.Items = r.Doc.Items[:3] },
		func(r *speech.SynthRequest) { r.Doc.Items[3].Kind = ssml.Audio },
		func(r *speech.SynthRequest) {
			r.Doc.Items = append(r.Doc.Items, ssml.Item{Kind: ssml.Break, Break: time.Second})
		},
		func(r *speech.SynthRequest) {
			r.Doc.Items = append(r.Doc.Items, ssml.Item{Kind: ssml.Break, Break: 2 * time.Second})
		},
		// Text split differently between items is another document.
		func(r *speech.SynthRequest) { r.Doc.Items[1].Text, r.Doc.Items[3].Text = "hello!", "" },
	}
	for i, mod := range variants {
		req := request("hello")
		mod(&req)
		if _, err := collect(context.Background(), c, req); err != nil {
			t.Fatal(err)
		}
		if got := int(e.calls.Load()); got != i+1 {
			t.Fatalf("variant %d: engine called %d times in all, want %d: the key did not change", i, got, i+1)
		}
	}
	// The source text and say-as do not change the audio.
	req := request("hello")
	req.Doc.Items[1].Source, req.Doc.Items[1].SayAs = "HELLO", ssml.SayAs{InterpretAs: "characters"}
	if _, err := collect(context.Background(), c, req); err != nil {
		t.Fatal(err)
	}
	if got := int(e.calls.Load()); got != len(variants) {
		t.Errorf("source text changed the key")
	}
}

// TestCacheSharesSynthesis starts identical requests while the first is
// synthesizing: one synthesis, everyone gets all of it, and the first
// caller gets audio before the synthesis ends.
func TestCacheSharesSynthesis(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := &scriptEngine{gate: make(chan struct{})}
	c := speech.NewCache(e, speech.CacheOptions{})
	want, _ := collect(context.Background(), &scriptEngine{}, request("shared"))

	firstAudio := make(chan struct{})
	results := make(chan output, 5)
	var wg sync.WaitGroup
	wg.Go(func() {
		var o output
		once := sync.OnceFunc(func() { close(firstAudio) })
		err := c.Synthesize(context.Background(), request("shared"), func(ch speech.Chunk) error {
			if ch.Mark != "" {
				o.marks = append(o.marks, fmt.Sprintf("%s@%d", ch.Mark, len(o.pcm)))
			}
			o.pcm = append(o.pcm, ch.PCM...)
			if len(ch.PCM) > 0 {
				once()
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		results <- o
	})
	e.gate <- struct{}{} // one chunk
	select {
	case <-firstAudio:
	case <-time.After(5 * time.Second):
		t.Fatal("the first caller got no audio while the synthesis was under way")
	}
	for range 4 {
		wg.Go(func() {
			o, err := collect(context.Background(), c, request("shared"))
			if err != nil {
				t.Error(err)
			}
			results <- o
		})
	}
	waitFor(t, func() bool { return c.Stats().Shared == 4 })
	close(e.gate) // let the synthesis run to the end
	wg.Wait()
	close(results)
	for o := range results {
		if !o.equal(want) {
			t.Errorf("a caller got %d samples, marks %v; want %d, %v", len(o.pcm), o.marks, len(want.pcm), want.marks)
		}
	}
	if n := e.calls.Load(); n != 1 {
		t.Errorf("engine called %d times, want 1", n)
	}
	if st := c.Stats(); st.Misses != 1 || st.Shared != 4 || st.Entries != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestCacheSlowCallerDoesNotHoldOthers blocks one sharer's emit: the
// synthesis and the other sharer go on.
func TestCacheSlowCallerDoesNotHoldOthers(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := &scriptEngine{}
	c := speech.NewCache(e, speech.CacheOptions{})
	stuck, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		first := true
		_ = c.Synthesize(context.Background(), request("a long enough text"), func(speech.Chunk) error {
			if first {
				first = false
				close(stuck)
				<-release
			}
			return nil
		})
	})
	<-stuck
	done := make(chan error, 1)
	go func() {
		_, err := collect(context.Background(), c, request("a long enough text"))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Error("a sharer waited for another's emit")
	}
	close(release)
	wg.Wait()
}

// TestCacheCancel cancels the only caller mid-synthesis: the synthesis is
// cancelled and not kept.
func TestCacheCancel(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := &scriptEngine{gate: make(chan struct{})}
	c := speech.NewCache(e, speech.CacheOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		e.gate <- struct{}{}
		cancel()
	}()
	var after atomic.Int32
	err := c.Synthesize(ctx, request("cancelled"), func(speech.Chunk) error {
		if ctx.Err() != nil {
			after.Add(1)
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if after.Load() > 0 {
		t.Errorf("%d chunks after cancel", after.Load())
	}
	if e.cancelled.Load() != 1 {
		t.Error("the engine's synthesis was not cancelled")
	}
	if st := c.Stats(); st.Entries != 0 {
		t.Errorf("cancelled rendering kept: %+v", st)
	}
	close(e.gate)
	if _, err := collect(context.Background(), c, request("cancelled")); err != nil {
		t.Fatal(err)
	}
	if n := e.calls.Load(); n != 2 {
		t.Errorf("engine called %d times, want 2: the cancelled rendering was reused", n)
	}
}

// TestCacheFirstCallerLeaves cancels the caller that started a synthesis
// while another shares it: the other gets all of it, and it is kept.
func TestCacheFirstCallerLeaves(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := &scriptEngine{gate: make(chan struct{})}
	c := speech.NewCache(e, speech.CacheOptions{})
	want, _ := collect(context.Background(), &scriptEngine{}, request("leaving"))
	ctx, cancel := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		_, err := collect(ctx, c, request("leaving"))
		firstDone <- err
	}()
	e.gate <- struct{}{}
	second := make(chan output, 1)
	go func() {
		o, err := collect(context.Background(), c, request("leaving"))
		if err != nil {
			t.Error(err)
		}
		second <- o
	}()
	waitFor(t, func() bool { return c.Stats().Shared == 1 })
	cancel()
	if err := <-firstDone; !errors.Is(err, context.Canceled) {
		t.Errorf("first caller: err %v, want context.Canceled", err)
	}
	close(e.gate)
	if o := <-second; !o.equal(want) {
		t.Errorf("second caller got %d samples, marks %v", len(o.pcm), o.marks)
	}
	if st := c.Stats(); st.Entries != 1 || e.cancelled.Load() != 0 {
		t.Errorf("stats %+v, cancelled %d: want the rendering kept", st, e.cancelled.Load())
	}
}

func TestCacheEngineFailure(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	boom := errors.New("engine broke")
	e := &scriptEngine{fail: boom}
	c := speech.NewCache(e, speech.CacheOptions{})
	o, err := collect(context.Background(), c, request("fails"))
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want the engine's", err)
	}
	if len(o.pcm) == 0 {
		t.Error("the audio before the failure was not streamed")
	}
	if _, err := collect(context.Background(), c, request("fails")); !errors.Is(err, boom) {
		t.Fatalf("second call: err %v, want the engine's again", err)
	}
	if st := c.Stats(); st.Entries != 0 || st.Misses != 2 {
		t.Errorf("failed rendering kept: %+v", st)
	}
}

func TestCacheEmitError(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := &scriptEngine{gate: make(chan struct{})}
	c := speech.NewCache(e, speech.CacheOptions{})
	stop := errors.New("stop")
	// Lockstep: each emit lets the engine make one more chunk, and the
	// third fails while the engine waits for its next turn.
	n := 0
	err := c.Synthesize(context.Background(), request("emit fails"), func(ch speech.Chunk) error {
		if n++; n == 3 {
			return stop
		}
		e.gate <- struct{}{}
		return nil
	})
	if err != stop {
		t.Fatalf("err %v, want emit's as is", err)
	}
	if e.cancelled.Load() != 1 {
		t.Error("the engine's synthesis was not cancelled when its only caller left")
	}
}

func TestCacheEviction(t *testing.T) {
	e := &scriptEngine{}
	// Each rendering of request(x) at 8 kHz: (len(x)+1) * 80 samples.
	// Each entry also accounts for its key and marks: a few hundred bytes.
	per := int64(2*80*(len("aaaa")+1)) + 400
	max := 3*per + per/2 // room for three, not four
	c := speech.NewCache(e, speech.CacheOptions{MaxBytes: max})
	for _, text := range []string{"aaaa", "bbbb", "cccc"} {
		if _, err := collect(context.Background(), c, request(text)); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Stats(); st.Entries != 3 || st.Evictions != 0 {
		t.Fatalf("stats %+v, want 3 entries", st)
	}
	collect(context.Background(), c, request("aaaa")) // aaaa is now the most recent
	collect(context.Background(), c, request("dddd")) // evicts bbbb
	calls := e.calls.Load()
	collect(context.Background(), c, request("aaaa"))
	collect(context.Background(), c, request("cccc"))
	if e.calls.Load() != calls {
		t.Error("a recently used rendering was evicted")
	}
	collect(context.Background(), c, request("bbbb"))
	if e.calls.Load() != calls+1 {
		t.Error("the least recently used rendering was not evicted")
	}
	st := c.Stats()
	if st.Bytes > max || st.Evictions != 2 || st.Entries != 3 {
		t.Errorf("stats %+v", st)
	}

	small := speech.NewCache(e, speech.CacheOptions{MaxBytes: 100})
	if _, err := collect(context.Background(), small, request("too long for the cache")); err != nil {
		t.Fatal(err)
	}
	if st := small.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Errorf("rendering larger than the cache kept: %+v", st)
	}
}

func TestCacheNoDocument(t *testing.T) {
	c := speech.NewCache(&voiceEngine{name: "x"}, speech.CacheOptions{})
	if err := c.Synthesize(context.Background(), speech.SynthRequest{}, func(speech.Chunk) error { return nil }); err == nil {
		t.Error("a request without a document did not reach the engine")
	}
}

// TestCacheConcurrent mixes hits, misses and sharing (run with -race).
func TestCacheConcurrent(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	e := &scriptEngine{}
	c := speech.NewCache(e, speech.CacheOptions{MaxBytes: 20000})
	want := map[string]output{}
	texts := []string{"one", "two", "three", "four", "five", "six", "seven"}
	for _, text := range texts {
		want[text], _ = collect(context.Background(), &scriptEngine{}, request(text))
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				text := texts[(i*7+j)%len(texts)]
				ctx, cancel := context.WithCancel(context.Background())
				if j%11 == 0 {
					cancel()
				}
				o, err := collect(ctx, c, request(text))
				cancel()
				if err == nil && !o.equal(want[text]) {
					t.Errorf("%s: wrong rendering", text)
				}
			}
		})
	}
	wg.Wait()
	st := c.Stats()
	if st.Hits+st.Shared+st.Misses != 400 || st.Bytes > 20000 {
		t.Errorf("stats %+v", st)
	}
}

// TestCacheFlite puts flite behind the cache: a hit sounds exactly like
// the miss (the kal voice is deterministic).
func TestCacheFlite(t *testing.T) {
	e, err := flite.New(flite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := speech.NewCache(e, speech.CacheOptions{})
	req := request("Please say your account number.")
	req.Voice.Name = "kal"
	miss, err := collect(context.Background(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	hit, err := collect(context.Background(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	if !hit.equal(miss) || len(miss.pcm) < 8000 {
		t.Errorf("hit: %d samples, marks %v; miss: %d samples, marks %v", len(hit.pcm), hit.marks, len(miss.pcm), miss.marks)
	}
	if st := c.Stats(); st.Hits != 1 || st.Misses != 1 {
		t.Errorf("stats %+v", st)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkCache compares a hit with a miss on flite's kal16 voice at 8
// kHz, for a 7 s prompt.
func BenchmarkCache(b *testing.B) {
	e, err := flite.New(flite.Config{})
	if err != nil {
		b.Fatal(err)
	}
	req := request("Thank you for calling. Please say your account number, or press zero to speak with an agent. Your call is important to us.")
	req.Voice.Name = "kal16"
	nop := func(speech.Chunk) error { return nil }
	b.Run("hit", func(b *testing.B) {
		c := speech.NewCache(e, speech.CacheOptions{})
		if err := c.Synthesize(context.Background(), req, nop); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Synthesize(context.Background(), req, nop); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := speech.NewCache(e, speech.CacheOptions{})
			if err := c.Synthesize(context.Background(), req, nop); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := e.Synthesize(context.Background(), req, nop); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzCacheKey renders two requests built from fuzzed parts through one
// cache: the engine must run once if they are the same request, twice if
// they differ.
func FuzzCacheKey(f *testing.F) {
	f.Add("hello", "hello", int64(0), int64(0), "a", "a", 1.0, 1.0)
	f.Add("hel", "hello", int64(5), int64(5), "a", "b", 1.0, 1.5)
	f.Add("", "", int64(1), int64(2), "", "", 0.0, math.Copysign(0, -1))
	f.Fuzz(func(t *testing.T, textA, textB string, brA, brB int64, markA, markB string, rateA, rateB float64) {
		build := func(text string, br int64, mark string, rate float64) speech.SynthRequest {
			req := request(text)
			req.Doc.Items[0].Name = mark
			req.Doc.Items = append(req.Doc.Items, ssml.Item{Kind: ssml.Break, Break: time.Duration(br)})
			req.Prosody.Rate = rate
			return req
		}
		a, b := build(textA, brA, markA, rateA), build(textB, brB, markB, rateB)
		e := &scriptEngine{}
		c := speech.NewCache(e, speech.CacheOptions{})
		if _, err := collect(context.Background(), c, a); err != nil {
			t.Fatal(err)
		}
		if _, err := collect(context.Background(), c, b); err != nil {
			t.Fatal(err)
		}
		same := textA == textB && brA == brB && markA == markB && math.Float64bits(rateA) == math.Float64bits(rateB)
		if want := map[bool]int32{true: 1, false: 2}[same]; e.calls.Load() != want {
			t.Fatalf("same request %v, engine ran %d times", same, e.calls.Load())
		}
	})
}
