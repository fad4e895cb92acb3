// Package sphinx is Parley's speech recognizer on CMU PocketSphinx
// (Debian's libpocketsphinx 5prealpha with the en-us acoustic model and
// dictionary), called through cgo. Engine implements speech.Recognizer.
//
// # Modes
//
// A request is recognized in one of three ways:
//
//   - Grammars: each grammar's JSGF is parsed here (jsgf.go) and all of a
//     request's grammars are compiled into one finite-state grammar
//     (fsg.go), with a garbage loop of phones beside them so that speech
//     outside the grammars ends as a no-match rather than as the nearest
//     grammar sentence. PocketSphinx's own JSGF compiler is not used: in
//     5prealpha it loops "+" and "*" back to shared states (so that after
//     <a> | <b>+ it accepts "b a"), drops the weights of rule references
//     and leaks the parsed grammar. Hypothesis.Grammar is the index of the
//     grammar the words match, -1 when several do.
//   - Phrases: a trigram language model is built from the phrases
//     (Witten-Bell interpolated, written in ARPA backoff form, lm.go) and
//     cached by the phrase set, so a bot sending the same phrases on every
//     turn builds it once.
//   - Transcribe (or no grammars and no phrases): the generic en-us model.
//
// Words missing from the dictionary get a pronunciation from espeak-ng's
// IPA transcription mapped to the model's phones (g2p.go).
//
// # Decoders
//
// Decoders are expensive to make and are pooled, up to
// Config.MaxDecoders; Start waits for one, honouring its context. There
// are two kinds: lite decoders start with an empty dictionary and are given
// the words of each grammar and phrase set (they take milliseconds to make,
// and load small language models in a millisecond), full decoders have the
// whole dictionary and the generic model for transcription (a few tenths of
// a second to make, some 90 MB each). A decoder keeps the searches it
// loaded (Config.SearchesPerDecoder) and is reused. Each utterance starts
// from the decoder's initial cepstral mean, so that a result never depends
// on the calls a decoder served before.
//
// # Audio
//
// The acoustic model is trained on 16 kHz speech. By default the decoders
// work at 16 kHz and 8 kHz input is resampled up (media/resample);
// Config.Narrowband makes them work at 8 kHz with a telephone-band front
// end instead. docs/BENCHMARKS.md has the word error rates of both.
//
// # Confidence
//
// For the language model modes Confidence is the mean lattice posterior of
// the result's words; n-best alternatives have it scaled by their path
// score against the best one. For grammars, whose lattice posteriors
// PocketSphinx always gives as 1, the utterance is decoded a second time
// with a free phone loop, and Confidence is the logistic of the acoustic
// log-likelihood ratio per frame of the grammar path against the loop.
//
// # Concurrency properties
//
// An Engine is safe for concurrent use. A Stream's Write, Partial and End
// are called from one goroutine at a time (speech.Stream); Close may be
// called from any goroutine at any time. Every call into PocketSphinx for
// one decoder is made by one goroutine at a time: the stream's, under its
// lock, for Write and Partial, and an engine goroutine for the slower work
// (loading a search, finishing an utterance, making a decoder), which
// Start and End wait for unless their context ends first; the decoder then
// returns to the pool when that work is done. Close waits for those
// goroutines. PocketSphinx logs through one process-wide callback: its
// warnings and errors go to the Log of the Engine made last.
package sphinx
