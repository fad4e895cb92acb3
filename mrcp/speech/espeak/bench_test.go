package espeak

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-cc/parley/media/mediatest"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/mrcp/speech"
	tts "github.com/parley-cc/parley/mrcp/speech/internal/render"
	"github.com/parley-cc/parley/mrcp/speech/internal/speechtest"
	"github.com/parley-cc/parley/mrcp/ssml"
)

// synthFunc renders text at 8 kHz, streaming to emit.
type synthFunc func(ctx context.Context, text string, emit func(speech.Chunk) error) error

// libSynth is the Engine: espeak-ng in the process, serialized.
func libSynth(b testing.TB) synthFunc {
	e := newEngine(b)
	return func(ctx context.Context, text string, emit func(speech.Chunk) error) error {
		return e.Synthesize(ctx, speechtest.Say("en-us", 8000, text), emit)
	}
}

// procSynth is the alternative: one `espeak-ng --stdout` process per
// request, its WAV read as it comes and resampled to 8 kHz.
func procSynth(b testing.TB) synthFunc {
	bin := mediatest.RequireTool(b, "espeak-ng")
	return func(ctx context.Context, text string, emit func(speech.Chunk) error) error {
		cmd := exec.CommandContext(ctx, bin, "--stdout", "-v", "en-us", "-s", "175", "--stdin")
		cmd.Stdin = strings.NewReader(text)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		defer func() { _ = cmd.Wait() }()
		r := bufio.NewReaderSize(out, 8192)
		if _, err := r.Discard(44); err != nil {
			return fmt.Errorf("wav header: %w", err)
		}
		res, err := resample.New(22050, 8000)
		if err != nil {
			return err
		}
		raw := make([]byte, 2*2205) // 100 ms
		in := make([]int16, len(raw)/2)
		pcm := make([]int16, res.OutLen(len(in)))
		for {
			n, err := io.ReadFull(r, raw)
			n &^= 1
			for i := 0; i < n/2; i++ {
				in[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
			}
			if k := res.Process(in[:n/2], pcm); k > 0 {
				if err := emit(speech.Chunk{PCM: pcm[:k]}); err != nil {
					_ = cmd.Process.Kill()
					return err
				}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
}

// BenchmarkFirstAudio measures the time from the request to the first
// audio chunk of an 8 kHz prompt, in the library and with a process.
func BenchmarkFirstAudio(b *testing.B) {
	for _, mode := range []struct {
		name string
		new  func(testing.TB) synthFunc
	}{{"library", libSynth}, {"process", procSynth}} {
		b.Run(mode.name, func(b *testing.B) {
			synth := mode.new(b)
			speechtest.FirstAudio(b, func(ctx context.Context, emit func(speech.Chunk) error) error {
				return synth(ctx, speechtest.BenchPrompt, emit)
			})
		})
	}
}

// BenchmarkThroughput renders whole 7 s prompts at 8 kHz with 1, 2 and 8
// requests at once, in the library and with a process per request. It
// reports prompts per second of wall-clock time, the CPU time (this
// process and its children) per prompt, and the mean and worst time to
// first audio under that load.
func BenchmarkThroughput(b *testing.B) {
	for _, mode := range []struct {
		name string
		new  func(testing.TB) synthFunc
	}{{"library", libSynth}, {"process", procSynth}} {
		for _, conc := range []int{1, 2, 8} {
			b.Run(fmt.Sprintf("%s/%d", mode.name, conc), func(b *testing.B) {
				synth := mode.new(b)
				var next atomic.Int64
				var firstSum, firstMax atomic.Int64
				start, cpu := time.Now(), speechtest.CPUTime()
				var wg sync.WaitGroup
				for range conc {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							t0 := time.Now()
							first := true
							err := synth(context.Background(), speechtest.BenchPrompt, func(speech.Chunk) error {
								if first {
									first = false
									d := int64(time.Since(t0))
									firstSum.Add(d)
									for m := firstMax.Load(); d > m && !firstMax.CompareAndSwap(m, d); m = firstMax.Load() {
									}
								}
								return nil
							})
							if err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				n := float64(b.N)
				b.ReportMetric(n/time.Since(start).Seconds(), "prompts/s")
				b.ReportMetric(float64((speechtest.CPUTime()-cpu).Microseconds())/1000/n, "cpu-ms/prompt")
				b.ReportMetric(float64(firstSum.Load())/1e6/n, "ms-to-audio")
				b.ReportMetric(float64(firstMax.Load())/1e6, "max-ms-to-audio")
			})
		}
	}
}

// BenchmarkRealTime measures the library's real-time factor on a 7 s
// prompt, in wall-clock and CPU time.
func BenchmarkRealTime(b *testing.B) {
	e := newEngine(b)
	for _, voice := range []string{"en-us", "en-us+f3", "de"} {
		b.Run(voice, func(b *testing.B) { speechtest.RealTime(b, e, speechtest.Say(voice, 8000, speechtest.BenchPrompt)) })
	}
}

// BenchmarkLock measures what a request holds espeak-ng for: synthesizing
// the 7 s prompt's sentences into memory at 22050 Hz, without resampling
// or emitting. Its inverse bounds the library's throughput.
func BenchmarkLock(b *testing.B) {
	newEngine(b)
	v := newEngineVoice(b, "en-us")
	p := espeakParams(ssml.DefaultProsody)
	var pcm []int16
	cpu := speechtest.CPUTime()
	for b.Loop() {
		for _, piece := range tts.Pieces(speechtest.BenchPrompt) {
			var err error
			if pcm, err = lib.synth(context.Background(), v.id, p, piece, pcm[:0]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64((speechtest.CPUTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/prompt")
}

func newEngineVoice(b *testing.B, name string) *voice {
	v := newEngine(b).cat.lookup(name)
	if v == nil {
		b.Fatalf("no voice %s", name)
	}
	return v
}
