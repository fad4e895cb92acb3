// Package speech defines the engines behind Parley's MRCPv2 speech server:
// a Synthesizer turns a parsed SSML document into audio and a Recognizer
// turns audio into text. The interfaces are small so that a new engine is
// one file; the engines themselves live in the sub-packages (PocketSphinx,
// flite, espeak-ng, OpenAI-compatible endpoints), and Registry picks one
// for a request by voice, language or name.
package speech
