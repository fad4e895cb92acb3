package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/wav"
)

// benchCall is how many frame pairs one recording lasts in
// BenchmarkRecordStereoFramePair (10 minutes of call), well within
// DefaultMaxDuration and small enough to stay in the page cache.
const benchCall = 30000

// BenchmarkRecordStereoFramePair measures what one G.711 call costs per
// 20 ms of recording: a 160-sample caller frame and a 160-sample agent
// frame, written from one goroutine, into an 8 kHz stereo WAV made by
// Create with the default Config. A new recording starts every 10 minutes
// of call, outside the timer. "file" writes to b.TempDir(), as a call does;
// "devnull" writes the same WAVSink to /dev/null, which leaves the
// Recorder's and the WAV writer's own CPU plus the system calls, without
// the kernel's copy into the page cache.
func BenchmarkRecordStereoFramePair(b *testing.B) {
	for _, tc := range []struct {
		name   string
		create func(path string) (*Recorder, error)
	}{
		{"file", func(path string) (*Recorder, error) {
			return Create(path, 8000, Config{})
		}},
		{"devnull", func(string) (*Recorder, error) {
			sink, err := NewWAVSink(os.DevNull, wav.WriterConfig{SampleRate: 8000}) // what Create does for .wav
			if err != nil {
				return nil, err
			}
			return New(sink, Config{})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "call.wav")
			r, err := tc.create(path)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { r.Close() }()
			caller, agent := make([]int16, 160), make([]int16, 160)
			for i := range caller {
				caller[i] = int16(i*97 - 8000)
				agent[i] = int16(-i*89 + 7000)
			}
			k := 0
			b.ReportAllocs()
			for b.Loop() {
				if k == benchCall {
					b.StopTimer()
					if err := r.Close(); err != nil {
						b.Fatal(err)
					}
					if r, err = tc.create(path); err != nil {
						b.Fatal(err)
					}
					k = 0
					b.StartTimer()
				}
				at := time.Duration(k) * 20 * time.Millisecond
				if err := r.Write(Caller, at, caller); err != nil {
					b.Fatal(err)
				}
				if err := r.Write(Agent, at, agent); err != nil {
					b.Fatal(err)
				}
				k++
			}
		})
	}
}
