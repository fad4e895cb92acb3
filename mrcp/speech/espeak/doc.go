// Package espeak is the espeak-ng 1.51 speech synthesizer (Debian's
// libespeak-ng1) as a speech.Synthesizer, through cgo.
//
// It offers every voice installed in espeak-ng-data except the mbrola
// ones (about 130 languages), each named after its language ("en-us",
// "de", "cmn") and tagged with it in BCP 47 case ("en-US"), and each also
// combined with the configured variants (by default "f3", so that every
// language has a female voice: "en-us+f3"). Audio comes out of espeak-ng
// at 22050 Hz and is resampled to the request's rate with media/resample.
//
// # Why the library and not espeak-ng processes
//
// espeak-ng keeps its voice, parameters and synthesis state in globals:
// one process synthesizes one thing at a time. The two ways to serve
// concurrent requests are the library serialized by a lock, or one
// `espeak-ng --stdout` process per request. Both were measured on the
// shared 2-core machine (docs/BENCHMARKS.md, "TTS engines"), for a 7 s
// prompt delivered at 8 kHz: the library holds espeak-ng for about 6 ms
// of CPU and spends as much again resampling, outside the lock, so it
// serves about 160 prompts a second on 2 cores (bounded both by the lock
// and by the CPU); a process costs about 24 ms of CPU (exec, loading the
// phoneme data and dictionary, then the same work), so two cores serve
// about 80. The first audio comes 2-5 ms after the request from the
// library, 10-18 ms from a process. The library is what Engine uses;
// BenchmarkThroughput and BenchmarkFirstAudio keep the comparison
// reproducible.
//
// # Concurrency properties
//
// An Engine is safe for concurrent use. Syntheses take turns on the
// process's one espeak-ng a sentence at a time (waiting for a turn obeys
// the context), and a request holds it only while espeak-ng renders the
// sentence into memory, never while its emit runs, so a slow consumer
// delays nobody else. The first Engine of a process initializes
// espeak-ng; DataPath of later ones is ignored.
package espeak
