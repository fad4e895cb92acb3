package speechtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// cancel checks that cancelling the context at the first audio ends
// synthesis within 200 ms with context.Canceled, emitting nothing more.
func (s Suite) cancel(t *testing.T) {
	forVoices(t, s.Voices, func(t *testing.T, voice string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var after int
		var cancelled bool
		var at time.Time
		req := Say(voice, 8000, Sentence+" "+Sentence+" "+Sentence)
		err := s.Synth.Synthesize(ctx, req, func(c speech.Chunk) error {
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
	})
}

// emitError checks that an error from emit, after audio or at a mark,
// stops synthesis and is returned as is.
func (s Suite) emitError(t *testing.T) {
	boom := errors.New("boom")
	n := 0
	err := s.Synth.Synthesize(context.Background(), Say(s.Voice, 8000, Sentence), func(speech.Chunk) error {
		if n++; n == 3 {
			return boom
		}
		return nil
	})
	if err != boom || n != 3 {
		t.Fatalf("err %v after %d emits, want the emit error as is after 3", err, n)
	}
	req := Say(s.Voice, 8000, "")
	req.Doc = Doc(Mark("m"), Text("never"))
	err = s.Synth.Synthesize(context.Background(), req, func(c speech.Chunk) error {
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

// emitPanic checks that a panic in emit reaches Synthesize's caller.
func (s Suite) emitPanic(t *testing.T) {
	defer func() {
		if p := recover(); p != "emit panic" {
			t.Fatalf("recovered %v, want the emit's panic", p)
		}
	}()
	_ = s.Synth.Synthesize(context.Background(), Say(s.Voice, 8000, Sentence), func(speech.Chunk) error {
		panic("emit panic")
	})
	t.Fatal("Synthesize returned after emit panicked")
}

// slowConsumer holds one request's emit while each voice synthesizes:
// they must not wait for it.
func (s Suite) slowConsumer(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(release)
	ended := make(chan error, 1)
	wg.Go(func() {
		first := true
		ended <- s.Synth.Synthesize(context.Background(), Say(s.Voice, 8000, Sentence+" "+Sentence), func(speech.Chunk) error {
			if first {
				first = false
				close(started)
				<-release
			}
			return nil
		})
	})
	select {
	case <-started:
	case err := <-ended:
		t.Fatalf("the slow request ended before any audio: %v", err)
	}
	forVoices(t, s.Voices, func(t *testing.T, voice string) {
		done := make(chan error, 1)
		wg.Go(func() {
			_, err := synthesize(s.Synth, Say(voice, 8000, "Thank you."))
			done <- err
		})
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Synthesize: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("a request waited for another's emit")
		}
	})
}

// concurrent runs each of s.Concurrent three times at once, each voice at
// its own speaking rate: every rendering must be audible and like a lone
// synthesis, the Same for a Deterministic voice, else Similar.
func (s Suite) concurrent(t *testing.T) {
	if len(s.Concurrent) == 0 {
		t.Fatal("no voices to check")
	}
	type job struct {
		req  speech.SynthRequest
		want []int16
	}
	var jobs []job
	for i, v := range s.Concurrent {
		p := ssml.Prosody{Rate: 1 + float64(i)/10, Pitch: 1, Range: 1, Volume: 1}
		req := SayWith(v, 16000, fmt.Sprintf("%s Attempt %d.", Sentence, i), p)
		jobs = append(jobs, job{req, Render(t, s.Synth, req).PCM})
	}
	var wg sync.WaitGroup
	for range 3 {
		for _, j := range jobs {
			wg.Go(func() {
				r, err := synthesize(s.Synth, j.req)
				switch {
				case err != nil:
					t.Errorf("%s: Synthesize: %v", j.req.Voice.Name, err)
				case RMS(r.PCM) < 300:
					t.Errorf("%s: silent", j.req.Voice.Name)
				default:
					alike := Similar
					if slices.Contains(s.Deterministic, j.req.Voice.Name) {
						alike = Same
					}
					if why := alike(r.PCM, j.want, j.req.Rate); why != "" {
						t.Errorf("%s: concurrent audio unlike a lone synthesis: %s", j.req.Voice.Name, why)
					}
				}
			})
		}
	}
	wg.Wait()
}

// goroutinesEnd checks that a synthesis leaves no goroutine behind.
func (s Suite) goroutinesEnd(t *testing.T) {
	defer mediatest.CheckGoroutines(t)()
	Render(t, s.Synth, Say(s.Voice, 8000, "goodbye"))
}
