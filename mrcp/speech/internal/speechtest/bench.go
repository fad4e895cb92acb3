package speechtest

import (
	"context"
	"errors"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parley-cc/parley/mrcp/speech"
)

// BenchPrompt is a 7-8 s prompt.
const BenchPrompt = "Thank you for calling. Please say your account number, or press zero to speak with an agent. Your call is important to us."

// errEnough stops a synthesis at its first audio.
var errEnough = errors.New("enough")

// FirstAudio measures the time from calling synth to its first chunk,
// reported as "ms-to-audio". synth must return emit's error as is.
func FirstAudio(b *testing.B, synth func(ctx context.Context, emit func(speech.Chunk) error) error) {
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		err := synth(context.Background(), func(speech.Chunk) error {
			total += time.Since(start)
			return errEnough
		})
		if err != errEnough {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-audio")
}

// RealTime measures the real-time factor of rendering req with e, one
// synthesis at a time: synthesis time over audio time, "rtf" in
// wall-clock time and "cpu-rtf" in CPU time (CPUTime).
func RealTime(b *testing.B, e speech.Synthesizer, req speech.SynthRequest) {
	var samples int
	start, cpu := time.Now(), CPUTime()
	for b.Loop() {
		samples += len(Render(b, e, req).PCM)
	}
	reportRealTime(b, samples, req.Rate, start, cpu)
}

// RealTimeParallel is RealTime with GOMAXPROCS syntheses at once.
func RealTimeParallel(b *testing.B, e speech.Synthesizer, req speech.SynthRequest) {
	b.SetParallelism(1) // GOMAXPROCS goroutines
	var samples atomic.Int64
	start, cpu := time.Now(), CPUTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := synthesize(e, req)
			if err != nil {
				b.Error(err)
				return
			}
			samples.Add(int64(len(r.PCM)))
		}
	})
	reportRealTime(b, int(samples.Load()), req.Rate, start, cpu)
}

func reportRealTime(b *testing.B, samples, rate int, start time.Time, cpu time.Duration) {
	audio := float64(samples) / float64(rate)
	b.ReportMetric(time.Since(start).Seconds()/audio, "rtf")
	b.ReportMetric((CPUTime()-cpu).Seconds()/audio, "cpu-rtf")
}

// CPUTime returns the CPU time (user and system) of the process and of
// its waited-for children: on a shared machine, the figure that does not
// depend on the load of others. It returns 0 if the kernel will not say.
func CPUTime() time.Duration {
	var self, kids syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids) != nil {
		return 0
	}
	return time.Duration(self.Utime.Nano() + self.Stime.Nano() + kids.Utime.Nano() + kids.Stime.Nano())
}
