// Package corpus is Parley's test corpus of caller utterances for measuring
// speech recognition: the phrases of the sample scripts (a retail bank and
// an order-status and returns line, plus yes/no, digit strings, amounts and
// dates), spoken by espeak-ng and flite voices at several speaking rates,
// optionally passed through a telephony codec, and scored by word error
// rate and sentence accuracy.
//
// # Phrases
//
// A phrase list is a tab-separated file with the header "id intent text"
// (testdata/speech/phrases.tsv at the module root, found with PhrasesFile).
// Texts are lower-case words separated by single spaces, with no digits or
// punctuation, written the way a caller says them ("four five six seven",
// "twenty five pounds fifty"), so that the reference a recognizer is
// scored against is exactly what the voice was asked to say. Parse
// enforces this.
//
// # Utterances
//
// Build synthesizes each phrase with a rotation of voices (DefaultVoices:
// four espeak-ng voices at 140, 175 and 200 words per minute and four
// flite voices at duration stretch 0.9, 1.0 and 1.15, twenty-four
// settings in all), converts the result to 16 kHz mono 16-bit WAV with
// media/resample and media/wav, and caches each file in a directory under
// a name derived from a SHA-256 of the tool's version, the voice, the rate
// and the text, so a second Build of the same list runs no synthesizer.
//
// # Codecs
//
// Encode and RoundTrip pass an utterance through one of Parley's own codecs
// (media.NewEncoder and media.NewDecoder), in 20 ms frames as on an RTP
// stream: L16 and G.722 at 16 kHz, Opus at 16 kHz, and G.711 mu-law
// (PCMU), for which the audio is first resampled to 8 kHz.
//
// # Scoring
//
// Normalize turns text into comparable words, WER counts the word edits
// (substitutions, deletions, insertions) between a reference and a
// hypothesis, and Score accumulates them over a corpus.
//
// # Concurrency properties
//
// Build runs up to Options.Workers synthesizers at once (two by default)
// and returns when all have stopped; it may run concurrently with other
// Builds, also into the same directory (files appear by atomic rename).
// Everything else is a pure function, or, for Score, a value owned by
// one goroutine.
package corpus
