// Package flite is the flite 2.2 speech synthesizer (CMU's Festival-lite,
// Debian's libflite1) as a speech.Synthesizer, through cgo.
//
// It offers the five voices Debian's flite1-dev links in, all American
// English: kal16 (diphone, 16 kHz), kal (diphone, 8 kHz), slt (female,
// clustergen), rms and awb (male, clustergen, 16 kHz). Audio is streamed
// through flite's audio streaming callback as each utterance is
// synthesized, so a prompt's first audio leaves after its first sentence's
// analysis and first 20 ms of waveform, not after the whole prompt; it is
// resampled to the request's rate with media/resample.
//
// # Concurrency properties
//
// An Engine is safe for concurrent use, and concurrent syntheses run in
// parallel, also with the same voice. flite keeps one instance of each
// voice per process; synthesis reads it and writes only the utterance it
// creates, into whose features Parley puts every per-request setting
// (duration_stretch, F0 target, streaming callback), never the voice's.
// This was checked with valgrind's helgrind on two threads synthesizing
// with one voice, for each of the five voices: the only races reported
// are inside glibc's rand(), which is internally locked (the clustergen
// voices draw their noise excitation from it, so their output differs
// slightly from run to run). Voice registration is not thread-safe and is
// done once per process, under a sync.Once.
//
// The audio callback runs on the goroutine that called Synthesize, which
// is also the goroutine emit is called on.
package flite
