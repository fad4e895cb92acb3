package wav

import "testing"

// discard is a destination that keeps nothing, so a benchmark measures
// the Writer's own work and no file system.
type discard struct{}

func (discard) Write(p []byte) (int, error)               { return len(p), nil }
func (discard) Seek(off int64, whence int) (int64, error) { return off, nil }

// benchDiscard calls write, with a new Writer into discard for 16 kHz
// stereo every 10 minutes of 20 ms frames (outside the timer, well within
// the 4 GiB limit).
func benchDiscard(b *testing.B, write func(w *Writer) error) {
	var w *Writer
	k := 0
	b.ReportAllocs()
	for b.Loop() {
		if k%30000 == 0 {
			b.StopTimer()
			var err error
			if w, err = NewWriter(discard{}, WriterConfig{SampleRate: 16000, Channels: 2}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if err := write(w); err != nil {
			b.Fatal(err)
		}
		k++
	}
}

// BenchmarkWriterWriteDiscard20ms measures Write of 20 ms of 16 kHz
// interleaved stereo (640 samples) with the default buffer and header
// refresh, into discard.
func BenchmarkWriterWriteDiscard20ms(b *testing.B) {
	frame := sine(320, 2, 16000, 1000)
	benchDiscard(b, func(w *Writer) error {
		_, err := w.Write(frame)
		return err
	})
}
