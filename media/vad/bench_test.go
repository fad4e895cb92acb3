package vad_test

import (
	"fmt"
	"testing"

	"github.com/parley-cc/parley/media/vad"
)

// BenchmarkProcess measures one frame through the detector, on noisy
// speech, at each sample rate and frame duration.
func BenchmarkProcess(b *testing.B) {
	for _, cfg := range []vad.Config{
		{SampleRate: 8000, FrameMs: 20},
		{SampleRate: 8000, FrameMs: 10},
		{SampleRate: 16000, FrameMs: 20},
		{SampleRate: 48000, FrameMs: 20},
		{SampleRate: 48000, FrameMs: 30},
	} {
		b.Run(fmt.Sprintf("%dHz/%dms", cfg.SampleRate, cfg.FrameMs), func(b *testing.B) {
			d, err := vad.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			pcm := newSignal(cfg.SampleRate).noise(1, -46).vowel(1, -26).add(-46).int16s()
			n := d.FrameSize()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				d.Process(pcm[i : i+n])
				i += n
				if i+n > len(pcm) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkProcessVsReference measures one frame through the detector with
// the reference (radix-2, refSpectrum) analysis and with the current one,
// side by side in one run, on the input of BenchmarkProcess.
func BenchmarkProcessVsReference(b *testing.B) {
	for _, cfg := range []vad.Config{
		{SampleRate: 8000, FrameMs: 20},
		{SampleRate: 8000, FrameMs: 10},
		{SampleRate: 16000, FrameMs: 20},
		{SampleRate: 48000, FrameMs: 20},
		{SampleRate: 48000, FrameMs: 30},
	} {
		pcm := newSignal(cfg.SampleRate).noise(1, -46).vowel(1, -26).add(-46).int16s()
		run := func(b *testing.B, n int, process func([]int16) vad.Event) {
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				process(pcm[i : i+n])
				i += n
				if i+n > len(pcm) {
					i = 0
				}
			}
		}
		name := fmt.Sprintf("%dHz/%dms", cfg.SampleRate, cfg.FrameMs)
		b.Run(name+"/ref", func(b *testing.B) {
			r, err := vad.NewReference(cfg)
			if err != nil {
				b.Fatal(err)
			}
			run(b, r.FrameSize(), r.Process)
		})
		b.Run(name+"/new", func(b *testing.B) {
			d, err := vad.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			run(b, d.FrameSize(), d.Process)
		})
	}
}

// BenchmarkProcessManyStreams measures one frame through the detector
// when 1000 detectors take turns, as with 1000 calls on one core: each
// frame finds its detector's state and tables out of the nearest caches.
// ns/op is per frame; ref is the reference (first) analysis.
func BenchmarkProcessManyStreams(b *testing.B) {
	const streams = 1000
	cfg := vad.Config{SampleRate: 8000, FrameMs: 20}
	pcm := newSignal(cfg.SampleRate).noise(1, -46).vowel(1, -26).add(-46).int16s()
	run := func(b *testing.B, n int, process []func([]int16) vad.Event) {
		i, s := 0, 0
		b.ReportAllocs()
		for b.Loop() {
			process[s](pcm[i : i+n])
			if s++; s == streams {
				s = 0
				if i += n; i+n > len(pcm) {
					i = 0
				}
			}
		}
	}
	b.Run("ref", func(b *testing.B) {
		var process []func([]int16) vad.Event
		n := 0
		for range streams {
			r, err := vad.NewReference(cfg)
			if err != nil {
				b.Fatal(err)
			}
			process, n = append(process, r.Process), r.FrameSize()
		}
		run(b, n, process)
	})
	b.Run("new", func(b *testing.B) {
		var process []func([]int16) vad.Event
		n := 0
		for range streams {
			d, err := vad.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			process, n = append(process, d.Process), d.FrameSize()
		}
		run(b, n, process)
	})
}
