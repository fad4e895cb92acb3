package vad

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// TestSpectrumTablesShared checks that spectra of one window length and
// rate share their tables, that others do not, and that spectra analysing
// different streams concurrently, on shared tables, give what each gives
// alone.
func TestSpectrumTablesShared(t *testing.T) {
	a, b := newSpectrum(160, 8000), newSpectrum(80, 8000) // both a 20 ms window
	if a.spectrumTables != b.spectrumTables {
		t.Errorf("8000 Hz, 20 and 10 ms frames: tables not shared")
	}
	if c := newSpectrum(240, 8000); c.spectrumTables == a.spectrumTables {
		t.Errorf("8000 Hz, 20 and 30 ms frames: tables shared")
	}
	if c := newSpectrum(320, 16000); c.spectrumTables == a.spectrumTables {
		t.Errorf("8000 and 16000 Hz: tables shared")
	}

	const streams, frames = 4, 50
	pcm := make([][]int16, streams)
	want := make([][]float64, streams)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range pcm {
		pcm[i] = speechLike(rng, 16000, float64(frames)*0.02)
		s := newSpectrum(320, 16000)
		var band [numBands]float64
		for f := range frames {
			want[i] = append(want[i], s.analyze(pcm[i][f*320:(f+1)*320], &band))
		}
	}
	var wg sync.WaitGroup
	for i := range streams {
		wg.Go(func() {
			s := newSpectrum(320, 16000)
			var band [numBands]float64
			for f := range frames {
				if got := s.analyze(pcm[i][f*320:(f+1)*320], &band); got != want[i][f] {
					t.Errorf("stream %d frame %d: total %g concurrently, %g alone", i, f, got, want[i][f])
					return
				}
			}
		})
	}
	wg.Wait()
}
