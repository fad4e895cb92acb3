package flite

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp/speech"
)

const benchPrompt = "Thank you for calling. Please say your account number, or press zero to speak with an agent. Your call is important to us."

var errEnough = errors.New("enough")

// BenchmarkFirstAudio measures the time from Synthesize to the first audio
// chunk of an 8 kHz prompt, per voice.
func BenchmarkFirstAudio(b *testing.B) {
	e := newEngine(b)
	for _, v := range e.Voices() {
		b.Run(v.Name, func(b *testing.B) {
			req := say(v.Name, 8000, benchPrompt)
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				err := e.Synthesize(context.Background(), req, func(c speech.Chunk) error {
					total += time.Since(start)
					return errEnough
				})
				if err != errEnough {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-audio")
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
		req := say(v.Name, 8000, benchPrompt)
		b.Run(v.Name, func(b *testing.B) {
			var samples int
			start, cpu := time.Now(), cpuTime()
			for b.Loop() {
				samples += len(render(b, e, req).pcm)
			}
			audio := float64(samples) / 8000
			b.ReportMetric(time.Since(start).Seconds()/audio, "rtf")
			b.ReportMetric((cpuTime()-cpu).Seconds()/audio, "cpu-rtf")
		})
		b.Run(v.Name+"-parallel", func(b *testing.B) {
			b.SetParallelism(1) // GOMAXPROCS goroutines
			var samples int64
			start, cpu := time.Now(), cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				var n int64
				for pb.Next() {
					n += int64(len(render(b, e, req).pcm))
				}
				addInt64(&samples, n)
			})
			audio := float64(samples) / 8000
			b.ReportMetric(time.Since(start).Seconds()/audio, "rtf")
			b.ReportMetric((cpuTime()-cpu).Seconds()/audio, "cpu-rtf")
		})
	}
}

// cpuTime returns the CPU time (user and system) the process has used:
// on a shared machine, the real-time factor in CPU time is the figure
// that does not depend on the load of others.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var benchMu = make(chan struct{}, 1)

func addInt64(p *int64, n int64) {
	benchMu <- struct{}{}
	*p += n
	<-benchMu
}
