package speech

import (
	"context"
	"errors"

	"github.com/parley-cc/parley/mrcp/ssml"
)

// Errors an engine returns (wrapped) so that the speech server can answer
// with the right RFC 6787 completion cause.
var (
	// ErrNoVoice means no voice matches the request
	// (SPEAK-COMPLETE 004 language-unsupported or 003 error).
	ErrNoVoice = errors.New("speech: no voice matches")
	// ErrLanguage means the engine does not handle the language
	// (005 language-unsupported on either resource).
	ErrLanguage = errors.New("speech: language not supported")
	// ErrGrammar means a grammar cannot be used by the engine
	// (RECOGNITION-COMPLETE 004 grammar-compilation-failure).
	ErrGrammar = errors.New("speech: grammar not usable")
	// ErrEngine means the engine failed (003 error / 006 recognizer-error).
	ErrEngine = errors.New("speech: engine failure")
)

// Voice is one voice a Synthesizer offers.
type Voice struct {
	// Name is the voice's name, unique within its engine ("kal", "slt",
	// "en-us"); Voice-Name selects it.
	Name string
	// Engine is the engine's name ("flite", "espeak-ng", "openai").
	Engine string
	// Language is a BCP 47 tag ("en-US"); Speech-Language selects it.
	Language string
	// Gender is "male", "female" or "neutral".
	Gender string
	// Age is the apparent age in years, 0 when unknown.
	Age int
}

// Chunk is a piece of synthesized output: audio, or a mark reached.
type Chunk struct {
	// PCM is mono 16-bit audio at the requested rate; it is valid only
	// during the emit call.
	PCM []int16
	// Mark, when not empty, is the name of an SSML <mark> reached before
	// the audio that follows.
	Mark string
}

// SynthRequest is one thing to say.
type SynthRequest struct {
	// Doc is what to say; its Items carry voice and prosody changes.
	Doc *ssml.Document
	// Voice is the voice chosen for the request; Items whose Voice names
	// another voice of the same engine may switch to it.
	Voice Voice
	// Rate is the sample rate of the audio to emit (8000, 16000 or 48000).
	Rate int
	// Prosody is the baseline from SET-PARAMS / SPEAK headers
	// (Prosody-Rate, Prosody-Volume, ...), applied under the document's.
	Prosody ssml.Prosody
}

// Synthesizer is a TTS engine.
type Synthesizer interface {
	// Name is the engine's name, as in Voice.Engine.
	Name() string
	// Voices lists the voices the engine offers.
	Voices() []Voice
	// Synthesize renders req, calling emit with audio as it becomes ready
	// so that playback can start before synthesis ends. It returns when
	// the document is done, when emit returns an error (returned as is),
	// or when ctx ends (ctx.Err()). emit must not retain PCM.
	Synthesize(ctx context.Context, req SynthRequest, emit func(Chunk) error) error
}

// Grammar is a recognition grammar in the forms engines consume. A
// *srgs.Grammar satisfies it.
type Grammar interface {
	// JSGF renders the grammar in the JSpeech Grammar Format.
	JSGF() (string, error)
	// Words lists the grammar's vocabulary, each word once.
	Words() []string
}

// RecogRequest describes one utterance's recognition.
type RecogRequest struct {
	// Language is a BCP 47 tag ("en-US").
	Language string
	// Rate is the sample rate of the PCM written to the Stream (8000 or
	// 16000).
	Rate int
	// Grammars constrain recognition to their language. With none,
	// Phrases or Transcribe decide.
	Grammars []Grammar
	// Phrases are example utterances of the domain (a bot's intent
	// examples): the engine builds a language model from them and
	// recognizes free speech biased to the domain.
	Phrases []string
	// Transcribe asks for free transcription with the engine's generic
	// model (builtin:speech/transcribe).
	Transcribe bool
	// NBest is how many alternatives to return, at least 1.
	NBest int
}

// Hypothesis is one recognized alternative.
type Hypothesis struct {
	// Text is the words recognized, lower case, single-spaced.
	Text string
	// Confidence is between 0 and 1.
	Confidence float64
	// Grammar is the index in RecogRequest.Grammars of the grammar the
	// text matched, -1 for Phrases or Transcribe.
	Grammar int
}

// Stream is one utterance being recognized. Write, Partial and End are
// called from one goroutine at a time.
type Stream interface {
	// Write feeds audio at RecogRequest.Rate. It must not block for longer
	// than it takes to process the audio.
	Write(pcm []int16) error
	// Partial returns the best hypothesis so far, if the engine has one.
	Partial() (Hypothesis, bool)
	// End marks the end of input and returns the final alternatives, best
	// first; none means nothing was recognized (no-match).
	End(ctx context.Context) ([]Hypothesis, error)
	// Close releases the stream; it may be called at any time, also after
	// End, and more than once.
	Close() error
}

// Recognizer is an ASR engine.
type Recognizer interface {
	// Name is the engine's name.
	Name() string
	// Languages lists the BCP 47 tags the engine recognizes.
	Languages() []string
	// Start opens a Stream for one utterance.
	Start(ctx context.Context, req RecogRequest) (Stream, error)
}
