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
// 2-core machine (docs/BENCHMARKS.md, "TTS engines"): the library renders
// a 7 s prompt in about 5 ms of one core, a process needs about 3 times
// that in CPU (exec, loading the phoneme data and dictionary) and 20
// times the time to first audio, so the serialized library gives more
// throughput on 2 cores than two processes at once, and answers in a
// fraction of a millisecond instead of 8-15 ms. The library is what
// Engine uses; BenchmarkProcess keeps the comparison reproducible.
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
