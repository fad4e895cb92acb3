package voice

import (
	"math"
	"testing"
	"time"
)

func speechLike(n, rate int) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		t := float64(i) / float64(rate)
		pcm[i] = int16(4000*math.Sin(2*math.Pi*180*t) + 2000*math.Sin(2*math.Pi*720*t) + 1000*math.Sin(2*math.Pi*2100*t))
	}
	return pcm
}

// BenchmarkRelayFrame is Parley's own work per 20 ms frame on the two
// audio paths of a call: synthesized speech to the caller (queue in,
// frame out) and the caller to the recognizer (VAD, queue in, frame out).
func BenchmarkRelayFrame(b *testing.B) {
	for _, rate := range []int{8000, 16000} {
		frame := speechLike(rate/50, rate)
		out := make([]int16, rate/50)
		b.Run("tts-to-caller/"+itoa(rate), func(b *testing.B) {
			o, err := newOutput(rate, rate, 30*time.Second, time.Now)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				o.fromTTS(0, frame)
				o.Next(out)
			}
		})
		b.Run("caller-to-asr/"+itoa(rate), func(b *testing.B) {
			in, err := newInput(rate, rate, time.Now)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				in.fromCaller(0, frame)
				in.Next(out)
			}
		})
	}
	b.Run("tts-to-caller/16000-to-8000", func(b *testing.B) {
		o, err := newOutput(16000, 8000, 30*time.Second, time.Now)
		if err != nil {
			b.Fatal(err)
		}
		frame, out := speechLike(320, 16000), make([]int16, 160)
		b.ReportAllocs()
		for b.Loop() {
			o.fromTTS(0, frame)
			o.Next(out)
		}
	})
}

// BenchmarkBargeIn is the time from the loop acting on START-OF-INPUT to
// the caller's queue being empty (the next 20 ms frame is silence), with
// 2 s of prompt queued.
func BenchmarkBargeIn(b *testing.B) {
	o, err := newOutput(16000, 16000, 30*time.Second, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	prompt := speechLike(32000, 16000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		o.arm()
		o.play(prompt, true)
		b.StartTimer()
		o.bargeIn()
	}
}

func itoa(n int) string {
	if n == 8000 {
		return "8000"
	}
	return "16000"
}

// The relays allocate nothing per frame once warm.
func TestRelayAllocs(t *testing.T) {
	o, err := newOutput(16000, 16000, 30*time.Second, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	in, err := newInput(16000, 16000, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	frame, out := speechLike(320, 16000), make([]int16, 320)
	for range 10 {
		o.fromTTS(0, frame)
		o.Next(out)
		in.fromCaller(0, frame)
		in.Next(out)
	}
	if n := testing.AllocsPerRun(200, func() {
		o.fromTTS(0, frame)
		o.Next(out)
		in.fromCaller(0, frame)
		in.Next(out)
	}); n != 0 {
		t.Fatalf("%v allocations per frame, want 0", n)
	}
}

// Output keeps prompts in order, marks the first audio of a prompt, drops
// everything on barge-in and refuses TTS audio until the next prompt.
func TestOutputBargeIn(t *testing.T) {
	o, err := newOutput(8000, 8000, time.Second, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 160)
	o.arm()
	o.fromTTS(0, make([]int16, 160)) // leading silence
	o.fromTTS(0, speechLike(160, 8000))
	if _, sent := o.firsts(); !sent.IsZero() {
		t.Fatal("first audio marked sent before it was")
	}
	o.Next(out)
	if _, sent := o.firsts(); !sent.IsZero() {
		t.Fatal("silence counted as the first audio")
	}
	o.Next(out)
	if tts, sent := o.firsts(); tts.IsZero() || sent.IsZero() {
		t.Fatal("first audio not marked")
	}
	o.fromTTS(0, speechLike(160, 8000))
	o.bargeIn()
	o.fromTTS(0, speechLike(160, 8000))
	if n, _ := o.Next(out); n != 0 || o.queued() != 0 {
		t.Fatalf("after barge-in %d samples sent, %d queued", n, o.queued())
	}
	o.play(make([]int16, 20000), false) // over the 1 s bound
	if o.queued() != 8000 {
		t.Fatalf("queued %d, want the bound 8000", o.queued())
	}
}
