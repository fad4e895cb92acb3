package server_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp"
	"github.com/parley-cc/parley/mrcp/client"
	"github.com/parley-cc/parley/mrcp/server"
	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/ssml"
)

const prompt = "Thank you for calling. Please say your account number."

// BenchmarkSessionSetup measures INVITE to the first SPEAK accepted on
// loopback, then BYE.
func BenchmarkSessionSetup(b *testing.B) {
	srv := startServer(b, server.Config{RTPPortMin: 44000, RTPPortMax: 45000})
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}, RTPPortMin: 46000, RTPPortMax: 47000})
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	var setup time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		sess, err := cli.Open(ctx, client.SessionOptions{Resources: []mrcp.Resource{mrcp.ResourceSpeechSynth, mrcp.ResourceSpeechRecog}})
		if err != nil {
			b.Fatal(err)
		}
		ch := sess.Channel(mrcp.ResourceSpeechSynth)
		req := ch.NewRequest(mrcp.MethodSpeak)
		req.SetBody("text/plain", []byte(prompt))
		res, err := ch.Do(ctx, req)
		if err != nil || res.State != mrcp.StateInProgress {
			b.Fatalf("SPEAK: %v %v", res, err)
		}
		setup += time.Since(t0)
		if err := sess.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(setup.Microseconds())/1000/float64(b.N), "ms-invite-to-speak")
}

// BenchmarkSpeakToFirstRTP measures SPEAK sent to the first audio heard
// by the client, and flite's own time to its first chunk of the same
// prompt, uncached, so the difference is what the server adds.
func BenchmarkSpeakToFirstRTP(b *testing.B) {
	srv := startServer(b, server.Config{RTPPortMin: 44000, RTPPortMax: 45000})
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}, RTPPortMin: 46000, RTPPortMax: 47000})
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	heard := make(chan time.Time, 1)
	var armed atomic.Bool
	sess, err := cli.Open(ctx, client.SessionOptions{Resources: []mrcp.Resource{mrcp.ResourceSpeechSynth}, OnAudio: func(_ time.Duration, pcm []int16) {
		if armed.Load() && loudFrame(pcm) {
			armed.Store(false)
			heard <- time.Now()
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer sess.Close(ctx)
	ch := sess.Channel(mrcp.ResourceSpeechSynth)
	eng := realEngines(b)
	var path, engine, lead time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		text := fmt.Sprintf("%s Reference %d.", prompt, n) // never cached
		n++
		// The engine alone.
		doc, _ := ssml.Parse("text/plain", []byte(text))
		t0 := time.Now()
		first, loudReady := time.Time{}, time.Time{}
		samples, loudAt := 0, -1
		_ = eng.tts.Synthesize(ctx, speech.SynthRequest{Doc: doc, Voice: eng.tts.Voices()[0], Rate: 8000, Prosody: ssml.DefaultProsody},
			func(c speech.Chunk) error {
				if first.IsZero() && len(c.PCM) > 0 {
					first = time.Now()
				}
				for i, v := range c.PCM {
					if loudAt < 0 && (v > 500 || v < -500) {
						loudAt = samples + i
						loudReady = time.Now()
					}
				}
				samples += len(c.PCM)
				return nil
			})
		engine += first.Sub(t0)
		// The first loud frame can be heard no sooner than the engine
		// produces it, nor before the leading silence has played in real
		// time (frame-aligned: the client sees 20 ms frames).
		lead += max(loudReady.Sub(t0), time.Duration(loudAt/160)*20*time.Millisecond)
		// The whole path.
		req := ch.NewRequest(mrcp.MethodSpeak)
		req.SetBody("text/plain", []byte(text))
		armed.Store(true)
		t1 := time.Now()
		if _, err := ch.Do(ctx, req); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-heard:
			path += at.Sub(t1)
		case <-time.After(10 * time.Second):
			b.Fatal("no audio")
		}
		stop := ch.NewRequest(mrcp.MethodStop)
		if _, err := ch.Do(ctx, stop); err != nil {
			b.Fatal(err)
		}
		// Let the stopped prompt's last packets drain from the client's
		// jitter buffer before the next one is timed.
		time.Sleep(300 * time.Millisecond)
	}
	b.ReportMetric(float64((path-lead).Microseconds())/1000/float64(b.N), "ms-speak-to-first-loud-frame-minus-engine")
	b.ReportMetric(float64(engine.Microseconds())/1000/float64(b.N), "ms-engine-first-chunk")
	b.ReportMetric(float64((path-lead-engine).Microseconds())/1000/float64(b.N), "ms-added-by-path")
}

func loudFrame(pcm []int16) bool {
	for _, s := range pcm {
		if s > 500 || s < -500 {
			return true
		}
	}
	return false
}

// TestConcurrentSessions opens 100 sessions at once, each with a
// synthesizer and a recognizer: each hears a prompt, then answers "yes"
// to a yes/no grammar. A measurement (make bench): it reports set-up
// times, completions and CPU.
func TestConcurrentSessions(t *testing.T) {
	if os.Getenv("PARLEY_ACCURACY") == "" {
		t.Skip("measurement, run by make bench: set PARLEY_ACCURACY=1")
	}
	const sessions = 100
	srv := startServer(t, server.Config{RTPPortMin: 44000, RTPPortMax: 45000})
	cli, err := client.New(client.Config{Servers: []string{srv.URI()}, RTPPortMin: 46000, RTPPortMax: 47000, RequestTimeout: 30 * time.Second, SetupTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	yes := append(make([]int16, 4000), say(t, "yes", 8000)...)
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	var mu sync.Mutex
	var setups []time.Duration
	var spoke, recognized, failed int
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			t0 := time.Now()
			sess, err := cli.Open(ctx, client.SessionOptions{Resources: []mrcp.Resource{mrcp.ResourceSpeechSynth, mrcp.ResourceSpeechRecog}})
			if err != nil {
				t.Errorf("session %d: %v", i, err)
				mu.Lock()
				failed++
				mu.Unlock()
				return
			}
			defer sess.Close(ctx)
			mu.Lock()
			setups = append(setups, time.Since(t0))
			mu.Unlock()
			synth, recog := sess.Channel(mrcp.ResourceSpeechSynth), sess.Channel(mrcp.ResourceSpeechRecog)
			sp := synth.NewRequest(mrcp.MethodSpeak)
			sp.SetBody("text/plain", []byte(prompt))
			if _, err := synth.Do(ctx, sp); err != nil {
				t.Errorf("session %d SPEAK: %v", i, err)
				return
			}
			if ev := waitFor(synth, mrcp.EventSpeakComplete, 60*time.Second); ev != nil {
				mu.Lock()
				spoke++
				mu.Unlock()
			}
			rec := recog.NewRequest(mrcp.MethodRecognize)
			rec.Header.Set("No-Input-Timeout", "10000")
			rec.SetBody("application/srgs", []byte("#ABNF 1.0 UTF-8;\nlanguage en-US;\nmode voice;\nroot $yn;\npublic $yn = yes | no;\n"))
			if _, err := recog.Do(ctx, rec); err != nil {
				t.Errorf("session %d RECOGNIZE: %v", i, err)
				return
			}
			sess.Leg().Transmitter().Play(pcmSource(yes), nil)
			if ev := waitFor(recog, mrcp.EventRecognitionComplete, 120*time.Second); ev != nil {
				if c, _ := ev.RecogCause(); c == mrcp.RecogSuccess {
					mu.Lock()
					recognized++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
	sort.Slice(setups, func(i, j int) bool { return setups[i] < setups[j] })
	pct := func(p float64) time.Duration {
		if len(setups) == 0 {
			return 0
		}
		return setups[int(p*float64(len(setups)-1))]
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d sessions at once: %d opened (set-up p50 %v, p95 %v, max %v), %d failed; %d prompts complete, %d recognized 'yes'; wall %v, CPU %v (client and server in one process, %.0f%% of 2 cores), heap %d MiB, max RSS %d MiB",
		sessions, len(setups), pct(0.5).Round(time.Millisecond), pct(0.95).Round(time.Millisecond), pct(1).Round(time.Millisecond), failed,
		spoke, recognized, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), 100*cpu.Seconds()/wall.Seconds()/2, ms.HeapAlloc>>20, ru1.Maxrss>>10)
	if failed > 0 || recognized < sessions*9/10 {
		t.Errorf("%d sessions failed, %d of %d recognized", failed, recognized, sessions)
	}
}

func waitFor(ch *client.Channel, want mrcp.Event, within time.Duration) *mrcp.Message {
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch.Events():
			if !ok {
				return nil
			}
			if ev.Event == want {
				return ev
			}
		case <-deadline:
			return nil
		}
	}
}
