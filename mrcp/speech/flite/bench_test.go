package flite

import (
	"context"
	"testing"

	"github.com/parley-cc/parley/mrcp/speech"
	"github.com/parley-cc/parley/mrcp/speech/internal/speechtest"
)

// BenchmarkFirstAudio measures the time from Synthesize to the first audio
// chunk of an 8 kHz prompt, per voice.
func BenchmarkFirstAudio(b *testing.B) {
	e := newEngine(b)
	for _, v := range e.Voices() {
		b.Run(v.Name, func(b *testing.B) {
			req := speechtest.Say(v.Name, 8000, speechtest.BenchPrompt)
			speechtest.FirstAudio(b, func(ctx context.Context, emit func(speech.Chunk) error) error {
				return e.Synthesize(ctx, req, emit)
			})
		})
	}
}

// BenchmarkRealTime measures the real-time factor (synthesis time over
// audio time, "rtf" in wall-clock time, "cpu-rtf" in the process's CPU
// time) of a 7-8 s prompt at 8 kHz, per voice, one synthesis at a time
// and GOMAXPROCS at once.
func BenchmarkRealTime(b *testing.B) {
	e := newEngine(b)
	for _, v := range e.Voices() {
		req := speechtest.Say(v.Name, 8000, speechtest.BenchPrompt)
		b.Run(v.Name, func(b *testing.B) { speechtest.RealTime(b, e, req) })
		b.Run(v.Name+"-parallel", func(b *testing.B) { speechtest.RealTimeParallel(b, e, req) })
	}
}
