// Package openai provides speech engines behind an OpenAI-compatible HTTP
// API (OpenAI itself, Azure-style proxies, and local servers that copy its
// audio endpoints), through github.com/sashabaranov/go-openai: a
// Synthesizer on /audio/speech and a Recognizer on
// /audio/transcriptions. Both satisfy the interfaces of package speech.
//
// # Synthesis
//
// The Synthesizer asks for "pcm" (raw 24 kHz 16-bit little-endian mono) by
// default, or "wav", and reads the HTTP body as it arrives: each piece is
// converted, resampled with media/resample to SynthRequest.Rate and emitted
// at once, so playback starts while the server is still speaking.
//
// An SSML document is spoken as a series of requests. Consecutive Text
// (and Audio fallback) items that share a voice, rate and volume are
// joined into one request; a Break ends the request and becomes exactly
// that much silence, generated locally; a Mark ends the request and is
// emitted as a Chunk between the audio before and after it. Splitting
// keeps pauses and marks exact, where spelling a pause "..." would leave
// its length to the model. The rate (request Prosody.Rate times the item's)
// becomes the API's speed parameter, clamped to 0.25-4; the volume is a
// gain applied to the samples; pitch and range have no API equivalent and
// are ignored. An item whose voice name is another configured voice
// switches to it; other voice selections keep the request's voice.
//
// # Recognition
//
// A Stream buffers the utterance's PCM (up to Config.MaxUtterance) and on
// End posts it as a 16-bit mono WAV file to the transcription endpoint,
// with the model, a language hint (the primary subtag of
// RecogRequest.Language, "en" for "en-US") and a prompt that biases the
// model towards the domain: the vocabulary of the grammars
// (Grammar.Words) followed by the example phrases, cut at 800 bytes (the
// API reads at most 224 tokens of it). It returns one Hypothesis; Partial
// always reports none. The confidence is exp of the duration-weighted mean
// of the segments' avg_logprob when the response is verbose_json and has
// segments, otherwise Config.Confidence (0.8 by default). With grammars,
// the hypothesis names the first grammar whose vocabulary holds every
// word recognized; when none does it names no grammar (-1) if the request
// also has phrases or asks to transcribe, and is dropped (no-match)
// otherwise.
//
// # Failures
//
// A request that fails with HTTP 429 or 5xx, a network error or the
// per-attempt Config.Timeout is retried up to Config.Retries times after
// Config.Backoff, doubling each time (with up to 25% jitter), unless the
// caller's context ends first. Synthesis is not retried once audio of the
// failed request has been emitted. Failures are returned wrapping
// speech.ErrEngine (speech.ErrNoVoice for an unknown voice,
// speech.ErrLanguage for a language the recognizer is not configured for);
// an error from emit is returned as is, and the end of the caller's context
// as ctx.Err().
//
// # Concurrency properties
//
// A Synthesizer and a Recognizer are safe for concurrent use; each
// Synthesize call and each Stream is independent. A Stream is used by one
// goroutine at a time, as package speech requires. No goroutine outlives
// the call that started it.
package openai
