package corpus

import (
	"testing"
	"time"
)

// loadAll loads the module's phrase list.
func loadAll(b *testing.B) []Phrase {
	path, err := PhrasesFile()
	if err != nil {
		b.Fatal(err)
	}
	ps, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	return ps
}

// audioSeconds sums the duration of the utterances' audio.
func audioSeconds(b *testing.B, us []Utterance) float64 {
	var n int
	for _, u := range us {
		n += len(readUtterance(b, u.WAV))
	}
	return float64(n) / SampleRate
}

// BenchmarkBuild synthesizes the whole phrase list into an empty cache
// (cold) and into a full one (warm). Run it with -benchtime=1x or 3x: one
// cold iteration runs every synthesizer once per phrase.
func BenchmarkBuild(b *testing.B) {
	requireSynths(b)
	ps := loadAll(b)
	b.Run("cold", func(b *testing.B) {
		var us []Utterance
		for b.Loop() {
			var err error
			if us, err = Build(b.Context(), b.TempDir(), ps, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(us)), "utterances")
		b.ReportMetric(audioSeconds(b, us), "audio-s")
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Millisecond)/float64(len(us)), "ms/utterance")
	})
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		if _, err := Build(b.Context(), dir, ps, Options{}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Build(b.Context(), dir, ps, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRoundTrip passes one utterance through each codec; the metric
// x-realtime is seconds of audio per second of CPU.
func BenchmarkRoundTrip(b *testing.B) {
	requireSynths(b)
	us, err := Build(b.Context(), b.TempDir(), threePhrases[:1], Options{})
	if err != nil {
		b.Fatal(err)
	}
	pcm := readUtterance(b, us[0].WAV)
	secs := float64(len(pcm)) / SampleRate
	for _, f := range Formats() {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := RoundTrip(pcm, SampleRate, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(secs*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
		})
	}
}
