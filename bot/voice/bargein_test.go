package voice_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// noiseBurst is n 20 ms frames of white noise of amplitude a (at 16 kHz).
func noiseBurst(n int, a float64) utterance {
	var u utterance
	seed := uint32(7)
	for range n {
		f := make([]int16, 320)
		for i := range f {
			seed = seed*1664525 + 1013904223
			f[i] = int16(a * (float64(seed>>16)/32768 - 1))
		}
		u.frames = append(u.frames, f)
	}
	return u
}

// voicedClick is one 20 ms frame of a voiced, speech-like sound: shorter
// than the barge-in onset.
func voicedClick() utterance {
	f := make([]int16, 320)
	for i := range f {
		t := float64(i) / 16000
		f[i] = int16(5000*math.Sin(2*math.Pi*150*t) + 3000*math.Sin(2*math.Pi*450*t) + 1500*math.Sin(2*math.Pi*1200*t))
	}
	return utterance{frames: [][]int16{f}}
}

// Over the real path (caller UA over G.722, Parley's voice loop, the
// speech server with PocketSphinx): background noise, a loud cough-length
// burst of broadband noise and a voiced click shorter than the onset do
// not stop a prompt that allows barge-in; the caller's speech then does.
func TestBargeInIgnoresNoise(t *testing.T) {
	e := startLatency(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.caller.waitQuiet(ctx, time.Now(), 700*time.Millisecond, 15*time.Second); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	var prompt time.Time
	for try := 0; ; try++ {
		tt, err := e.turn(ctx, e.red)
		if err == nil {
			prompt = tt.first
			break
		}
		if !errors.Is(err, errMisrecognized) || try == 2 {
			t.Fatalf("the caller's 'red' did not start the long prompt: %v", err)
		}
		if err := e.caller.waitQuiet(ctx, time.Now(), 700*time.Millisecond, 15*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	at := func(d time.Duration) time.Time { return prompt.Add(d) }
	// Background noise from here on, rising over a second as a line's
	// noise does (not a 40 dB step within one frame); the VAD's noise
	// floor has two seconds to learn it before the bursts.
	for i := 1; i <= 10; i++ {
		e.caller.setNoise(57 * float64(i)) // up to about -40 dBFS
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if err := sleep(ctx, time.Until(at(2500*time.Millisecond))); err != nil {
		t.Fatal(err)
	}
	cough, _, err := e.caller.say(ctx, noiseBurst(3, 9000)) // 60 ms, about -16 dBFS
	if err != nil {
		t.Fatal(err)
	}
	if err := sleep(ctx, time.Until(at(3300*time.Millisecond))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.caller.say(ctx, voicedClick()); err != nil {
		t.Fatal(err)
	}
	if err := sleep(ctx, time.Until(at(5000*time.Millisecond))); err != nil {
		t.Fatal(err)
	}
	if cough.IsZero() {
		t.Fatal("the cough was not sent")
	}
	for _, w := range [][2]time.Duration{{2000 * time.Millisecond, 3000 * time.Millisecond}, {3000 * time.Millisecond, 4000 * time.Millisecond}, {4000 * time.Millisecond, 5000 * time.Millisecond}} {
		if f := e.caller.loudFraction(at(w[0]), at(w[1])); f < 0.4 {
			t.Fatalf("the prompt stopped on noise: %.2f of the packets %v-%v into it are speech", f, w[0], w[1])
		}
	}
	// The positive control: speech does barge in, also over the noise.
	d, _, _, err := e.bargeIn(ctx, prompt, 5000*time.Millisecond, e.red)
	if err != nil {
		t.Fatalf("speech did not barge in: %v", err)
	}
	t.Logf("barge-in over background noise: %v", d)
	res := e.hangup(t)
	if res.BargeIns != 1 {
		t.Fatalf("%d barge-ins, want the caller's speech only", res.BargeIns)
	}
}
