// Package speechtest holds what the tests of Parley's local speech
// synthesizers (flite and espeak-ng) share: making an engine and
// collecting a synthesis (NewEngine, Render, Rendering), building
// requests and documents (Say, SayWith, Doc, Text, Break, Mark), measuring
// audio (RMS, MedianF0, F0Spread, LongestZeroRun, Same, Similar), asking
// PocketSphinx what it hears (Recognize, Recall), a conformance Suite that
// every speech.Synthesizer must pass within its engine's own bounds, a
// fuzz body (FuzzSynthesize) and benchmark bodies (FirstAudio, RealTime,
// RealTimeParallel, CPUTime).
//
// It is imported only by tests. Its checks use real tools: Recognize
// fails the test, rather than skipping it, when pocketsphinx_continuous
// is missing.
//
// # Concurrency properties
//
// The measuring and building functions are pure and safe for concurrent
// use. Functions taking a testing.TB (NewEngine, Render, Recognize) may
// call its Fatal and so belong on the test's goroutine. Suite.Run and the
// benchmark bodies call the engine under test from several goroutines at
// once where they check concurrency, and wait for every goroutine they
// start before returning.
package speechtest
