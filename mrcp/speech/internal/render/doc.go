// Package render holds what Parley's local speech synthesizers (flite
// and espeak-ng) do alike between an SSML document and the caller's
// emit function: splitting an item's text into the pieces an engine
// synthesizes one at a time (Pieces), combining the request's prosody
// with an item's (Effective), and an Output that resamples the engine's
// native audio to the requested rate, applies a gain, and emits audio in
// chunks of at most 100 ms, with a Break as silence and a Mark as a
// Chunk{Mark} between them (Output.Items).
//
// # Concurrency properties
//
// Pieces and Effective are pure and safe for concurrent use. An Output
// belongs to one synthesis and is used by one goroutine; emit is called
// on that goroutine, and the PCM it receives is valid only during the
// call.
package render
